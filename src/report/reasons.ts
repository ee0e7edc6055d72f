// What each reason code means and what to do about it: one table, read by the job summary, the terminal's end
// table and docs/reasons.md (generated from it by scripts/reasons-doc.ts, held to it by a test).
import type { FailureReason, SkipReason } from '../engine/validate/result.js';

export interface ReasonText {
  /** What the code says happened, in one sentence. */
  meaning: string;
  /** What to do, in one sentence. */
  remedy: string;
}

export const REASON_TEXTS: Record<FailureReason | SkipReason, ReasonText> = {
  'source-missing': {
    meaning: 'The image is not at the source: the tag or repository does not exist there, or it is private.',
    remedy:
      'Check the line for a typo in the repository or tag, and that the upstream still publishes it; for a private upstream, give source credentials.',
  },
  'not-in-archive': {
    meaning:
      'The list names an image that the source archive does not carry: it was never saved, so it cannot have been loaded.',
    remedy:
      'Save the image into the archive (hangar save, skopeo copy, zarf package create, hauler store add) and carry it across again, or remove the line.',
  },
  'archive-incomplete': {
    meaning:
      'The archive lacks a manifest, an index or a config the comparison needs (or holds one that does not hash to its digest): the archive is broken, whatever the mirror holds.',
    remedy:
      'Make the archive again from the source (the detail names the member or digest missing) and check how it was carried (a truncated copy, a partial save).',
  },
  'not-mirrored': {
    meaning:
      "No rule of the cluster's mirror configuration covers the image's registry: the node pulls it from upstream, which fails in an air gap. No request was made for it.",
    remedy:
      'Add the registry to the configuration the nodes read (a hosts.toml folder, a registries.conf [[registry]], a registries.yaml mirror, an ImageDigestMirrorSet) and mirror the image there.',
  },
  'reference-not-mirrored': {
    meaning:
      'A rule covers the image, but its mirrors serve only digest references (mirror-by-digest-only, pull-from-mirror digest-only, an ImageDigestMirrorSet, a pull-only containerd host) and the workload names a tag, or only tags and it names a digest: the node pulls it from upstream. No request was made for it.',
    remedy:
      "Pin the workload's image by digest, or add a mirror that serves tags (an ImageTagMirrorSet, pull-from-mirror all, capabilities pull and resolve).",
  },
  'no-matching-tags': {
    meaning:
      'The entry names its tags by a pattern (a regex, a semver range, every tag) and no tag of the source repository matches it: nothing was, or will be, mirrored for it.',
    remedy:
      'Check the pattern against the tags the source has now (the detail says how many it listed); fix the pattern, or remove the entry if the upstream dropped those tags.',
  },
  'destination-missing': {
    meaning: 'The image is not in the mirror: it was never copied, or it went to another path.',
    remedy:
      'Run the mirror step again for these lines (the failed list is its input), and check default-project and the destination path it writes to.',
  },
  'digest-mismatch': {
    meaning:
      'The mirror holds another image under this tag: the upstream moved after the copy, or the copy is of something else.',
    remedy:
      'Mirror the line again; if the upstream moves on purpose (a rolling tag), pin it by digest in the list.',
  },
  'platform-missing': {
    meaning: 'A platform the filter requires is in the source but not in the mirror.',
    remedy:
      'Copy all platforms (skopeo copy --all, hangar with the arch list), or narrow arch/os to what you need.',
  },
  'platform-mismatch': {
    meaning: 'The mirror holds a platform image with another digest or another platform than the source.',
    remedy: 'Mirror the line again from the source; the copy in the mirror is not the upstream image.',
  },
  'manifest-missing': {
    meaning:
      'The mirror index lists a platform whose manifest is not in the repository: a pull of that platform fails.',
    remedy: 'Mirror the line again with every platform manifest (skopeo copy --all), then validate again.',
  },
  'referrer-missing': {
    meaning:
      'A signature, attestation or SBOM the referrers policy requires is at the source but not in the mirror, or not where a verifier looks for it (the referrers API or tag, the cosign tag): admission policies that verify images block the deployment.',
    remedy:
      'Copy the referrers too (cosign copy, oras copy -r, regctl image copy --referrers, or skopeo copy of the sha256-<hex>.sig/.att/.sbom tags), then validate again.',
  },
  'blob-missing': {
    meaning:
      'A layer or config blob of a mirrored image is not in the repository (deep mode): a pull fails halfway.',
    remedy:
      'Mirror the image again; check the registry storage and garbage collection that removed the blob.',
  },
  auth: {
    meaning: 'The registry refused the credentials, or asked for credentials none were given for.',
    remedy:
      'Check the user, password or token for that registry (inputs, flags or the Docker config), and that it may pull.',
  },
  'rate-limited': {
    meaning: 'The registry answered 429 until retries ran out.',
    remedy:
      'Give credentials for that registry (higher limits), lower jobs, or run again later; the report names the registry.',
  },
  timeout: {
    meaning: 'The registry did not answer within the time allowed for the image or the run.',
    remedy:
      'Check that the registry is up and reachable from the runner; raise image-timeout for very slow registries.',
  },
  unreachable: {
    meaning: 'The registry could not be reached or kept failing (connection refused, DNS, 5xx).',
    remedy:
      'Check the registry address, the network path from the runner (proxy, firewall) and the registry health.',
  },
  tls: {
    meaning: 'The TLS connection failed: the certificate is not trusted or does not match the host.',
    remedy:
      'Give the CA with ca-file, or list the registry in insecure-registries if it is meant to be unverified.',
  },
  integrity: {
    meaning: 'The registry sent content that does not match its digest.',
    remedy:
      'Treat the registry or a proxy in between as broken or tampered with; do not ship from it until it is explained.',
  },
  'invalid-manifest': {
    meaning: 'The registry sent a manifest that cannot be read, or one past the size limits.',
    remedy:
      'Inspect the manifest (skopeo inspect --raw); re-push it from the source if the mirror holds a broken copy.',
  },
  'invalid-line': {
    meaning: 'The list line cannot be read as an image reference.',
    remedy: 'Fix the line in the list (the detail says what is wrong with it); it fails the run until then.',
  },
  'no-matching-platform': {
    meaning: 'No platform of the source is selected by arch, os and variant: nothing to check for this line.',
    remedy: 'Nothing, if the image is not meant for these platforms; otherwise widen arch or os.',
  },
  interrupted: {
    meaning: 'The run was stopped (cancelled, or out of time) before this line was validated.',
    remedy: 'Run again; raise timeout if the run ran out of time.',
  },
};

/** The docs page that explains a code, as an anchor on docs/reasons.md. */
export const reasonAnchor = (code: string) => `reasons.md#${code}`;
