// CONTRACT FILE (signatures only; implementation owned by the image-list/reference work).

export interface ImageReference {
  /** Normalised registry host[:port]; Docker Hub is `docker.io`. */
  registry: string;
  /** Repository path, lowercase; `library/` added for one-segment Docker Hub names. */
  repository: string;
  /** Tag when referenced by tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  /** `sha256:<64 hex>` when referenced by digest. */
  digest?: string;
}
