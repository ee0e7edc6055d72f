// The failed list: what failed, in a form the mirror step takes back. By default in the list's own format, so
// the same tool can be run on it and the check run again on the same file (hangar's raw lines; a regsync
// config of the failed entries, narrowed to the failed tags; a skopeo sync file; the failing mapping lines; a
// hauler manifest; a Zarf package); or, with failed-format, as hangar lines, `skopeo copy` commands or an
// `oc image mirror` mapping. Secrets never go back literally.
import { stringify } from 'yaml';
import { failedFormatProblem, type FailedFormat, type ListFormat } from '../config/settings.js';
import type { HaulerDocument } from '../engine/list/hauler.js';
import type { RegsyncDocument } from '../engine/list/regsync.js';
import type { SkopeoSyncDocument } from '../engine/list/skopeo-sync.js';
import type { ZarfDocument } from '../engine/list/zarf.js';
import type { LineResult } from '../engine/validate/result.js';
import { parseReference } from '../registry/reference.js';

export interface FailedListSource {
  format: ListFormat;
  document?: unknown;
}

const lines = (items: string[]) => (items.length > 0 ? `${items.join('\n')}\n` : '');

/** A result's normalised reference, read back: its full name, and its tag or digest. */
function splitRef(reference: string): { name: string; tag?: string; digest?: string } {
  const ref = parseReference(reference);
  return { name: `${ref.registry}/${ref.repository}`, tag: ref.tag, digest: ref.digest };
}

const shellQuote = (text: string) =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

function asHangar(failed: LineResult[], source: FailedListSource): string[] {
  // A line sent to several mirrors (mirror-policy all) fails once in its list.
  if (source.format === 'hangar') return [...new Set(failed.map((result) => result.raw.trim()))];
  return failed.flatMap((result) => {
    if (!result.source || !result.destination) return [`# line ${result.line}: ${result.raw.trim()}`];
    const from = splitRef(result.source);
    const to = splitRef(result.destination);
    const tag = from.digest ?? from.tag ?? 'latest';
    const same = (to.digest ?? to.tag) === tag;
    return [
      ...(same ? [] : [`# line ${result.line}: the destination is ${result.destination}`]),
      `${from.name} ${to.name} ${tag}`,
    ];
  });
}

function regsyncFile(failed: LineResult[], document: RegsyncDocument): string {
  if (failed.length === 0) return '';
  const kept = new Set<string>();
  const removed: string[] = [];
  const creds = document.creds.map((cred) => {
    if (typeof cred !== 'object' || cred === null) return cred;
    const copy = { ...(cred as Record<string, unknown>) };
    // A password goes back only as the template it was written as ({{ env "…" }}, {{ file "…" }}).
    if (typeof copy.pass === 'string' && !copy.pass.includes('{{')) {
      delete copy.pass;
      removed.push(String(copy.registry));
    }
    return copy;
  });
  const sync: Record<string, unknown>[] = [];
  for (const result of failed) {
    const index = result.origin?.entry;
    const written = index === undefined ? undefined : document.entries[index];
    if (!written) continue;
    if (written.type === 'repository' && result.origin?.tag && result.source && result.destination) {
      const key = `${index} ${result.origin.tag}`;
      if (kept.has(key)) continue;
      kept.add(key);
      const { tags: _tags, tagSets: _sets, ...rest } = written;
      sync.push({ ...rest, source: result.source, target: result.destination, type: 'image' });
    } else if (!kept.has(String(index))) {
      kept.add(String(index));
      sync.push(written);
    }
  }
  const head = removed.length
    ? `# Passwords given literally for ${removed.join(', ')} are left out: add them again (or as {{ env "…" }}).\n`
    : '';
  return `${head}${stringify({ version: 1, ...(creds.length ? { creds } : {}), ...(document.defaults ? { defaults: document.defaults } : {}), sync })}`;
}

function skopeoSyncFile(failed: LineResult[], document: SkopeoSyncDocument): string {
  const file: Record<
    string,
    { images: Record<string, string[]>; 'tls-verify'?: boolean; 'cert-dir'?: string }
  > = {};
  for (const result of failed) {
    const entry = result.origin ? document.entries[result.origin.entry] : undefined;
    if (!entry) continue;
    const settings = document.registries[entry.registry] ?? {};
    // skopeo reads tls-verify as a boolean (its YAML decoder refuses a quoted "false").
    const registry = (file[entry.registry] ??= {
      ...(settings['tls-verify'] !== undefined
        ? { 'tls-verify': /^(true|yes|on)$/i.test(settings['tls-verify']) }
        : {}),
      ...(settings['cert-dir'] ? { 'cert-dir': settings['cert-dir'] } : {}),
      images: {},
    });
    const tags = (registry.images[entry.repository] ??= []);
    const tag =
      result.origin?.tag ??
      (result.source ? (splitRef(result.source).digest ?? splitRef(result.source).tag) : undefined);
    if (tag && !tags.includes(tag)) tags.push(tag);
  }
  const body = stringify(file);
  return Object.keys(file).length
    ? `# Credentials are not written here: add them again for registries that need them.\n${body}`
    : '';
}

function haulerFile(failed: LineResult[], document: HaulerDocument | undefined): string {
  const images = failed
    .filter((result) => result.source)
    .map(
      (result) =>
        (result.origin && document?.images[result.origin.entry]) || { name: result.source as string },
    );
  if (!images.length) return '';
  return stringify({
    apiVersion: 'content.hauler.cattle.io/v1',
    kind: 'Images',
    metadata: { name: 'mirror-validate-failed' },
    spec: { images },
  });
}

function zarfFile(failed: LineResult[], document: ZarfDocument): string {
  const components = new Map<string, string[]>();
  for (const result of failed) {
    const image = result.origin ? document.images[result.origin.entry] : undefined;
    if (!image) continue;
    const list = components.get(image.component) ?? [];
    if (!list.includes(image.reference)) list.push(image.reference);
    components.set(image.component, list);
  }
  if (!components.size) return '';
  return stringify({
    kind: 'ZarfPackageConfig',
    metadata: {
      name: `${document.name}-failed`,
      ...(document.architecture ? { architecture: document.architecture } : {}),
    },
    components: [...components].map(([name, images]) => ({ name, required: true, images })),
  });
}

/** The failed lines in the list's own format, or in the one asked for. */
export function formatFailedList(
  results: Iterable<LineResult>,
  source: FailedListSource = { format: 'hangar' },
  as: FailedFormat = source.format,
): string {
  const failed = [...results].filter((result) => result.status === 'failed');
  const pairs = failed.filter((result) => result.source && result.destination);
  switch (as) {
    case 'hangar':
      return lines(asHangar(failed, source));
    case 'kubernetes':
    case 'helm':
    case 'archive':
      // The images the workloads or the chart name that failed (those no mirror covers too), one reference a
      // line: a hangar list, and what `skopeo copy` or `hangar mirror` (with the destination) take back.
      return lines([...new Set(failed.flatMap((result) => (result.source ? [result.source] : [])))]);
    case 'skopeo-copy':
      return lines(
        pairs.map(
          (result) =>
            `skopeo copy --all ${shellQuote(`docker://${result.source}`)} ${shellQuote(`docker://${result.destination}`)}`,
        ),
      );
    case 'oc-mapping':
    case 'oc-mirror':
      return source.format === 'oc-mirror' && as === 'oc-mirror'
        ? lines(failed.map((result) => result.raw.trim()))
        : lines(pairs.map((result) => `${result.source}=${result.destination}`));
    case 'regsync':
      if (source.format === 'regsync') return regsyncFile(failed, source.document as RegsyncDocument);
      return failed.length
        ? stringify({
            version: 1,
            sync: pairs.map((result) => ({
              source: result.source,
              target: result.destination,
              type: 'image',
            })),
          })
        : '';
    case 'skopeo-sync':
      if (source.format === 'skopeo-sync')
        return skopeoSyncFile(failed, source.document as SkopeoSyncDocument);
      throw new Error(failedFormatProblem(source.format, as));
    case 'hauler':
      return haulerFile(failed, source.format === 'hauler' ? (source.document as HaulerDocument) : undefined);
    case 'zarf':
      if (source.format === 'zarf') return zarfFile(failed, source.document as ZarfDocument);
      throw new Error(failedFormatProblem(source.format, as));
  }
}
