// A demonstration run: an upstream and a mirror registry on 127.0.0.1, mirrored the ways users mirror
// (skopeo copy --all, and hangar's rebuilt index), a few images broken on purpose, then the committed
// command-line bundle validates the list. The upstream answers as Docker Hub does (token service on another
// host, anonymous tokens, 401 for a repository that does not exist) and the mirror as Harbor does (a robot
// account, 401 for a repository it lacks): testkit/profiles.ts. Exits 0 when every line got its verdict.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorIdentical, mirrorRebuilt } from '../testkit/mirror.js';
import { startFront } from '../testkit/front.js';
import { profileByName } from '../testkit/profiles.js';
import { startRegistry } from '../testkit/registry.js';
import { deleteManifest, linux, pushImage, pushIndex, seedStandardImages } from '../testkit/seed.js';
import { pushCosignTag } from '../testkit/signatures.js';

const cli = join(import.meta.dirname, '..', 'dist', 'cli', 'index.js');

const upstream = await startRegistry('plain');
const mirror = await startRegistry('plain');
const harbor = profileByName('harbor');
const [hub, harborFront] = await Promise.all([
  startFront({
    profile: profileByName('docker-hub'),
    backendUrl: upstream.url,
    users: [],
    publicPrefixes: ['upstream/'],
  }),
  startFront({ profile: harbor, backendUrl: mirror.url, users: [{ ...harbor.user, readable: ['mirror/'] }] }),
]);
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-demo-'));
try {
  console.log(
    `upstream registry: ${hub.url} (answers as Docker Hub; token service at ${hub.tokenHost})\n` +
      `mirror registry:   ${harborFront.url} (answers as Harbor; robot account ${harbor.user.username})\n`,
  );
  const images = await seedStandardImages(upstream, 'upstream');
  await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'mirror/multi:1.0');
  await mirrorRebuilt(upstream, 'upstream/attested:1.0', mirror, 'mirror/attested:1.0');
  await mirrorRebuilt(upstream, 'upstream/single-oci:1.0', mirror, 'mirror/single-oci:1.0');
  await mirrorRebuilt(upstream, 'upstream/windows:1.0', mirror, 'mirror/windows:1.0');
  await mirrorIdentical(upstream, 'upstream/chart:1.0', mirror, 'mirror/chart:1.0');
  // Broken on purpose: an index whose arm64 manifest was lost, and an image whose upstream moved.
  await mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'mirror/dangling:1.0');
  await deleteManifest(mirror, 'mirror/dangling', images.dockerList.children[1]!.digest);
  const stale = await Promise.all([
    pushImage(mirror, 'mirror/stale', undefined, { platform: linux('amd64'), format: 'docker' }),
    pushImage(mirror, 'mirror/stale', undefined, { platform: linux('arm64'), format: 'docker' }),
  ]);
  await pushIndex(mirror, 'mirror/stale', '1.0', stale);
  // Signed the cosign way (a .sig tag); mirrored once with its signature, once without.
  const signature = await pushCosignTag(upstream, 'upstream/multi', images.dockerList.digest, 'sig');
  await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'mirror/signed:1.0');
  await mirrorIdentical(
    upstream,
    `upstream/multi:${signature.tag}`,
    mirror,
    `mirror/signed:${signature.tag}`,
  );
  await mirrorIdentical(upstream, `upstream/multi:${signature.tag}`, mirror, `mirror/multi:${signature.tag}`);
  await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'mirror/unsigned:1.0');

  const expected: [string, string][] = [
    ['upstream/multi mirror/multi 1.0', 'passed identical'],
    ['upstream/attested mirror/attested 1.0', 'passed platforms'],
    ['upstream/single-oci mirror/single-oci 1.0', 'passed platforms'],
    ['upstream/windows mirror/windows 1.0', 'passed platforms'],
    ['upstream/chart mirror/chart 1.0', 'passed identical'],
    ['upstream/single-docker mirror/single-docker 1.0', 'failed destination-missing'],
    ['upstream/multi mirror/signed 1.0', 'passed identical'],
    ['upstream/multi mirror/unsigned 1.0', 'failed referrer-missing'],
    ['upstream/multi mirror/dangling 1.0', 'failed manifest-missing'],
    ['upstream/multi mirror/stale 1.0', 'failed digest-mismatch'],
    ['upstream/never-published mirror/never-published 1.0', 'failed source-missing'],
    ['Upstream/Typo mirror/typo 1.0', 'skipped invalid-line'],
  ];
  const listFile = join(work, 'images.txt');
  await writeFile(
    listFile,
    ['# demo list: SOURCE DEST TAG', ...expected.map(([line]) => line), ''].join('\n'),
  );
  const args = [
    cli,
    '-f',
    listFile,
    '-s',
    hub.host,
    '-d',
    harborFront.host,
    '--tls-verify=false',
    '--insecure-registries',
    harborFront.host,
    '-j',
    '10',
    '-o',
    join(work, 'failed.txt'),
    '--report',
    join(work, 'report.json'),
    '--destination-username',
    harbor.user.username,
    '--referrers',
    'sig',
  ];
  console.log(`$ mirror-validate ${args.slice(1).join(' ')}\n`);
  const exitCode = await new Promise<number>((resolve) => {
    const child = execFile('node', args, {
      env: { ...process.env, MIRROR_VALIDATE_DESTINATION_PASSWORD: harbor.user.password },
    });
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
    child.on('exit', (code) => resolve(code ?? 1));
  });
  console.log(`\nexit status ${exitCode} (1: some lines failed, as built)`);
  console.log(
    `\nfailed list (${join(work, 'failed.txt')}):\n${await readFile(join(work, 'failed.txt'), 'utf8')}`,
  );
  const report = JSON.parse(await readFile(join(work, 'report.json'), 'utf8')) as {
    results: { raw: string; status: string; rule?: string; reason?: string }[];
    requests: Record<string, { byMethod: Record<string, number>; tokenRequests: number }>;
  };
  for (const [registry, stats] of Object.entries(report.requests)) {
    console.log(`requests to ${registry}: ${JSON.stringify(stats.byMethod)}, tokens ${stats.tokenRequests}`);
  }
  const got = report.results.map((result) => `${result.status} ${result.rule ?? result.reason}`);
  const wrong = expected.filter(([, verdict], index) => got[index] !== verdict);
  if (exitCode !== 1 || wrong.length > 0) {
    console.error(`\ndemo: unexpected verdicts: ${JSON.stringify(wrong)} got ${JSON.stringify(got)}`);
    process.exitCode = 1;
  } else {
    console.log(`\ndemo: all ${expected.length} lines got the verdict they should.`);
  }
} finally {
  await Promise.all([hub.close(), harborFront.close()]);
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
