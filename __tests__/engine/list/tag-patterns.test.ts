// Patterns become lines: one tag list per repository, every match a line, no match a failure of its entry,
// a tag list that cannot be read the registry's reason, an interrupted listing an interrupted line.
import { describe, expect, test } from 'vitest';
import type { ListEntry, PatternEntry } from '../../../src/engine/list/entries.js';
import { expandPatterns, tagMatcher } from '../../../src/engine/list/tag-patterns.js';
import { RegistryError } from '../../../src/registry/errors.js';
import { formatReference } from '../../../src/registry/reference.js';

const pattern = (line: number, repository: string, allow: RegExp[], suffix?: string): PatternEntry => ({
  kind: 'pattern',
  line,
  raw: `entry ${line}`,
  source: { registry: 'r.example', repository },
  destination: { registry: 'm.example', repository },
  pattern: { sets: allow.length ? [{ allow, deny: [] }] : [], described: `allow ${allow.join(' ')}` },
  origin: { entry: line },
  ...(suffix ? { tagSuffix: suffix } : {}),
});

describe('expandPatterns', () => {
  test('one listing per repository; matches in the listing order; suffixes at the destination', async () => {
    const asked: string[] = [];
    const entries: ListEntry[] = [
      pattern(1, 'app', [/^v1\./]),
      pattern(2, 'app', [/^v2\./], '-mirror'),
      pattern(3, 'tool', []),
    ];
    const { entries: resolved, listings } = await expandPatterns(
      entries,
      (registry, repository) => {
        asked.push(`${registry}/${repository}`);
        return Promise.resolve(repository === 'app' ? ['v1.0', 'v2.0', 'v1.1'] : ['latest']);
      },
      { jobs: 4 },
    );
    expect(asked).toEqual(['r.example/app', 'r.example/tool']);
    expect(listings).toBe(2);
    expect(
      resolved.map((entry) =>
        entry.kind === 'image'
          ? `${entry.line} ${formatReference(entry.destination)} ${entry.origin?.tag}`
          : entry.kind,
      ),
    ).toEqual([
      '1 m.example/app:v1.0 v1.0',
      '1 m.example/app:v1.1 v1.1',
      '2 m.example/app:v2.0-mirror v2.0',
      '3 m.example/tool:latest latest',
    ]);
  });

  test('no match fails its entry; an unreadable list gives the registry reason; an interrupted one is interrupted', async () => {
    const none = await expandPatterns([pattern(1, 'app', [/^v9$/])], () => Promise.resolve(['v1', 'v2']), {
      jobs: 1,
    });
    expect(none.entries[0]).toMatchObject({
      kind: 'settled',
      verdict: {
        status: 'failed',
        reason: 'no-matching-tags',
        detail: 'no tag of r.example/app matches allow /^v9$/ (2 tags listed)',
      },
    });
    const refused = await expandPatterns(
      [pattern(1, 'app', [])],
      () => Promise.reject(new RegistryError('rate-limited', 'r.example', 'r.example rate limit reached')),
      { jobs: 1 },
    );
    expect(refused.entries[0]).toMatchObject({
      kind: 'settled',
      verdict: { status: 'failed', reason: 'rate-limited' },
    });
    const controller = new AbortController();
    const interrupted = await expandPatterns(
      [pattern(1, 'app', [])],
      () => {
        controller.abort(new Error('SIGTERM'));
        return Promise.reject(new Error('aborted'));
      },
      { jobs: 1, signal: controller.signal },
    );
    expect(interrupted.entries[0]).toMatchObject({
      kind: 'settled',
      verdict: { status: 'skipped', reason: 'interrupted' },
    });
  });

  test('registry entries: one catalog per registry, repos chosen, none chosen or a refused catalog fail the entry', async () => {
    const registryEntry = (line: number, allow: RegExp[]): ListEntry => ({
      kind: 'registry',
      line,
      raw: `entry ${line}`,
      source: { registry: 'r.example' },
      destination: { registry: 'm.example', prefix: 'copy/' },
      repos: { allow, deny: [/^app\/old$/] },
      pattern: { sets: [], described: 'every tag' },
      origin: { entry: line },
    });
    const catalogs: string[] = [];
    const { entries } = await expandPatterns(
      [registryEntry(1, [/^app\/.*$/]), registryEntry(2, [/^none$/])],
      () => Promise.resolve(['1.0']),
      {
        jobs: 2,
        listRepositories: (registry) => {
          catalogs.push(registry);
          return Promise.resolve(['app/web', 'app/old', 'tools/x']);
        },
      },
    );
    expect(catalogs).toEqual(['r.example']);
    expect(
      entries.map((entry) =>
        entry.kind === 'image'
          ? formatReference(entry.destination)
          : entry.kind === 'settled' && entry.verdict.status === 'failed'
            ? entry.verdict.reason
            : entry.kind,
      ),
    ).toEqual(['m.example/copy/app/web:1.0', 'no-matching-tags']);
    const refused = await expandPatterns([registryEntry(1, [])], () => Promise.resolve([]), {
      jobs: 1,
      listRepositories: () =>
        Promise.reject(
          new RegistryError('unauthorized', 'r.example', 'r.example refused a token for registry:catalog:*'),
        ),
    });
    expect(refused.entries[0]).toMatchObject({
      kind: 'settled',
      verdict: { status: 'failed', reason: 'auth' },
    });
  });

  test('a set must satisfy its semver range, match an allow and no deny; sets are united', () => {
    const matches = tagMatcher({
      sets: [
        { allow: [/^latest$/], deny: [] },
        { allow: [/^v/], deny: [/-rc/], semver: { constraints: ['>=1.2 <2'], dialect: 'regsync' } },
      ],
      described: '',
    });
    expect(['latest', 'v1.2.0', 'v1.9.9-rc1', 'v2.0.0', '1.5.0', 'edge'].filter(matches)).toEqual([
      'latest',
      'v1.2.0',
    ]);
  });
});
