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
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';
import { ConfigurationError } from '../errors.js';
import type { Credential } from '../../registry/credentials.js';
import type { ListEntry, ListFormat } from './entries.js';

/** Alias expansions allowed per document: generous for merge keys on every entry, fatal to alias bombs. */
const MAX_ALIAS_COUNT = 100_000;

export interface YamlDocument {
  doc: Document.Parsed;
  /** The 1-based line a node starts on. */
  lineOf(node: unknown): number;
  /** The first and last line of a node. */
  spanOf(node: unknown): [number, number];
}

/** Every document of a YAML file; a syntax error is a ConfigurationError naming the file and line. */
export function parseYaml(text: string, fileName: string): YamlDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    schema: 'failsafe',
    merge: true,
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = lines.linePos(error.pos[0]).line;
      throw new ConfigurationError(`${fileName}:${line}: not valid YAML: ${error.message.split('\n')[0]}`);
    }
  }
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
  return list.map((doc) => ({ doc, lineOf, spanOf }));
}

/** A document as plain data (strings, arrays, objects), alias expansion bounded. */
export function toData(doc: Document.Parsed, fileName: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigurationError(
      `${fileName}: refused: ${(error as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions)`,
    );
  }
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
