// WAN benchmark, run on demand (`npm run bench:wan -- --images 1000 --rtt 40`), never by the test command.
// The same seeded images (bench/images.ts) served by three pairs of real distribution registries that read the
// same storage: anonymous over HTTP, Basic auth over HTTPS, Bearer token auth with a token service of their own.
// Every registry and token service sits behind a TCP relay (testkit/relay.ts) that holds each direction RTT/2.
// Side by side in one run, at one concurrency:
//   - this tool (the committed CLI bundle) for each auth, over the digest-identical and the rebuilt mirror;
//   - the floor for the identical mirror: N / jobs × RTT (one round trip per image, both HEADs at once);
//   - curl --parallel firing the same manifest HEADs (both sides, 2 × jobs at once) through the same relays.
// Prints a table and appends it to bench/RESULTS.md.
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { MediaType } from '../src/registry/manifest.js';
import { startRegistry, type RegistryKind, type TestRegistry } from '../testkit/registry.js';
import { startRelay, type Relay } from '../testkit/relay.js';
import { machineBusy, machineLine, markdownTable, runTool, seedBench } from './images.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '20' },
    rtt: { type: 'string', default: '40' },
  },
});
const IMAGES = Number(values.images);
const JOBS = Number(values.jobs);
const RTT = Number(values.rtt);

interface Side {
  registry: TestRegistry;
  relay: Relay;
}
interface Pair {
  auth: 'anonymous' | 'Basic' | 'Bearer';
  upstream: Side;
  mirror: Side;
  tokenRelays: Relay[];
}

/** The registries' garbage collector runs less often: their CPU here is not the tool's (testkit/registry.ts). */
const GOGC = 800;
const relays: Relay[] = [];
const registries: TestRegistry[] = [];
const relay = async (host: string) => {
  const started = await startRelay(host, RTT);
  relays.push(started);
  return started;
};

/** A registry of this kind over `storageDir`, its token service (if any) and itself behind relays. */
async function side(kind: RegistryKind, storageDir: string, tokenRelays: Relay[]): Promise<Side> {
  const registry = await startRegistry(kind, {
    storageDir,
    gogc: GOGC,
    tokenRealm: async (url) => {
      const parsed = new URL(url);
      const front = await relay(parsed.host);
      tokenRelays.push(front);
      parsed.host = front.host;
      return parsed.toString();
    },
  });
  registries.push(registry);
  return { registry, relay: await relay(registry.host) };
}

/** The tool's flags for a pair: the relays' addresses, credentials, and how to trust their TLS. */
async function flagsFor(pair: Pair, work: string): Promise<string[]> {
  const flags: string[] = [];
  for (const [role, one] of [
    ['source', pair.upstream],
    ['destination', pair.mirror],
  ] as const) {
    if (one.registry.username)
      flags.push(`--${role}-username`, one.registry.username, `--${role}-password`, one.registry.password!);
  }
  if (pair.auth === 'Basic') {
    // The relays are 127.0.0.1 too, so the registries' certificates (issued for 127.0.0.1) verify through them.
    const bundle = join(work, 'ca.pem');
    await writeFile(
      bundle,
      (await readFile(pair.upstream.registry.caCertFile!, 'utf8')) +
        (await readFile(pair.mirror.registry.caCertFile!, 'utf8')),
    );
    flags.push('--ca-file', bundle);
  } else {
    flags.push('--tls-verify=false');
    // The token services speak plain HTTP here: credentials may go to them only for registries listed.
    if (pair.auth === 'Bearer')
      flags.push('--insecure-registries', `${pair.upstream.relay.host},${pair.mirror.relay.host}`);
  }
  return flags;
}

/** curl --parallel: the same manifest HEADs the identical run needs, 2 × jobs at once, through the relays. */
async function runCurl(work: string, pair: Pair, prefix: string): Promise<{ seconds: number; ok: number }> {
  const accept = [
    MediaType.ociIndex,
    MediaType.dockerManifestList,
    MediaType.ociManifest,
    MediaType.dockerManifest,
  ];
  const config = join(work, 'curl.cfg');
  const lines: string[] = [];
  for (let i = 0; i < IMAGES; i += 1) {
    for (const [host, path] of [
      [pair.upstream.relay.host, `bench/image-${i}`],
      [pair.mirror.relay.host, `${prefix}/image-${i}`],
    ]) {
      lines.push(`url = "http://${host}/v2/${path}/manifests/1.0"`, 'output = "/dev/null"');
    }
  }
  await writeFile(config, lines.join('\n') + '\n');
  const started = process.hrtime.bigint();
  const { stdout } = await run(
    'curl',
    [
      '--parallel',
      '--parallel-immediate',
      '--parallel-max',
      String(2 * JOBS),
      '--head',
      '--silent',
      '-H',
      `Accept: ${accept.join(', ')}`,
      '-w',
      '%{http_code}\\n',
      '-K',
      config,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, ok: stdout.split('\n').filter((code) => code === '200').length };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

const upstream = await startRegistry('plain');
const mirror = await startRegistry('plain');
registries.push(upstream, mirror);
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-wan-'));
try {
  const { identicalList, rebuiltList } = await seedBench(upstream, mirror, IMAGES, work);
  const pairs: Pair[] = [];
  for (const [auth, kind] of [
    ['anonymous', 'plain'],
    ['Basic', 'basic-tls'],
    ['Bearer', 'token'],
  ] as const) {
    const tokenRelays: Relay[] = [];
    pairs.push({
      auth,
      upstream: await side(kind, upstream.storageDir, tokenRelays),
      mirror: await side(kind, mirror.storageDir, tokenRelays),
      tokenRelays,
    });
  }
  const floor = (IMAGES / JOBS) * (RTT / 1000);
  const curl = await runCurl(work, pairs[0]!, 'same');
  if (curl.ok !== 2 * IMAGES) throw new Error(`curl: only ${curl.ok} of ${2 * IMAGES} HEADs answered 200`);
  const curlRate = IMAGES / curl.seconds;
  console.log(`curl --parallel: ${curl.seconds.toFixed(2)} s, ${curlRate.toFixed(0)} images/s`);

  const rows: string[][] = [];
  const anonymousSeconds: Record<string, number> = {};
  for (const [style, list] of [
    ['digest-identical', identicalList],
    ['rebuilt index', rebuiltList],
  ] as const) {
    for (const pair of pairs) {
      const flags = await flagsFor(pair, work);
      const busy = await machineBusy();
      const tool = await runTool(work, list, pair.upstream.relay.host, pair.mirror.relay.host, JOBS, flags);
      const cpu = await busy();
      if (tool.report.totals.passed !== IMAGES)
        throw new Error(`${style}, ${pair.auth}: only ${tool.report.totals.passed} of ${IMAGES} passed`);
      // The engine's own time, list read to last verdict (Node's start and the report writing aside).
      const seconds = (Date.parse(tool.report.finishedAt) - Date.parse(tool.report.startedAt)) / 1000;
      if (pair.auth === 'anonymous') anonymousSeconds[style] = seconds;
      const { perLine } = tool.report;
      // Sequential round trips per image on the critical path: each job handles IMAGES / JOBS images.
      const roundTrips = seconds / ((IMAGES / JOBS) * (RTT / 1000));
      rows.push([
        style,
        pair.auth,
        `${seconds.toFixed(2)} s`,
        (IMAGES / seconds).toFixed(0),
        roundTrips.toFixed(2),
        style === 'digest-identical' ? `${(seconds / floor).toFixed(2)}×` : '',
        `${(seconds / (anonymousSeconds[style] ?? seconds)).toFixed(2)}×`,
        style === 'digest-identical' && pair.auth === 'anonymous'
          ? `${((IMAGES / seconds / curlRate) * 100).toFixed(0)}%`
          : '',
        perLine.requests.toFixed(2),
        perLine.tokenRequests.toFixed(3),
        String(sum(pair.tokenRelays.map((r) => r.connections)) || ''),
        `${(cpu * 100).toFixed(0)}%`,
      ]);
      console.log(rows.at(-1)!.join(' | '));
    }
  }
  // The critical path of one image, free of start-up and of other jobs: one job, 1 line and then 21 lines,
  // the difference over 20 images is one image's time. Measured at RTT and at 2 × RTT: the growth over RTT is
  // the sequential round trips an image costs, and what is left at RTT is the registries' and the tool's own
  // time (round trips × RTT + fixed cost = one image's time).
  const critical: string[] = [];
  for (const [style, list] of [
    ['digest-identical', identicalList],
    ['rebuilt index', rebuiltList],
  ] as const) {
    const lines = (await readFile(list, 'utf8')).split('\n');
    const engineSeconds = async (count: number) => {
      const head = join(work, `head-${count}.txt`);
      await writeFile(head, lines.slice(0, count).join('\n') + '\n');
      const pair = pairs[0]!;
      const tool = await runTool(work, head, pair.upstream.relay.host, pair.mirror.relay.host, 1, [
        '--tls-verify=false',
      ]);
      return (Date.parse(tool.report.finishedAt) - Date.parse(tool.report.startedAt)) / 1000;
    };
    const perImage = async (rtt: number) => {
      for (const one of relays) one.rttMs = rtt;
      const first = await engineSeconds(1);
      return ((await engineSeconds(21)) - first) / 20;
    };
    const atRtt = await perImage(RTT);
    const atDouble = await perImage(2 * RTT);
    for (const one of relays) one.rttMs = RTT;
    const roundTrips = (atDouble - atRtt) / (RTT / 1000);
    critical.push(
      `${style} ${roundTrips.toFixed(2)} (${(atRtt * 1000).toFixed(1)} ms an image at ${RTT} ms, ${(atDouble * 1000).toFixed(1)} ms at ${2 * RTT} ms; fixed cost ${((atRtt - (roundTrips * RTT) / 1000) * 1000).toFixed(1)} ms)`,
    );
  }
  console.log(`critical path, round trips per image at 1 job: ${critical.join(', ')}`);

  const header = [
    'mirror',
    'auth',
    'wall (engine)',
    'images/s',
    'round trips/image',
    'to floor',
    'to anonymous',
    'of curl rate',
    'requests/image',
    'tokens/image',
    'token-service connections',
    'machine CPU busy',
  ];
  const table = markdownTable(header, rows);
  const machine = machineLine();
  const text = [
    '',
    `WAN run ${new Date().toISOString()} on ${machine}, \`npm run bench:wan -- --images ${IMAGES} --jobs ${JOBS} --rtt ${RTT}\`.`,
    `${IMAGES} images, ${JOBS} jobs, every registry and token service behind a relay adding ${RTT} ms of round-trip time (TCP handshake included).`,
    `Floor for the identical mirror: ${IMAGES} / ${JOBS} × ${RTT} ms = ${floor.toFixed(2)} s. curl --parallel (${2 * JOBS} at once, HEADs of both sides, anonymous relays): ${curl.seconds.toFixed(2)} s, ${curlRate.toFixed(0)} images/s.`,
    'Round trips per image = wall × jobs / (images × RTT): the sequential round trips each image cost on its job.',
    `Critical path of one image, anonymous (one job; 21 lines minus 1 line over 20 images, at RTT and at 2 × RTT; round trips = the growth over RTT): ${critical.join('; ')}.`,
    `Registries run with GOGC=${GOGC}: they stand in for servers on other machines, whose CPU a runner does not pay.`,
    'Machine CPU busy: both cores, over the run (the registries, the relays and the tool share them).',
    '',
    table,
    '',
  ].join('\n');
  console.log(`\n${table}`);
  await appendFile(join(root, 'bench', 'RESULTS.md'), text);
} finally {
  await Promise.all(relays.map((r) => r.close()));
  await Promise.all(registries.map((r) => r.stop()));
  await rm(work, { recursive: true, force: true });
}
