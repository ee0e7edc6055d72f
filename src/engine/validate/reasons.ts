// How what the registries answered becomes a verdict, when the answer is not a manifest to compare: a missing
// image, a registry failure, a registry that contradicts itself, a line out of time. Pure: no I/O.
import type { Descriptor } from '../../registry/manifest.js';
import { isAbsent, RegistryError } from '../../registry/errors.js';
import { failureClass } from '../../registry/refusals.js';
import { formatPlatform } from './platform.js';
import type { FailureReason, PlatformResult, Verdict } from './result.js';
import { failed, type Digests } from './rules.js';

export type Side = 'source' | 'destination';

const missingReason = (side: Side): FailureReason =>
  side === 'source' ? 'source-missing' : 'destination-missing';

/**
 * A registry failure as a line's reason: the class registry/refusals.ts gives it (the one rule table of
 * refused, missing and unreachable), with `missing` said for the side it happened on.
 */
export function reasonForError(error: unknown, side: Side): FailureReason {
  const failure = failureClass(error);
  return failure === 'missing' ? missingReason(side) : failure;
}

export { isAbsent };

/** A registry failure on one side of a line; `reference` is the line's reference on that side. */
export function errorVerdict(error: unknown, side: Side, reference: string, digests: Digests = {}): Verdict {
  const reason = reasonForError(error, side);
  const problem = error instanceof RegistryError ? error.problem : (error as Error).message;
  // What failed is named unless it is the line's own reference (then the line already names it).
  const about =
    error instanceof RegistryError && error.reference && error.reference !== reference
      ? error.reference
      : undefined;
  const verdict = failed(
    [
      {
        reason,
        message: `${side} ${about ?? reference}: ${problem}`,
        ...(about ? {} : { brief: `${side}: ${problem}` }),
      },
    ],
    [],
    digests,
  );
  return error instanceof RegistryError && reason === 'rate-limited' && verdict.status === 'failed'
    ? { ...verdict, registry: error.registry }
    : verdict;
}

/**
 * The HEADs found no manifest on one side or both (each side's error, when absent there). A plain 404 says
 * "does not exist"; a refused repository says what the registry left open.
 */
export function missingVerdict(
  absent: { source?: unknown; destination?: unknown },
  references: { source: string; destination: string },
  digests: Digests,
): Verdict {
  const finding = (side: Side, error: unknown) => {
    const problem =
      error instanceof RegistryError && error.code === 'denied' ? error.problem : 'does not exist';
    return {
      reason: missingReason(side),
      message: `${side} ${references[side]} ${problem}`,
      brief: `${side} ${problem}`,
    };
  };
  return failed(
    [
      ...(absent.source !== undefined ? [finding('source', absent.source)] : []),
      ...(absent.destination !== undefined ? [finding('destination', absent.destination)] : []),
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
  if (isAbsent(error)) {
    return failed(
      [
        {
          reason: 'integrity',
          message: `${side} ${reference}: the registry announced ${digest} but has no manifest with that digest`,
          brief: `${side}: the registry announced ${digest} but has no manifest with that digest`,
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
