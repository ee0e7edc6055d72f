// Platforms compared the way containerd normalises them. Pure.
import type { Descriptor, Platform } from '../../registry/manifest.js';
import type { PlatformFilter } from './options.js';

const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
};

/** arm64/v8 is arm64, amd64/v1 is amd64, arm without a variant is arm/v7; architecture aliases resolved. */
export function normalisePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase();
  const alias = ARCH_ALIASES[architecture];
  if (alias) {
    architecture = alias.architecture;
    variant = variant || alias.variant;
  }
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'amd64' && (variant === 'v1' || variant === '1')) variant = undefined;
  if (architecture === 'arm' && !variant) variant = 'v7';
  if (variant && /^\d+$/.test(variant)) variant = `v${variant}`;
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
  if (p.os && !filter.os.map((value) => value.toLowerCase()).includes(p.os)) return false;
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
