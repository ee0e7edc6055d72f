// Platforms compared the way containerd normalises them. Pure.
import type { Descriptor, Platform } from '../../registry/manifest.js';
import type { PlatformFilter } from '../../config/settings.js';

/**
 * containerd's normalisation, which is what a node runs when it picks a platform from an index
 * (containerd/platforms database.go, normalizeOS lines 62-73 and normalizeArch lines 75-111, at 09756f5):
 * - OS lowercased; `macos` is `darwin`.
 * - `i386` is `386` (any variant dropped); `x86_64`, `x86-64` are `amd64`, whose `v1` is the default.
 * - `aarch64` is `arm64`; its default variant is v8, so `8`, `v8` and `v8.0` are no variant, and `9`, `9.0`,
 *   `v9.0` are `v9`.
 * - `armhf` is `arm/v7` and `armel` is `arm/v6`, whatever variant was written; `arm` without a variant, or
 *   with `7`, is `arm/v7`, and `5`, `6`, `8` are `v5`, `v6`, `v8`.
 * Anything else is kept as written, lowercased. regclient (types/platform/platform.go, normalize) agrees
 * except that it knows no `v8.0` or v9 spellings; go-containerregistry compares without normalising.
 */
export function normalisePlatform(platform: Platform): Platform {
  let os = platform.os.toLowerCase();
  if (os === 'macos') os = 'darwin';
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase() || undefined;
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = undefined;
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = undefined;
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === undefined || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return {
    os,
    architecture,
    ...(variant ? { variant } : {}),
    ...(platform['os.version'] ? { 'os.version': platform['os.version'] } : {}),
  };
}

/** `linux/arm/v7`, `windows/amd64 10.0.20348.1`. */
export function formatPlatform(platform: Platform): string {
  const p = normalisePlatform(platform);
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}${p['os.version'] ? ` ${p['os.version']}` : ''}`;
}

const FIELDS = ['os', 'architecture', 'variant', 'os.version'] as const;

/** The first field in which two platforms differ after normalisation, with both values; undefined when equal. */
export function platformDifference(
  a: Platform,
  b: Platform,
): { field: (typeof FIELDS)[number]; source: string; destination: string } | undefined {
  const left = normalisePlatform(a);
  const right = normalisePlatform(b);
  for (const field of FIELDS) {
    const source = left[field] ?? '';
    const destination = right[field] ?? '';
    if (source !== destination) return { field, source, destination };
  }
  return undefined;
}

export const samePlatform = (a: Platform, b: Platform) => platformDifference(a, b) === undefined;

/** hangar's filter: an entry passes when each field is empty or listed; an empty variant list means any. */
export function selectedByFilter(platform: Platform | undefined, filter: PlatformFilter): boolean {
  if (!platform) return true;
  const p = normalisePlatform(platform);
  const arch = filter.arch.map((value) => normalisePlatform({ os: '', architecture: value }).architecture);
  if (p.architecture && !arch.includes(p.architecture)) return false;
  const os = filter.os.map((value) => normalisePlatform({ os: value, architecture: '' }).os);
  if (p.os && !os.includes(p.os)) return false;
  if (
    filter.variant.length > 0 &&
    p.variant &&
    !filter.variant.map((value) => value.toLowerCase()).includes(p.variant)
  ) {
    return false;
  }
  return true;
}

/** buildkit's attestation entries: platform unknown/unknown, marked by annotation. Never a platform. */
export function isAttestation(entry: Descriptor): boolean {
  return entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
}

/** The child an attestation entry describes. */
export const attestedDigest = (entry: Descriptor) => entry.annotations?.['vnd.docker.reference.digest'];
