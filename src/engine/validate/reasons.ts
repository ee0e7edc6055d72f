// How what the registries answered becomes a verdict, when the answer is not a manifest to compare: a missing
// image, a registry failure, a registry that contradicts itself, a line out of time. Pure: no I/O.
import type { Descriptor } from '../../registry/manifest.js';
import { RegistryError } from '../../registry/errors.js';
import { formatPlatform } from './platform.js';
import type { FailureReason, PlatformResult, Verdict } from './result.js';
import { failed, type Digests } from './rules.js';

export type Side = 'source' | 'destination';

/** One place where registry failures become failure reasons. */
export function reasonForError(error: unknown): FailureReason {
  if (!(error instanceof RegistryError)) return 'unreachable';
  switch (error.code) {
    case 'unauthorized':
    case 'forbidden':
      return 'auth';
    case 'rate-limited':
      return 'rate-limited';
    case 'timeout':
      return 'timeout';
    case 'tls':
      return 'tls';
    case 'digest-mismatch':
      return 'integrity';
    case 'invalid-manifest':
    case 'too-large':
      return 'invalid-manifest';
    case 'not-found':
    case 'network':
    case 'http':
      return 'unreachable';
  }
}

export const isNotFound = (error: unknown): boolean =>
  error instanceof RegistryError && error.code === 'not-found';

/** A registry failure on one side of a line; `reference` is the line's reference on that side. */
export function errorVerdict(error: unknown, side: Side, reference: string, digests: Digests = {}): Verdict {
  const reason = reasonForError(error);
  const message =
    error instanceof RegistryError
      ? `${side} ${error.reference ?? reference}: ${error.problem}`
      : `${side} ${reference}: ${(error as Error).message}`;
  const verdict = failed([{ reason, message }], [], digests);
  return error instanceof RegistryError && reason === 'rate-limited' && verdict.status === 'failed'
    ? { ...verdict, registry: error.registry }
    : verdict;
}

/** The HEADs found no manifest on one side or both. */
export function missingVerdict(
  missing: { source: boolean; destination: boolean },
  references: { source: string; destination: string },
  digests: Digests,
): Verdict {
  return failed(
    [
      ...(missing.source
        ? [{ reason: 'source-missing' as const, message: `source ${references.source} does not exist` }]
        : []),
      ...(missing.destination
        ? [
            {
              reason: 'destination-missing' as const,
              message: `destination ${references.destination} does not exist`,
            },
          ]
        : []),
    ],
    [],
    digests,
  );
}

/**
 * A manifest the registry just announced by digest (its HEAD answered) but cannot serve: the registry
 * contradicts itself, which is an integrity failure, not a missing image.
 */
export function fetchErrorVerdict(
  error: unknown,
  side: Side,
  reference: string,
  digest: string,
  digests: Digests,
): Verdict {
  if (isNotFound(error)) {
    return failed(
      [
        {
          reason: 'integrity',
          message: `${side} ${reference}: the registry announced ${digest} but has no manifest with that digest`,
        },
      ],
      [],
      digests,
    );
  }
  return errorVerdict(error, side, reference, digests);
}

/** Identical digests in deep mode: each selected platform is the source's own; its status is its blobs'. */
export function identicalPlatforms(
  selected: readonly Descriptor[],
  missingBlobs: ReadonlyMap<string, string[]>,
): PlatformResult[] {
  return selected.map((entry) => ({
    platform: entry.platform ? formatPlatform(entry.platform) : 'unknown',
    sourceDigest: entry.digest,
    destinationDigest: entry.digest,
    status: (missingBlobs.get(entry.digest) ?? []).length ? 'blob-missing' : 'ok',
  }));
}

export const timeoutVerdict = (imageTimeoutMs: number): Verdict =>
  failed(
    [
      {
        reason: 'timeout',
        message: `no verdict within the image timeout of ${Math.round(imageTimeoutMs / 1000)} s`,
      },
    ],
    [],
  );

export const unexpectedVerdict = (error: unknown): Verdict =>
  failed([{ reason: 'unreachable', message: `unexpected error: ${(error as Error).message}` }], []);
