// The job summary looked at the way a reader sees it (testkit/summary-page.ts: GFM, GitHub's markdown CSS,
// the 1012 px column, headless Chromium): for a typical list (mixed reasons, long registry.k8s.io paths,
// digest-pinned lines, a rename, an unreadable line) and for thousands of failures. Nothing may be wider than
// the column, and every shown failed line's reason and what-is-wrong text must be inside it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/engine/report.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import type { FailureReason, LineResult, ReferrerResult } from '../../src/engine/validate/result.js';
import { buildSummary } from '../../src/report/summary.js';
import { reportOf } from '../../testkit/results.js';
import { launchBrowser, renderSummary } from '../../testkit/summary-page.js';

const root = join(import.meta.dirname, '..', '..');
const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const SOURCE = 'registry.k8s.io';
const MIRROR = 'harbor.airgap.example.internal:8443';

function image(
  line: number,
  path: string,
  tag: string,
): Omit<LineResult, 'status'> & { source: string; destination: string } {
  const pinned = tag.startsWith('sha256:');
  const ref = `${path}${pinned ? '@' : ':'}${tag}`;
  return {
    line,
    raw: ref,
    source: `${SOURCE}/${ref}`,
    destination: `${MIRROR}/${ref}`,
    detail: '',
    platforms: [],
  };
}

/** A failed line with one finding, as the engine writes it: the message, and its brief form when it names the line. */
const fail = (
  base: ReturnType<typeof image>,
  reason: FailureReason,
  detail: string,
  brief?: string,
): LineResult => ({
  ...base,
  status: 'failed',
  reason,
  detail,
  findings: [{ reason, message: detail, ...(brief ? { brief } : {}) }],
});
const shortDigest = (value: string) => `${value.slice(0, 19)}…`;

/** A typical run: what a Kubernetes air-gap list looks like when a few things went wrong. */
function typicalResults(): LineResult[] {
  const paths = [
    'sig-storage/csi-node-driver-registrar',
    'sig-storage/csi-provisioner',
    'sig-storage/csi-attacher',
    'sig-storage/livenessprobe',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kube-proxy',
    'coredns/coredns',
    'etcd',
    'pause',
    'ingress-nginx/controller',
    'ingress-nginx/kube-webhook-certgen',
    'metrics-server/metrics-server',
    'autoscaling/cluster-autoscaler',
    'sig-storage/snapshot-controller',
  ];
  const results: LineResult[] = paths.map((path, index) => {
    const base = image(index + 2, path, `v1.${30 + index}.0`);
    return {
      ...base,
      status: 'passed',
      rule: 'identical',
      detail: `destination digest equals the source's (${digest(index).slice(0, 19)})`,
      sourceDigest: digest(index),
      destinationDigest: digest(index),
    };
  });
  const at = (line: number) => results.findIndex((r) => r.line === line);
  const put = (result: LineResult) => results.splice(at(result.line), 1, result);
  const registrar = image(2, paths[0]!, 'v2.13.0');
  put(
    fail(
      registrar,
      'platform-missing',
      `destination index lacks linux/arm64 (source ${shortDigest(digest(7))})`,
    ),
  );
  put(
    fail(
      image(3, paths[1]!, 'v5.2.0'),
      'destination-missing',
      `destination ${MIRROR}/${paths[1]}:v5.2.0 does not exist`,
      'destination does not exist',
    ),
  );
  put(
    fail(
      image(4, paths[2]!, digest(4)),
      'destination-missing',
      `destination ${MIRROR}/${paths[2]}@${digest(4)} does not exist`,
      'destination does not exist',
    ),
  );
  put({
    ...fail(
      image(6, paths[4]!, 'v1.34.2'),
      'digest-mismatch',
      `destination has ${shortDigest(digest(61))} but source has ${shortDigest(digest(62))} (upstream moved or wrong image)`,
    ),
    drift: { since: '2026-11-28T02:00:00Z', previousSourceDigest: digest(61) },
  } as LineResult);
  put(
    fail(
      image(9, paths[7]!, 'v1.34.2'),
      'manifest-missing',
      `destination index lists linux/arm64 ${shortDigest(digest(9))} but the repository does not have that manifest`,
    ),
  );
  const renamed = image(12, paths[10]!, '3.10');
  put(
    fail(
      {
        ...renamed,
        raw: `${SOURCE}/pause airgap/k8s/pause 3.10`,
        destination: `${MIRROR}/airgap/k8s/pause:3.10`,
      },
      'auth',
      `destination ${MIRROR}/airgap/k8s/pause:3.10: ${MIRROR} refused the credentials given`,
      `destination: ${MIRROR} refused the credentials given`,
    ),
  );
  // Signed images (referrers: require): one whose signature and SBOM arrived, one whose signature did not,
  // and a rebuilt index whose index signature cannot be carried (a warning).
  const signature = (status: ReferrerResult['status'], n: number, subject = 'index'): ReferrerResult => ({
    kind: 'signature',
    digest: digest(n),
    subject,
    subjectDigest: digest(n - 1),
    via: 'cosign-tag',
    tag: `${digest(n - 1).replace(':', '-')}.sig`,
    status,
  });
  const sbom: ReferrerResult = {
    kind: 'sbom',
    artifactType: 'application/spdx+json',
    digest: digest(99),
    subject: 'linux/amd64',
    subjectDigest: digest(98),
    via: 'referrers-api',
    status: 'ok',
  };
  const certgen = results[at(14)]!;
  put({ ...certgen, referrers: [signature('ok', 141), sbom] } as LineResult);
  put({
    ...fail(
      image(15, paths[13]!, 'v0.7.2'),
      'referrer-missing',
      `signature ${digest(151).slice(0, 19)}… (cosign tag ${digest(150).replace(':', '-')}.sig) of the index ${digest(150).slice(0, 19)}… is not at the destination`,
    ),
    referrers: [signature('missing', 151), { ...sbom, status: 'ok' }],
  });
  const autoscaler = results[at(16)]!;
  put({
    ...autoscaler,
    rule: 'platforms',
    referrers: [signature('not-carried', 161)],
    warnings: [
      `1 signature of the source index ${digest(160).slice(0, 19)}… cannot be carried over: the destination is a rebuilt index with another digest, so only the platforms' referrers are required`,
    ],
  } as LineResult);
  results.push({
    line: 19,
    raw: 'registry.k8s.io/Sig-Storage/CSI-Resizer:v1.12.0',
    source: null,
    destination: null,
    status: 'skipped',
    reason: 'invalid-line',
    detail: 'repository names are lowercase: "Sig-Storage/CSI-Resizer"',
    platforms: [],
  });
  return results;
}

function runOf(results: LineResult[]): RunReport {
  return reportOf(results, {
    listFile: 'airgap/k8s-1.34-images.txt',
    startedAt: '2026-12-03T02:00:00Z',
    finishedAt: '2026-12-03T02:01:10Z',
    source: SOURCE,
    destination: MIRROR,
    options: { ...DEFAULT_VALIDATE_OPTIONS, referrers: { mode: 'require' } },
    requests: {
      [SOURCE]: {
        byMethod: { HEAD: 17, GET: 8 },
        manifestHeads: 17,
        manifestGets: 8,
        blobHeads: 0,
        blobGets: 0,
        referrerGets: 0,
        tagGets: 0,
        tokenRequests: 0,
        retries: 0,
        cacheHits: 0,
      },
      [MIRROR]: {
        byMethod: { HEAD: 21, GET: 9 },
        manifestHeads: 21,
        manifestGets: 7,
        blobHeads: 0,
        blobGets: 0,
        referrerGets: 0,
        tagGets: 0,
        tokenRequests: 2,
        retries: 1,
        cacheHits: 0,
      },
    },
  });
}

const artifact = {
  name: 'mirror-validate-failed',
  url: 'https://github.com/acme/airgap/actions/runs/12345678901/artifacts/4242424242',
};
const summaryOf = (report: RunReport) =>
  buildSummary(report, {
    fullResultsHint: `the artifact ${artifact.name}`,
    artifact,
    lineLink: (line) =>
      `https://github.com/acme/airgap/blob/${'0a1b2c3d'.repeat(5)}/airgap/k8s-1.34-images.txt#L${line}`,
    reasonLink: (reason) => `https://github.com/acme/mirror-validate/blob/v1/docs/reasons.md#${reason}`,
  });

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchBrowser();
  dir = await mkdtemp(join(tmpdir(), 'mv-summary-'));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the job summary in a browser, 1012 px wide', () => {
  test('a typical list: no table wider than the column, every failed line readable, the artifact linked', async () => {
    const results = typicalResults();
    // UPDATE_SUMMARY_PNG=1 writes the picture the README shows (docs/summary.png).
    const png = process.env.UPDATE_SUMMARY_PNG ? join(root, 'docs', 'summary.png') : join(dir, 'summary.png');
    const page = await renderSummary(browser, summaryOf(runOf(results)), { png });
    expect(page.wideTables).toEqual([]);
    expect(page.cellsOutside).toEqual([]);
    for (const result of results.filter((r) => r.status !== 'passed')) {
      const row = page.visibleRows.find((text) => text.startsWith(`${result.line}\t`));
      expect(row, `line ${result.line}`).toBeDefined();
      // Its reason is the section it is in, and the reasons table row for it is visible too.
      expect(
        page.visibleRows.some((text) => text.startsWith(`${'reason' in result ? result.reason : ''}\t`)),
      ).toBe(true);
      const wrong = result.detail
        .split(result.destination ?? '\u0000')
        .join('')
        .slice(-20)
        .trim();
      expect(row!.replace(/\s+/g, ' ')).toContain(wrong.replace(/\s+/g, ' '));
    }
    expect(page.links).toContainEqual({ text: artifact.name, href: artifact.url });
    expect(page.links.some((link) => link.href.endsWith('#L2') && link.text === '2')).toBe(true);
    expect(page.firstScreen).toMatch(/6 failed, 1 not checked .* of 17 lines/);
    // The referrers table: one row per line with referrers, each kind counted by status.
    expect(page.visibleRows).toContainEqual(
      expect.stringMatching(/^14\t.*\t1 ✅ arrived\t—\t1 ✅ arrived\t—$/),
    );
    expect(page.visibleRows).toContainEqual(
      expect.stringMatching(/^15\t.*\t1 ❌ missing\t—\t1 ✅ arrived\t—$/),
    );
    expect(page.visibleRows).toContainEqual(expect.stringMatching(/^16\t.*\t1 ⚠️ index only\t—\t—\t—$/));
  });

  test('workloads of a folder checked at the cluster mirrors: each row names its file, not-checked lines apart', async () => {
    // A line of a folder's file; destination null when no mirror rule covers the image.
    const workload = (line: number, file: string, ref: string, mirror: string | null) =>
      ({
        ...image(line, ref.split(':')[0] as string, ref.split(':')[1] as string),
        raw: `${SOURCE}/${ref} (Deployment shop/${file.split('/').pop()?.replace('.yaml', '')})`,
        file,
        destination: mirror,
      }) as ReturnType<typeof image>;
    const results: LineResult[] = [
      {
        ...workload(
          21,
          'apps/web.yaml',
          'ingress-nginx/controller:v1.12.0',
          `${MIRROR}/ingress-nginx/controller:v1.12.0`,
        ),
        status: 'passed',
        rule: 'identical',
        sourceDigest: digest(1),
        destinationDigest: digest(1),
        detail: 'destination digest equals the source',
      },
      fail(
        workload(9, 'jobs/nightly.yaml', 'etcd:3.5.21-0', `${MIRROR}/etcd:3.5.21-0`),
        'destination-missing',
        `destination ${MIRROR}/etcd:3.5.21-0 does not exist`,
        'destination does not exist',
      ),
      fail(
        workload(14, 'jobs/nightly.yaml', 'kube-proxy:v1.34.1', null),
        'not-mirrored',
        `${SOURCE}/kube-proxy:v1.34.1: no rule of the containerd hosts.toml covers ${SOURCE}: the cluster pulls it from upstream`,
        `no rule of the containerd hosts.toml covers ${SOURCE}: the cluster pulls it from upstream`,
      ),
      fail(
        workload(33, 'apps/web.yaml', 'coredns/coredns:v1.12.1', `${MIRROR}/coredns/coredns:v1.12.1`),
        'unreachable',
        `destination ${MIRROR}/coredns/coredns:v1.12.1: cannot reach ${MIRROR} (ECONNREFUSED)`,
        `destination: cannot reach ${MIRROR} (ECONNREFUSED)`,
      ),
    ];
    const report = reportOf(results, { listFile: 'k8s', destination: undefined, source: undefined });
    const page = await renderSummary(
      browser,
      buildSummary(report, {
        fullResultsHint: 'x',
        lineLink: (line, file) =>
          `https://github.com/acme/airgap/blob/${'0a1b2c3d'.repeat(5)}/k8s/${file}#L${line}`,
      }),
      { png: join(process.env.SUMMARY_PNG_DIR ?? dir, 'workloads-summary.png') },
    );
    expect(page.wideTables).toEqual([]);
    expect(page.firstScreen).toContain(
      '2 failed, 1 not checked (the registry refused or did not answer), 1 passed',
    );
    expect(page.visibleRows).toContainEqual(
      expect.stringMatching(
        /^jobs\/nightly\.yaml:14\t.*kube-proxy.*no rule of the containerd hosts\.toml covers/,
      ),
    );
    expect(page.visibleRows).toContainEqual(expect.stringMatching(/^apps\/web\.yaml:33\t/));
  });

  test('thousands of failures: still nothing wider than the column, and the first screen says how many and why', async () => {
    const reasons: FailureReason[] = ['destination-missing', 'digest-mismatch', 'platform-missing', 'auth'];
    const results: LineResult[] = Array.from({ length: 4000 }, (_, index) =>
      fail(
        image(
          index + 1,
          `sig-storage/csi-node-driver-registrar-${index}`,
          index % 7 === 0 ? digest(index) : `v2.${index}.0`,
        ),
        reasons[index % 4]!,
        `destination ${MIRROR}/sig-storage/csi-node-driver-registrar-${index} does not exist (HTTP 404 NAME_UNKNOWN from ${MIRROR})`,
      ),
    );
    const markdown = summaryOf(runOf(results));
    expect(Buffer.byteLength(markdown)).toBeLessThan(1024 * 1024);
    const page = await renderSummary(browser, markdown);
    expect(page.wideTables).toEqual([]);
    expect(page.cellsOutside).toEqual([]);
    expect(page.firstScreen).toContain('3000 failed, 1000 not checked');
    for (const reason of reasons) expect(page.firstScreen).toMatch(new RegExp(`${reason}\\s+1000`));
    expect(page.firstScreen).toContain(artifact.name);
  });

  test('the check does catch a table wider than the column (the five-column layout with a long detail)', async () => {
    const wide = `<table><tr><th>Line</th><th>Source</th><th>Destination</th><th>Reason</th><th>Detail</th></tr><tr><td>2</td><td>${SOURCE}/sig-storage/csi-node-driver-registrar:v2.13.0</td><td>${MIRROR}/sig-storage/csi-node-driver-registrar:v2.13.0</td><td>platform-missing</td><td>${MIRROR}/sig-storage/csi-node-driver-registrar@${digest(7)}</td></tr></table>`;
    const page = await renderSummary(browser, wide);
    expect(page.wideTables.length).toBe(1);
    expect(page.cellsOutside.length).toBeGreaterThan(0);
  });
});
