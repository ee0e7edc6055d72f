// YAML lists read with the `yaml` package: every scalar as the text written (the failsafe schema: a tag
// `3.10` stays "3.10", never the number 3.1), merge keys (`<<: *anchor`), a line for every node, and a bound
// on alias expansion (a "billion laughs" document is refused, naming the file).
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';
import { ConfigurationError } from '../errors.js';
import type { Credential } from '../../registry/credentials.js';
import type { ListEntry, ListFormat } from './entries.js';

/**
 * Values aliases may expand to, per document: generous for a merge key on every entry of a large sync config,
 * fatal to an alias bomb ("billion laughs", where each level repeats the one below ten times).
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

export interface YamlDocument {
  doc: Document.Parsed;
  /** The 1-based line a node starts on. */
  lineOf(node: unknown): number;
  /** The first and last line of a node. */
  spanOf(node: unknown): [number, number];
  /** The document as plain data (toData), made once however many readers ask. */
  data(): unknown;
}

/** How every YAML list is read: scalars as written, merge keys, duplicate keys refused. */
const YAML_OPTIONS = { schema: 'failsafe', merge: true, prettyErrors: false, uniqueKeys: true } as const;

/** A document's first syntax error as a ConfigurationError naming the file and line (`toLine` maps it). */
function refuseErrors(
  doc: Document.Parsed,
  lines: LineCounter,
  fileName: string,
  toLine: (line: number) => number = (line) => line,
): void {
  const error = doc.errors[0];
  if (!error) return;
  const line = toLine(lines.linePos(error.pos[0]).line);
  throw new ConfigurationError(`${fileName}:${line}: not valid YAML: ${error.message.split('\n')[0]}`);
}

/** Every document of a YAML file; a syntax error is a ConfigurationError naming the file and line. */
export function parseYaml(text: string, fileName: string): YamlDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) refuseErrors(doc, lines, fileName);
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? lines.linePos(range[0]).line : 1;
  };
  const spanOf = (node: unknown): [number, number] => {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (!range) return [1, 1];
    // The node's end is where what follows it starts: the last line is the one before, unless on the same line.
    const last = lines.linePos(Math.max(range[0], range[2] - 1)).line;
    return [lines.linePos(range[0]).line, last];
  };
  return list.map((doc) => {
    let data: { value: unknown } | undefined;
    return {
      doc,
      lineOf,
      spanOf,
      data: () => (data ??= { value: toData(doc.contents, fileName) }).value,
    };
  });
}

/**
 * A document (or one node) as plain data: strings, arrays, objects, merge keys applied. Written here rather than
 * with the library's toJS, which looks every alias up across the whole document (a sync config with a merge
 * key on each of 30,000 entries took 7.5 s there, 30 ms here). An alias is the anchored value itself, shared,
 * and what it would expand to is counted: past MAX_ALIAS_EXPANSION the file is refused, naming it.
 */
export function toData(
  node: unknown,
  fileName: string,
  anchors = new Map<string, { value: unknown; size: number }>(),
): unknown {
  let expanded = 0;
  const convert = (current: unknown): { value: unknown; size: number } => {
    if (current === null || current === undefined) return { value: null, size: 1 };
    if (isAlias(current)) {
      const target = anchors.get(current.source);
      if (!target)
        throw new ConfigurationError(`${fileName}: the alias *${current.source} names no anchor before it`);
      expanded += target.size;
      if (expanded > MAX_ALIAS_EXPANSION)
        throw new ConfigurationError(
          `${fileName}: refused: its aliases expand to more than ${MAX_ALIAS_EXPANSION} values (an alias bomb)`,
        );
      return target;
    }
    let result: { value: unknown; size: number };
    if (isScalar(current)) result = { value: current.value === null ? null : String(current.value), size: 1 };
    else if (isSeq(current)) {
      let size = 1;
      const value = current.items.map((item) => {
        const one = convert(item);
        size += one.size;
        return one.value;
      });
      result = { value, size };
    } else if (isMap(current)) {
      const value: Record<string, unknown> = {};
      const merged: unknown[] = [];
      let size = 1;
      for (const pair of current.items) {
        // With merge keys on, the library gives `<<` a symbol for its value; its source says what was written.
        const key = isScalar(pair.key)
          ? typeof pair.key.value === 'symbol' || pair.key.value === undefined
            ? String(pair.key.source)
            : String(pair.key.value)
          : String(pair.key);
        const one = convert(pair.value);
        size += one.size;
        if (key === '<<' && !isScalar(pair.value))
          merged.push(...(Array.isArray(one.value) ? one.value : [one.value]));
        else if (key !== '__proto__') value[key] = one.value;
      }
      // Merge keys (YAML 1.1 <<): keys of the merged maps that the map does not set itself, first map first.
      for (const source of merged)
        if (isRecord(source))
          for (const [key, one] of Object.entries(source)) if (!Object.hasOwn(value, key)) value[key] = one;
      result = { value, size };
    } else {
      result = { value: null, size: 1 };
    }
    const anchor = (current as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, result);
    return result;
  };
  return convert(node).value;
}

/** A map's entry node by key, following aliases and merge keys as the data does. */
export function child(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const direct = (map as YAMLMap).items.find((pair) => isScalar(pair.key) && pair.key.value === key);
  if (direct) return (isAlias(direct.value) ? undefined : (direct.value as Node)) ?? undefined;
  return undefined;
}

/** The items of a sequence node (none for anything else). */
export const items = (node: unknown): unknown[] => (isSeq(node) ? node.items : []);

/** What a plain-data value is, for messages. */
export const kindOf = (value: unknown) =>
  value === null || value === undefined
    ? 'empty'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'a map'
        : 'text';

/** Reads a field as text; throws with its path when it is something else. */
export function textField(
  data: Record<string, unknown>,
  key: string,
  path: string,
  required = false,
): string | undefined {
  const value = data[key];
  if (value === undefined || value === null || value === '') {
    if (required) throw new Error(`${path}.${key} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new Error(`${path}.${key} must be text, not ${kindOf(value)}`);
  return value;
}

/** Reads a field as a list of text (a lone text counts as one). */
export function textList(data: Record<string, unknown>, key: string, path: string): string[] {
  const value = data[key];
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new Error(`${path}.${key} must be a list of text`);
  return value as string[];
}

/** YAML's booleans as the failsafe schema leaves them (text). */
export function booleanField(data: Record<string, unknown>, key: string, path: string): boolean | undefined {
  const value = data[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && /^(true|yes|on)$/i.test(value)) return true;
  if (typeof value === 'string' && /^(false|no|off)$/i.test(value)) return false;
  throw new Error(`${path}.${key} must be true or false, not ${JSON.stringify(value).slice(0, 40)}`);
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a reader gives the engine besides its entries. */
export interface ListRead {
  format: ListFormat;
  entries: ListEntry[];
  /** Credentials the file gives, by registry host. */
  credentials: Record<string, Credential>;
  /** Registries the file marks insecure (regsync `tls: insecure|disabled`, skopeo `tls-verify: false`). */
  insecureRegistries: string[];
  /** PEM certificates the file trusts (regsync `regcert`), and folders of them (skopeo `cert-dir`). */
  caCertificates: string[];
  caFolders: string[];
  /** Values that must never be shown (passwords from the file). */
  secrets: string[];
  /** What the failed-list writer needs to write the failures back in this format. */
  document?: unknown;
  /** Said once in the log (a setting read but not checked …). */
  notes: string[];
}

export const emptyRead = (format: ListFormat, entries: ListEntry[]): ListRead => ({
  format,
  entries,
  credentials: {},
  insecureRegistries: [],
  caCertificates: [],
  caFolders: [],
  secrets: [],
  notes: [],
});

/** One item of a top-level sequence read in slices: its data, and its lines in the file. */
export interface SliceItem {
  data: unknown;
  line: number;
  span: [number, number];
}

/** Items per slice: a slice's document is small, so the file's nodes never all exist at once. */
const SLICE_ITEMS = 1000;

/**
 * A document whose top-level sequence `key` is long (a generated sync config), read in slices: the rest of the
 * document (its anchors among it) is parsed once and again before each slice of items, so at most one slice's
 * nodes exist at a time (30,000 entries parsed whole held 240 MB of nodes). Undefined when the file is not laid
 * out for it (the key is not a block sequence at the top level); an alias into another slice is refused as
 * unresolved, and the caller then reads the document whole.
 */
export function readSequenceInSlices(
  text: string,
  key: string,
  fileName: string,
): { rest: Record<string, unknown>; items: SliceItem[] } | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const start = lines.findIndex((line) => new RegExp(`^${key}:\\s*(#.*)?$`).test(line));
  if (start < 0) return undefined;
  let end = start + 1;
  while (
    end < lines.length &&
    !/^[^\s#-]/.test(lines[end] as string) &&
    !/^---|^\.\.\./.test(lines[end] as string)
  )
    end += 1;
  const itemStarts: number[] = [];
  let indent: string | undefined;
  for (let at = start + 1; at < end; at += 1) {
    const match = /^(\s*)-(\s|$)/.exec(lines[at] as string);
    if (!match) continue;
    indent ??= match[1];
    if (match[1] === indent) itemStarts.push(at);
  }
  const rest = [...lines.slice(0, start), ...lines.slice(end)].join('\n');
  const head = lines.slice(0, start).join('\n');
  const parsedRest = parseYaml(rest, fileName)[0];
  const restData = parsedRest ? toData(parsedRest.doc.contents, fileName) : {};
  if (!isRecord(restData) && restData !== null) return undefined;
  const items: SliceItem[] = [];
  for (let first = 0; first < itemStarts.length; first += SLICE_ITEMS) {
    const from = itemStarts[first] as number;
    const last = Math.min(first + SLICE_ITEMS, itemStarts.length);
    const to = last < itemStarts.length ? (itemStarts[last] as number) : end;
    // The anchors before the sequence, then the slice under the key again; lines map back by a fixed offset.
    const sliceText = `${start > 0 ? `${head}\n` : ''}${key}:\n${lines.slice(from, to).join('\n')}\n`;
    const offset = from - (start + 1);
    const counter = new LineCounter();
    const doc = parseDocument(sliceText, { ...YAML_OPTIONS, lineCounter: counter });
    refuseErrors(doc, counter, fileName, (line) => line + (line > start ? offset : 0));
    const anchors = new Map<string, { value: unknown; size: number }>();
    const contents = doc.contents;
    if (!isMap(contents)) return undefined;
    // Anchors of the head first (they are what the items may name).
    for (const pair of contents.items) {
      if (isScalar(pair.key) && pair.key.value === key) continue;
      toData(pair.value, fileName, anchors);
    }
    const sequence = (contents.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.value ??
      null) as unknown;
    if (!isSeq(sequence)) return undefined;
    for (const node of sequence.items) {
      const range = (node as { range?: [number, number, number] }).range ?? [0, 0, 0];
      const line = counter.linePos(range[0]).line + offset;
      const lastLine = counter.linePos(Math.max(range[0], range[2] - 1)).line + offset;
      items.push({ data: toData(node, fileName, anchors), line, span: [line, lastLine] });
    }
  }
  return { rest: (restData as Record<string, unknown> | null) ?? {}, items };
}

/**
 * The destination a format that names none needs (skopeo sync's argument, hauler's and Zarf's registry, the
 * workloads' mirror); a ConfigurationError saying which registry that is when it is missing.
 */
export function requireDestination(destination: string | undefined, fileName: string, what: string): string {
  if (!destination) throw new ConfigurationError(`${fileName} ${what} (the destination setting, -d)`);
  return destination;
}

/**
 * The registry a list of images the cluster pulls (workloads, a chart) must be in: `destination`, or none yet
 * when the cluster's mirror configuration decides each image's (route-entries.ts); `what` says what the list is.
 */
export const destinationOrMirrored = (
  destination: string | undefined,
  mirrored: boolean,
  fileName: string,
  what: string,
): string | undefined =>
  mirrored
    ? undefined
    : requireDestination(
        destination,
        fileName,
        `${what}: give the registry its images must be in (destination), or the cluster's mirror configuration (mirror-config)`,
      );
