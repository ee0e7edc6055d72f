// Bad input, one row per case, through both front doors (the action bundle and the CLI bundle): each gets
// a clear message naming the input or the list line, and no line is lost.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aliasBomb } from '../testkit/hostile.js';
import { runNode } from '../testkit/process.js';
import { startRegistry, type TestRegistry } from '../testkit/registry.js';
import { seedStandardImages } from '../testkit/seed.js';

const root = join(import.meta.dirname, '..');
let registry: TestRegistry;
let htmlServer: http.Server;
let htmlHost: string;
let dir: string;

beforeAll(async () => {
  registry = await startRegistry('plain');
  await seedStandardImages(registry);
  htmlServer = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>welcome</html>');
  });
  await new Promise<void>((resolve) => htmlServer.listen(0, '127.0.0.1', resolve));
  htmlHost = `127.0.0.1:${(htmlServer.address() as net.AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'mv-bad-'));
});
afterAll(async () => {
  await registry?.stop();
  htmlServer?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Case {
  name: string;
  list: string | Buffer;
  destination?: () => string;
  /** What the person reads: in the CLI's output, and in the action's log. */
  message: RegExp;
  /** A configuration error (CLI exit 2), or per-line results (CLI exit 1). */
  configuration: boolean;
  /** Lines the report must hold, when the list is not one line per image (YAML). */
  lines?: number;
  file?: string;
  /** The cluster's mirror configuration, given instead of a destination. */
  mirrorConfig?: { file: string; text: string };
}

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n${image ? `          image: ${image}\n` : ''}`;

const cases: Case[] = [
  { name: 'an empty file', list: '', message: /names no image/, configuration: true },
  {
    name: 'a list of only comments',
    list: '# one\n// two\n\n',
    message: /names no image/,
    configuration: true,
  },
  {
    name: 'a binary file',
    list: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]),
    message: /is not a text file/,
    configuration: true,
  },
  {
    name: 'an uppercase repository',
    list: 'upstream/multi:1.0\nUpstream/Multi:1.0\n',
    message: /:2.*must be lowercase/,
    configuration: false,
  },
  {
    name: 'bad tag characters',
    list: 'upstream/multi mirror/multi 1.0+build\n',
    message: /:1.*may only have letters, digits/,
    configuration: false,
  },
  {
    name: 'a bad digest',
    list: 'upstream/multi@sha256:1234\n',
    message: /:1.*64 lowercase hex/,
    configuration: false,
  },
  {
    name: 'a 1 MB line',
    list: `upstream/${'a'.repeat(1024 * 1024)}:1\n`,
    message: /:1.*longer than 255/,
    configuration: false,
  },
  { name: 'four fields', list: 'a b c d\n', message: /:1.*4 fields/, configuration: false },
  {
    name: 'YAML of no list format',
    file: 'list.yaml',
    list: 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n',
    message:
      /image list "list\.yaml" is YAML of no list format this check reads; tried regsync \(sync:\), skopeo sync/,
    configuration: true,
  },
  {
    name: 'a YAML syntax error',
    file: 'list.yaml',
    list: 'sync:\n  - source: [a\n    target: b\n',
    message: /list\.yaml:3: not valid YAML/,
    configuration: true,
  },
  {
    name: 'an alias bomb',
    file: 'list.yaml',
    list: aliasBomb(),
    message: /list\.yaml: refused: its aliases expand to more than 1000000 values \(an alias bomb\)/,
    configuration: true,
  },
  {
    name: 'a 50 MB list',
    list: `${'upstream/multi:1.0\n'.repeat((50 * 1024 * 1024) / 19)}`,
    message: /image list "list\.txt" is 50 MiB, more than the 32 MiB a file may have/,
    configuration: true,
  },
  {
    name: 'a regsync entry that cannot be read, beside one that can',
    file: 'regsync.yml',
    list: 'version: 1\nsync:\n  - source: upstream/multi:1.0\n    type: image\n  - source: upstream/multi:1.0\n    target: mirror/multi:1.0\n    type: image\n',
    message: /regsync\.yml:3 .*sync\[0\]\.target is required/,
    configuration: false,
    lines: 2,
  },
  {
    name: 'a template naming an unset variable',
    file: 'regsync.yml',
    list: 'version: 1\nsync:\n  - source: upstream/multi:1.0\n    target: "{{ env \\"MIRROR_HOST\\" }}/multi:1.0"\n    type: image\n',
    message: /regsync\.yml:3 .*sync\[0\]\.target: environment variable MIRROR_HOST is not set/,
    configuration: false,
    lines: 1,
  },
  {
    name: 'a registries.conf with a syntax error',
    file: 'workloads.yaml',
    list: deployment('upstream/multi:1.0'),
    mirrorConfig: {
      file: 'registries.conf',
      text: '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]\n',
    },
    message: /registries\.conf:3: not TOML/,
    configuration: true,
  },
  {
    name: 'a rewrite rule that does not compile',
    file: 'workloads.yaml',
    list: deployment('upstream/multi:1.0'),
    mirrorConfig: {
      file: 'registries.yaml',
      text: 'mirrors:\n  docker.io:\n    endpoint: ["https://m.example"]\n    rewrite:\n      "^(rancher/.*": "x/$1"\n',
    },
    message:
      /registries\.yaml:2 mirrors\."docker\.io"\.rewrite: rewrite "\^\(rancher\/\.\*" does not compile/,
    configuration: true,
  },
  {
    name: 'a manifest that is not YAML',
    file: 'workloads.yaml',
    list: `${deployment('upstream/multi:1.0')}        ports: [80\n`,
    message: /workloads\.yaml:\d+: not valid YAML/,
    configuration: true,
  },
  {
    name: 'a workload with no image, beside one with',
    file: 'workloads.yaml',
    // REGISTRY: the test registry's host (a workload names its image's registry; nothing reaches Docker Hub).
    list: `${deployment('')}---\n${deployment(`REGISTRY/upstream/multi:1.0`)}`,
    message: /workloads\.yaml:9 .*Deployment web: container web names no image/,
    configuration: false,
    lines: 2,
  },
  {
    name: 'a destination that does not resolve',
    list: 'upstream/multi:1.0\n',
    destination: () => 'no-such-registry.invalid',
    message: /:1.*FAIL unreachable.*cannot reach no-such-registry\.invalid/,
    configuration: false,
  },
  {
    name: 'a destination that is not a registry',
    list: 'upstream/multi:1.0\n',
    destination: () => htmlHost,
    message: /:1.*FAIL unreachable.*does not look like a container registry/,
    configuration: false,
  },
];

async function run(args: string[], env: Record<string, string>) {
  const result = await runNode(args, { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
  return { code: result.code, out: result.stdout + result.stderr };
}

describe.each(cases)('$name', (row) => {
  const file = row.file ?? 'list.txt';
  beforeAll(async () => {
    await writeFile(
      join(dir, file),
      typeof row.list === 'string' ? row.list.replaceAll('REGISTRY', registry.host) : row.list,
    );
    if (row.mirrorConfig) await writeFile(join(dir, row.mirrorConfig.file), row.mirrorConfig.text);
  });

  test('command line', async () => {
    const destination = row.destination?.() ?? registry.host;
    const result = await run(
      [
        join(root, 'dist', 'cli', 'index.js'),
        '-f',
        file,
        '-s',
        registry.host,
        ...(row.mirrorConfig ? ['--mirror-config', row.mirrorConfig.file] : ['-d', destination]),
        '--tls-verify=false',
        '-o',
        'cli-failed.txt',
        '--report',
        'cli-report.json',
      ],
      {},
    );
    expect(result.out).toMatch(row.message);
    expect(result.code).toBe(row.configuration ? 2 : 1);
    if (!row.configuration) {
      const report = JSON.parse(await readFile(join(dir, 'cli-report.json'), 'utf8')) as {
        totals: { lines: number };
      };
      const listLines =
        row.lines ??
        String(row.list)
          .split('\n')
          .filter((line) => line.trim() && !line.startsWith('#')).length;
      expect(report.totals.lines).toBe(listLines);
    }
  });

  test('action', async () => {
    const destination = row.destination?.() ?? registry.host;
    await writeFile(join(dir, 'outputs'), '');
    const result = await run([join(root, 'dist', 'index.js')], {
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: join(dir, 'outputs'),
      INPUT_FILE: file,
      INPUT_SOURCE: registry.host,
      ...(row.mirrorConfig
        ? { 'INPUT_MIRROR-CONFIG': row.mirrorConfig.file }
        : { INPUT_DESTINATION: destination }),
      'INPUT_TLS-VERIFY': 'false',
    });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(row.message);
    expect(await readFile(join(dir, 'outputs'), 'utf8')).toMatch(/^result<<.*\nfailure\n/m);
  });
});
