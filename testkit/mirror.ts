// The two ways users mirror, so tests can build correct mirrors, and ways to break them.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseManifest, type Descriptor, type Manifest } from '../src/registry/manifest.js';
import type { TestRegistry } from './registry.js';
import { digestOf, getManifestBytes, pushBlob, pushManifest, registryRequest } from './seed.js';

const run = promisify(execFile);

/** An empty auth file (committed, read only), so nothing the machine has configured leaks into skopeo. */
const emptyAuthFile = join(import.meta.dirname, 'fixtures', 'empty-auth.json');

/** Runs skopeo with the machine's own configuration kept out. */
export async function skopeo(args: string[]): Promise<{ stdout: Buffer; stderr: string }> {
  const { stdout, stderr } = await run('skopeo', args, {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, REGISTRY_AUTH_FILE: emptyAuthFile },
  });
  return { stdout, stderr: stderr.toString() };
}

const creds = (registry: TestRegistry) =>
  registry.username ? `${registry.username}:${registry.password}` : undefined;

export async function skopeoInspectRaw(registry: TestRegistry, reference: string): Promise<Buffer> {
  const credential = creds(registry);
  const { stdout } = await skopeo([
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--retry-times=0',
    ...(credential ? ['--creds', credential] : ['--no-creds']),
    `docker://${registry.host}/${reference}`,
  ]);
  return stdout;
}

/** `skopeo copy --all`: the destination keeps every digest. */
export async function mirrorIdentical(
  source: TestRegistry,
  sourceRef: string,
  destination: TestRegistry,
  destinationRef: string,
  options: { all?: boolean } = {},
): Promise<void> {
  const sourceCreds = creds(source);
  const destinationCreds = creds(destination);
  await skopeo([
    'copy',
    ...(options.all === false ? [] : ['--all']),
    '--preserve-digests',
    '--retry-times=0',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    ...(sourceCreds ? ['--src-creds', sourceCreds] : ['--src-no-creds']),
    ...(destinationCreds ? ['--dest-creds', destinationCreds] : []),
    `docker://${source.host}/${sourceRef}`,
    `docker://${destination.host}/${destinationRef}`,
  ]);
}

function splitRef(reference: string): { repository: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

async function copyBlob(
  source: TestRegistry,
  sourceRepo: string,
  destination: TestRegistry,
  destinationRepo: string,
  blob: Descriptor,
) {
  const response = await registryRequest(source, sourceRepo, 'GET', `blobs/${blob.digest}`);
  if (response.status !== 200) throw new Error(`mirror: GET blob ${blob.digest} ${response.status}`);
  await pushBlob(destination, destinationRepo, response.body);
}

/**
 * Copies one manifest (and its blobs) by digest, as `oras copy` or `regctl image copy` copy a referrer;
 * returns its parsed form.
 */
export async function copyImageManifest(
  source: TestRegistry,
  sourceRepo: string,
  destination: TestRegistry,
  destinationRepo: string,
  digest: string,
): Promise<Manifest> {
  const { bytes, mediaType } = await getManifestBytes(source, sourceRepo, digest);
  const manifest = parseManifest(bytes, mediaType);
  if (manifest.kind === 'image') {
    for (const blob of [manifest.config, ...manifest.layers])
      await copyBlob(source, sourceRepo, destination, destinationRepo, blob);
  }
  await pushManifest(destination, destinationRepo, digestOf(bytes), bytes, mediaType);
  return manifest;
}

/**
 * The hangar way: each selected platform manifest copied by digest, then a NEW OCI index listing only those
 * platforms (and their attestations when provenance is on). A single-platform source becomes a one-entry index.
 */
export async function mirrorRebuilt(
  source: TestRegistry,
  sourceRef: string,
  destination: TestRegistry,
  destinationRef: string,
  options: { arch?: string[]; os?: string[]; provenance?: boolean } = {},
): Promise<{ digest: string; manifests: Descriptor[] }> {
  const arch = options.arch ?? ['amd64', 'arm64'];
  const os = options.os ?? ['linux', 'windows'];
  const from = splitRef(sourceRef);
  const to = splitRef(destinationRef);
  const { bytes, mediaType } = await getManifestBytes(source, from.repository, from.tag);
  const manifest = parseManifest(bytes, mediaType);
  let entries: Descriptor[];
  if (manifest.kind === 'index') {
    const selected = manifest.manifests.filter(
      (entry) =>
        entry.platform &&
        entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        (!entry.platform.architecture || arch.includes(entry.platform.architecture)) &&
        (!entry.platform.os || os.includes(entry.platform.os)),
    );
    const selectedDigests = new Set(selected.map((entry) => entry.digest));
    const attestations =
      options.provenance === false
        ? []
        : manifest.manifests.filter((entry) =>
            selectedDigests.has(entry.annotations?.['vnd.docker.reference.digest'] ?? ''),
          );
    entries = [...selected, ...attestations];
  } else {
    const configResponse =
      manifest.kind === 'image'
        ? await registryRequest(source, from.repository, 'GET', `blobs/${manifest.config.digest}`)
        : undefined;
    const config = configResponse
      ? (JSON.parse(configResponse.body.toString()) as Record<string, string>)
      : {};
    entries = [
      {
        mediaType,
        digest: digestOf(bytes),
        size: bytes.length,
        platform: {
          os: config.os ?? '',
          architecture: config.architecture ?? '',
          ...(config.variant ? { variant: config.variant } : {}),
        },
      },
    ];
  }
  for (const entry of entries)
    await copyImageManifest(source, from.repository, destination, to.repository, entry.digest);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries,
      // A rebuilt index is a new document: its digest is never the source's.
      annotations: { 'org.opencontainers.image.ref.name': destinationRef },
    }),
  );
  const pushed = await pushManifest(
    destination,
    to.repository,
    to.tag,
    index,
    'application/vnd.oci.image.index.v1+json',
  );
  return { digest: pushed.digest, manifests: entries };
}

/** A digest-identical copy through the registry API (what skopeo copy --all leaves), children and blobs included. */
export async function mirrorByApi(
  source: TestRegistry,
  sourceRef: string,
  destination: TestRegistry,
  destinationRef: string,
): Promise<void> {
  const from = splitRef(sourceRef);
  const to = splitRef(destinationRef);
  const { bytes, mediaType } = await getManifestBytes(source, from.repository, from.tag);
  const manifest = parseManifest(bytes, mediaType);
  if (manifest.kind === 'index') {
    for (const entry of manifest.manifests) {
      await copyImageManifest(source, from.repository, destination, to.repository, entry.digest);
    }
  } else if (manifest.kind === 'image') {
    for (const blob of [manifest.config, ...manifest.layers]) {
      await copyBlob(source, from.repository, destination, to.repository, blob);
    }
  }
  await pushManifest(destination, to.repository, to.tag, bytes, mediaType);
}
