// Referrers travel with the image: the signatures, attestations and SBOMs that refer to a mirrored manifest
// are looked for at the source and at the destination the way a cluster's verifier looks for them (Kyverno,
// policy-controller, Ratify: the referrers API, else the referrers tag schema, and cosign's tags). Only with
// a policy other than `ignore`; what is required and what a result means is in referrer-rules.ts.
import { isAbsent, RegistryError } from '../../registry/errors.js';
import { referrersTag } from '../../registry/referrers-page.js';
import type { ImageReference } from '../../registry/reference.js';
import type { RegistryReader } from '../../registry/reader.js';
import type { ValidateOptions } from '../../config/settings.js';
import { formatPlatform, isAttestation, selectedByFilter } from './platform.js';
import { reasonForError, type Side } from './reasons.js';
import {
  checksReferrers,
  COSIGN_SUFFIXES,
  cosignSuffixes,
  isRequired,
  kindOf,
  MAX_REQUIRED_REFERRERS,
  serverFilter,
  subjectsOf,
  withReferrers,
  type Subject,
} from './referrer-rules.js';
import type { Finding, ReferrerResult, Verdict } from './result.js';
import { short } from './rules.js';

/** The digest a tag holds, or null when there is no such tag. */
async function tagDigest(
  reader: RegistryReader,
  ref: ImageReference,
  tag: string,
  signal: AbortSignal,
): Promise<string | null> {
  try {
    return (await reader.headManifest({ registry: ref.registry, repository: ref.repository, tag }, signal))
      .digest;
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}

/** A failure to list or check referrers, as a finding of the line (never `*-missing`: the image is there). */
function errorFinding(error: unknown, side: Side, ref: ImageReference, what: string): Finding {
  const reason = reasonForError(error, side);
  const problem = error instanceof RegistryError ? error.problem : (error as Error).message;
  return {
    reason: reason === 'source-missing' || reason === 'destination-missing' ? 'unreachable' : reason,
    message: `${side} ${ref.registry}/${ref.repository} ${what}: ${problem}`,
    brief: `${side} ${what}: ${problem}`,
  };
}

type Found = Omit<ReferrerResult, 'status'>;

/**
 * Looks for the referrers of a verdict's manifests and checks the required ones at the destination; the
 * verdict comes back with them (referrer-rules.ts `withReferrers`). With `ignore`, no request at all.
 */
export async function checkReferrers(
  verdict: Verdict,
  source: ImageReference,
  destination: ImageReference,
  options: ValidateOptions,
  reader: RegistryReader,
  signal: AbortSignal,
): Promise<Verdict> {
  const policy = options.referrers;
  if (policy.mode === 'ignore' || verdict.status === 'skipped' || !checksReferrers(verdict)) return verdict;
  const sourceDigest = verdict.sourceDigest as string;
  const errors: Finding[] = [];
  const attempt = async <T>(side: Side, what: string, request: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await request();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      errors.push(errorFinding(error, side, side === 'source' ? source : destination, what));
      return undefined;
    }
  };
  const filter = serverFilter(policy);
  const suffixes = cosignSuffixes(policy);

  /** One subject: its referrers at the source, then the required ones at the destination. */
  const referrersOf = async (subject: Subject): Promise<ReferrerResult[]> => {
    const about = `referrers of ${short(subject.digest)}`;
    const tagBase = referrersTag(subject.digest);
    const [listing, ...tagged] = await Promise.all([
      attempt('source', about, () =>
        reader.listReferrers(source.registry, source.repository, subject.digest, filter, signal),
      ),
      ...suffixes.map((suffix) =>
        attempt('source', `tag ${tagBase}.${suffix}`, () =>
          tagDigest(reader, source, `${tagBase}.${suffix}`, signal),
        ),
      ),
    ]);
    const where = { subject: subject.label, subjectDigest: subject.digest };
    const found: Found[] = [];
    const seen = new Set<string>();
    for (const descriptor of listing?.descriptors ?? []) {
      if (seen.has(descriptor.digest)) continue;
      seen.add(descriptor.digest);
      found.push({
        kind: kindOf(descriptor.artifactType, descriptor.annotations),
        ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {}),
        digest: descriptor.digest,
        ...where,
        via: listing?.via === 'referrers-api' ? 'referrers-api' : 'referrers-tag',
      });
    }
    suffixes.forEach((suffix, index) => {
      const digest = tagged[index];
      if (typeof digest === 'string')
        found.push({
          kind: COSIGN_SUFFIXES[suffix],
          digest,
          ...where,
          via: 'cosign-tag',
          tag: `${tagBase}.${suffix}`,
        });
    });

    const required = found.filter((referrer) => isRequired(policy, referrer));
    const results = new Map<Found, ReferrerResult>(
      found.map((referrer) => [
        referrer,
        {
          ...referrer,
          status: !required.includes(referrer)
            ? 'not-required'
            : subject.atDestination
              ? 'unchecked'
              : 'not-carried',
        },
      ]),
    );
    if (!subject.atDestination || required.length === 0) return [...results.values()];
    if (required.length > MAX_REQUIRED_REFERRERS) {
      // Each one costs the destination a request: a list this long is not one image's signatures.
      errors.push({
        reason: 'invalid-manifest',
        message: `source ${source.registry}/${source.repository} ${about}: ${required.length} required referrers, more than ${MAX_REQUIRED_REFERRERS} (not one image's signatures); not checked at the destination`,
        brief: `source ${about}: ${required.length} required referrers, more than ${MAX_REQUIRED_REFERRERS} (not one image's signatures); not checked at the destination`,
      });
      return [...results.values()];
    }

    // At the destination: its list of the subject's referrers beside a HEAD of each cosign tag the source
    // has; then a HEAD of each listed referrer the list does not already prove. A referrers-API list is the
    // registry's own account of the manifests it stores with that subject (distribution-spec v1.1.0,
    // "Listing Referrers"); a tag-schema list is kept by clients and may point at nothing, and a referrer
    // that is not listed is either missing or unlisted, which only a HEAD tells apart.
    const listed = required.filter((referrer) => referrer.via !== 'cosign-tag');
    const tags = required.filter((referrer) => referrer.via === 'cosign-tag');
    const [destinationListing, destinationTags] = await Promise.all([
      listed.length
        ? attempt('destination', about, () =>
            reader.listReferrers(
              destination.registry,
              destination.repository,
              subject.digest,
              filter,
              signal,
            ),
          )
        : undefined,
      Promise.all(
        tags.map((referrer) =>
          attempt('destination', `tag ${referrer.tag}`, () =>
            tagDigest(reader, destination, referrer.tag as string, signal),
          ),
        ),
      ),
    ]);
    const listedThere = new Set(destinationListing?.descriptors.map((descriptor) => descriptor.digest));
    const proven = (referrer: Found) =>
      destinationListing?.via === 'referrers-api' && listedThere.has(referrer.digest);
    const toHead = destinationListing ? listed.filter((referrer) => !proven(referrer)) : [];
    const present = await Promise.all(
      toHead.map((referrer) =>
        attempt('destination', `manifest ${short(referrer.digest)}`, () =>
          reader.manifestExists(destination.registry, destination.repository, referrer.digest, signal),
        ),
      ),
    );
    for (const referrer of listed) {
      const result = results.get(referrer) as ReferrerResult;
      if (proven(referrer)) {
        result.status = 'ok';
        continue;
      }
      const exists = present[toHead.indexOf(referrer)];
      if (exists === false) result.status = 'missing';
      else if (exists === true) result.status = listedThere.has(referrer.digest) ? 'ok' : 'unlisted';
    }
    tags.forEach((referrer, index) => {
      const digest = destinationTags[index];
      const result = results.get(referrer) as ReferrerResult;
      if (digest === null) result.status = 'missing';
      else if (digest === referrer.digest) result.status = 'ok';
      else if (typeof digest === 'string')
        Object.assign(result, { status: 'tag-moved', destinationDigest: digest });
    });
    return [...results.values()];
  };

  // The line's own manifest is looked at right away; its platforms are known from the verdict, except for
  // an identical mirror, whose index is read (from the destination: a GET there is no upstream pull).
  const platformSubjects = verdict.platforms
    .filter(
      (platform) => !platform.attestation && (platform.status === 'ok' || platform.status === 'blob-missing'),
    )
    .map((platform) => ({ label: platform.platform, digest: platform.sourceDigest }));
  const identical = verdict.destinationDigest === sourceDigest;
  const ownIsPlatform = verdict.platforms.some((platform) => platform.sourceDigest === sourceDigest);
  const own = ownIsPlatform
    ? undefined
    : referrersOf({ label: 'index', digest: sourceDigest, atDestination: identical });
  // Handled here too: if reading the index below is interrupted, this one's rejection is not left unhandled.
  own?.catch(() => undefined);
  let sourceIsIndex = !ownIsPlatform;
  let platforms = platformSubjects;
  if (identical && platformSubjects.length === 0) {
    const fetched = await attempt('destination', `manifest ${short(sourceDigest)}`, () =>
      reader.getManifest({ ...destination, digest: sourceDigest }, signal),
    );
    sourceIsIndex = fetched?.manifest.kind === 'index';
    platforms =
      fetched?.manifest.kind === 'index'
        ? fetched.manifest.manifests
            .filter((entry) => !isAttestation(entry) && selectedByFilter(entry.platform, options.filter))
            .map((entry) => ({
              label: entry.platform ? formatPlatform(entry.platform) : 'unknown',
              digest: entry.digest,
            }))
        : [];
  }
  const subjects = subjectsOf(verdict, platforms, sourceIsIndex);
  const top = subjects.find((subject) => subject.digest === sourceDigest);
  const lists = await Promise.all([
    // Awaited even when not a subject after all, so that its failure (an abort) is never left unhandled.
    own?.then((results) => (top ? results.map((result) => ({ ...result, subject: top.label })) : [])) ?? [],
    ...subjects.filter((subject) => subject.digest !== sourceDigest || !own).map(referrersOf),
  ]);
  return withReferrers(verdict, lists.flat(), errors);
}
