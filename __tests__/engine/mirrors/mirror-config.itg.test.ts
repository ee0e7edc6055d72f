// Workloads checked at the mirror the cluster's own configuration sends them to, against real registries: one
// upstream and two mirrors (distribution), populated with skopeo. The same mirror rule written in each format
// the runtimes read gives the same verdicts; mirror-policy all fails only the mirror that lacks an image; a tag
// under a digest-only rule and an image no rule covers fail with their own reasons and cost no request.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_VALIDATE_OPTIONS, type RunSettings } from '../../../src/config/settings.js';
import { runEngine } from '../../../src/engine/engine.js';
import type { LineResult } from '../../../src/engine/validate/result.js';
import { writeResultFiles } from '../../../src/report/files.js';
import { buildJsonReport } from '../../../src/report/json-report.js';
import { schemaErrors } from '../../../testkit/report-schema.js';
import { mirrorIdentical } from '../../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import {
  digestOf,
  getManifestBytes,
  linux,
  pushImage,
  pushManifest,
  pushMultiPlatform,
} from '../../../testkit/seed.js';

let upstream: TestRegistry;
let mirrorA: TestRegistry;
let mirrorB: TestRegistry;
let dir: string;
let webDigest: string;

beforeAll(async () => {
  [upstream, mirrorA, mirrorB] = await Promise.all([
    startRegistry('plain'),
    startRegistry('plain'),
    startRegistry('plain'),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'mv-mirrors-'));
  await pushMultiPlatform(upstream, 'app/web', '1.0', [linux('amd64'), linux('arm64')]);
  await pushImage(upstream, 'app/worker', '1.0', { platform: linux('amd64') });
  await pushImage(upstream, 'app/init', '1.0', { platform: linux('amd64') });
  webDigest = digestOf((await getManifestBytes(upstream, 'app/web', '1.0')).bytes);
  // web in both mirrors, worker only in A, init never mirrored.
  await mirrorIdentical(upstream, 'app/web:1.0', mirrorA, 'app/web:1.0');
  await mirrorIdentical(upstream, 'app/web:1.0', mirrorB, 'app/web:1.0');
  await mirrorIdentical(upstream, 'app/worker:1.0', mirrorA, 'app/worker:1.0');
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirrorA?.stop(), mirrorB?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** A Deployment, a CronJob with an initContainer, and a Pod naming an image on a registry no rule covers. */
const manifests = () => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: ${upstream.host}/app/web:1.0
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: prepare
              image: ${upstream.host}/app/init:1.0
          containers:
            - name: worker
              image: ${upstream.host}/app/worker:1.0
---
apiVersion: v1
kind: Pod
metadata:
  name: pinned
spec:
  containers:
    - name: web
      image: ${upstream.host}/app/web@${webDigest}
    - name: elsewhere
      image: localhost:${upstream.host.split(':')[1]}/app/web:1.0
`;

async function validate(name: string, mirrorPaths: string[], extra: Partial<RunSettings> = {}) {
  const listFile = join(dir, `${name}.yaml`);
  await writeFile(listFile, manifests());
  const failedFile = join(dir, `${name}.failed`);
  const logs: string[] = [];
  return runEngine(
    {
      listFile,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 4,
      tls: { verify: true, insecureRegistries: [upstream.host] },
      imageTimeoutMs: 20_000,
      env: { HOME: dir },
      mirrors: { paths: mirrorPaths, policy: 'first' },
      ...extra,
    },
    { log: (line) => logs.push(line) },
    async (report) => {
      await writeResultFiles(report, { failedFile });
      return {
        results: report.results.toArray(),
        failed: await readFile(failedFile, 'utf8'),
        report,
        logs,
        json: buildJsonReport(report),
      };
    },
  );
}

const outcome = (result: LineResult) =>
  `${result.line} ${result.source} -> ${result.destination ?? '-'} ${result.status}${result.status === 'passed' ? '' : ` ${result.reason}`}`;

/** The same rule in each format: pulls of the upstream go to mirror A (tags and digests), over plain HTTP. */
async function configs(): Promise<Record<string, string[]>> {
  const root = join(dir, 'configs');
  const certs = join(root, 'certs.d');
  await mkdir(join(certs, upstream.host), { recursive: true });
  // containerd: the folder is the registry's host:port, the mirror an http host (docs/hosts.md:232-236).
  await writeFile(
    join(certs, upstream.host, 'hosts.toml'),
    `server = "http://${upstream.host}"\n\n[host."http://${mirrorA.host}"]\n  capabilities = ["pull", "resolve"]\n`,
  );
  const conf = join(root, 'registries.conf');
  await writeFile(
    conf,
    `[[registry]]\nlocation = "${upstream.host}"\ninsecure = true\n\n[[registry.mirror]]\nlocation = "${mirrorA.host}"\ninsecure = true\n`,
  );
  const k3s = join(root, 'registries.yaml');
  await writeFile(k3s, `mirrors:\n  "${upstream.host}":\n    endpoint:\n      - "http://${mirrorA.host}"\n`);
  const sets = join(root, 'mirror-sets.yaml');
  await writeFile(
    sets,
    ['ImageDigestMirrorSet', 'ImageTagMirrorSet']
      .map(
        (kind) =>
          `apiVersion: config.openshift.io/v1\nkind: ${kind}\nmetadata:\n  name: app-${kind.toLowerCase()}\nspec:\n  ${kind === 'ImageDigestMirrorSet' ? 'imageDigestMirrors' : 'imageTagMirrors'}:\n  - source: ${upstream.host}\n    mirrors:\n    - ${mirrorA.host}\n`,
      )
      .join('---\n') +
      // The cluster's image configuration marks the plain-HTTP mirror insecure, as the nodes are told.
      `---\napiVersion: config.openshift.io/v1\nkind: Image\nmetadata:\n  name: cluster\nspec:\n  registrySources:\n    insecureRegistries:\n    - ${mirrorA.host}\n`,
  );
  return { containerd: [certs], 'registries.conf': [conf], k3s: [k3s], openshift: [sets] };
}

describe('mirror-config', () => {
  test('every format that expresses the same mirror rule gives the same verdicts, line by line', async () => {
    const expected = [
      `11 ${upstream.host}/app/web:1.0 -> ${mirrorA.host}/app/web:1.0 passed`,
      `25 ${upstream.host}/app/init:1.0 -> ${mirrorA.host}/app/init:1.0 failed destination-missing`,
      `28 ${upstream.host}/app/worker:1.0 -> ${mirrorA.host}/app/worker:1.0 passed`,
      `37 ${upstream.host}/app/web@${webDigest} -> ${mirrorA.host}/app/web@${webDigest} passed`,
      `39 localhost:${upstream.host.split(':')[1]}/app/web:1.0 -> - failed not-mirrored`,
    ];
    const seen: Record<string, string[]> = {};
    for (const [kind, paths] of Object.entries(await configs())) {
      const run = await validate(`same-${kind}`, paths, {
        // Only the mirror config says the mirror is plain HTTP: nothing else marks it insecure.
        tls: { verify: true, insecureRegistries: [upstream.host] },
      });
      seen[kind] = run.results.map(outcome);
      if (process.env.DEBUG_MIRRORS)
        console.log(
          kind,
          run.results.map((r) => `${outcome(r)} ${r.detail}`),
          run.logs,
        );
      // The image no rule covers is never asked for: no request reached localhost.
      expect(Object.keys(run.report.requests)).not.toContain(`localhost:${upstream.host.split(':')[1]}`);
      // The failed file: the references the workloads name that would not start, the uncovered one too.
      expect(run.failed.split('\n').filter(Boolean).sort()).toEqual(
        [`${upstream.host}/app/init:1.0`, `localhost:${upstream.host.split(':')[1]}/app/web:1.0`].sort(),
      );
    }
    expect(seen).toEqual({
      containerd: expected,
      'registries.conf': expected,
      k3s: expected,
      openshift: expected,
    });
    // A failure says which workloads would not start.
    const run = await validate('workloads', (await configs())['registries.conf'] as string[]);
    expect(run.results.find((result) => result.line === 25)?.workloads).toEqual(['25 CronJob nightly']);
    expect(run.results.find((result) => result.line === 39)?.workloads).toEqual(['39 Pod pinned']);
    // The report holds to its schema (format, mirror, workloads, notChecked).
    expect(schemaErrors(run.json)).toEqual([]);
  });

  test('mirror-policy all: a line per mirror in pull order, and only the mirror lacking the image fails', async () => {
    const conf = join(dir, 'two-mirrors.conf');
    await writeFile(
      conf,
      `[[registry]]\nlocation = "${upstream.host}"\n[[registry.mirror]]\nlocation = "${mirrorA.host}"\ninsecure = true\n[[registry.mirror]]\nlocation = "${mirrorB.host}"\ninsecure = true\n`,
    );
    const all = await validate('policy-all', [conf], { mirrors: { paths: [conf], policy: 'all' } });
    const worker = all.results.filter((result) => result.source === `${upstream.host}/app/worker:1.0`);
    expect(worker.map(outcome)).toEqual([
      `28 ${upstream.host}/app/worker:1.0 -> ${mirrorA.host}/app/worker:1.0 passed`,
      `28 ${upstream.host}/app/worker:1.0 -> ${mirrorB.host}/app/worker:1.0 failed destination-missing`,
    ]);
    expect(worker[1]?.mirror).toBe(
      `${conf}:6 [[registry.mirror]] (${upstream.host}: mirror 2 of 2 in pull order)`,
    );
    const web = all.results.filter((result) => result.source === `${upstream.host}/app/web:1.0`);
    expect(web.map((result) => result.status)).toEqual(['passed', 'passed']);
    // first: mirror A alone decides, so the worker passes.
    const first = await validate('policy-first', [conf]);
    expect(
      first.results.filter((result) => result.source === `${upstream.host}/app/worker:1.0`).map(outcome),
    ).toEqual([`28 ${upstream.host}/app/worker:1.0 -> ${mirrorA.host}/app/worker:1.0 passed`]);
  });

  test('a tag under a digest-only rule fails reference-not-mirrored with no request; the digest reference passes', async () => {
    const conf = join(dir, 'digest-only.conf');
    await writeFile(
      conf,
      `[[registry]]\nlocation = "${upstream.host}"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "${mirrorA.host}"\ninsecure = true\n`,
    );
    const run = await validate('digest-only', [conf]);
    expect(run.results.map(outcome)).toEqual([
      `11 ${upstream.host}/app/web:1.0 -> - failed reference-not-mirrored`,
      `25 ${upstream.host}/app/init:1.0 -> - failed reference-not-mirrored`,
      `28 ${upstream.host}/app/worker:1.0 -> - failed reference-not-mirrored`,
      `37 ${upstream.host}/app/web@${webDigest} -> ${mirrorA.host}/app/web@${webDigest} passed`,
      `39 localhost:${upstream.host.split(':')[1]}/app/web:1.0 -> - failed not-mirrored`,
    ]);
    // One source read for the one digest line: the tags cost nothing.
    expect(run.report.requests[upstream.host]?.manifestHeads ?? 0).toBeLessThanOrEqual(1);
  });

  test('an unreachable mirror is not checked, never missing: counted apart', async () => {
    const conf = join(dir, 'dead.conf');
    await writeFile(
      conf,
      `[[registry]]\nlocation = "${upstream.host}"\n[[registry.mirror]]\nlocation = "127.0.0.1:9"\ninsecure = true\n`,
    );
    const run = await validate('dead', [conf], { imageTimeoutMs: 10_000 });
    const tags = run.results.filter((result) => result.source?.startsWith(upstream.host));
    expect(tags.map((result) => (result.status === 'failed' ? result.reason : result.status))).toEqual([
      'unreachable',
      'unreachable',
      'unreachable',
      'unreachable',
    ]);
    expect(run.report.totals).toMatchObject({ failed: 5, notChecked: 4 });
  });

  test('10,000 workloads naming 500 images: each image checked once, one HEAD on each side', async () => {
    // 500 tags of one image (a PUT of the same manifest per tag), on the upstream and on mirror A.
    await pushImage(upstream, 'app/many', 'base', { platform: linux('amd64') });
    await mirrorIdentical(upstream, 'app/many:base', mirrorA, 'app/many:base');
    const { bytes, mediaType } = await getManifestBytes(upstream, 'app/many', 'base');
    for (let at = 0; at < 500; at += 50)
      await Promise.all(
        Array.from({ length: 50 }, async (_, index) => {
          await pushManifest(upstream, 'app/many', `t${at + index}`, bytes, mediaType);
          await pushManifest(mirrorA, 'app/many', `t${at + index}`, bytes, mediaType);
        }),
      );
    const listFile = join(dir, 'many.yaml');
    await writeFile(
      listFile,
      Array.from(
        { length: 10_000 },
        (_, index) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${index}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: ${upstream.host}/app/many:t${index % 500}\n`,
      ).join('---\n'),
    );
    const conf = join(dir, 'many.conf');
    await writeFile(
      conf,
      `[[registry]]\nlocation = "${upstream.host}"\n[[registry.mirror]]\nlocation = "${mirrorA.host}"\ninsecure = true\n`,
    );
    const report = await runEngine(
      {
        listFile,
        defaultProject: 'library',
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 10,
        tls: { verify: true, insecureRegistries: [upstream.host] },
        imageTimeoutMs: 20_000,
        env: { HOME: dir },
        mirrors: { paths: [conf], policy: 'first' },
      },
      { log: () => undefined },
      async (done) => ({ totals: done.totals, requests: done.requests, first: done.results.at(0) }),
    );
    expect(report.totals).toMatchObject({ lines: 500, passed: 500 });
    expect(report.requests[upstream.host]?.manifestHeads).toBe(500);
    expect(report.requests[mirrorA.host]?.manifestHeads).toBe(500);
    expect(report.first?.workloads).toHaveLength(20);
  });

  test('bad input: destination and mirror-config together, a registries.conf syntax error, a list that names its own destinations', async () => {
    const conf = join(dir, 'broken.conf');
    await writeFile(conf, `[[registry]]\nlocation = "${upstream.host}"\n[[registry.mirror]\n`);
    await expect(validate('broken', [conf])).rejects.toThrow(
      new RegExp(`^${conf.replace(/[.]/g, '\\.')}:3: not TOML`),
    );
    await expect(validate('both', [conf], { destination: mirrorA.host })).rejects.toThrow(
      /give destination or mirror-config, not both/,
    );
    const sync = join(dir, 'regsync.yaml');
    await writeFile(
      sync,
      `version: 1\nsync:\n  - source: ${upstream.host}/app/web:1.0\n    target: ${mirrorA.host}/app/web:1.0\n    type: image\n`,
    );
    const good = join(dir, 'good.conf');
    await writeFile(
      good,
      `[[registry]]\nlocation = "${upstream.host}"\n[[registry.mirror]]\nlocation = "${mirrorA.host}"\n`,
    );
    await expect(
      runEngine(
        {
          listFile: sync,
          defaultProject: 'library',
          options: DEFAULT_VALIDATE_OPTIONS,
          jobs: 1,
          tls: { verify: false, insecureRegistries: [] },
          imageTimeoutMs: 5000,
          mirrors: { paths: [good], policy: 'first' },
        },
        { log: () => undefined },
        async () => undefined,
      ),
    ).rejects.toThrow(/is a regsync list, which names its own destinations/);
  });
});
