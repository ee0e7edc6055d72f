// TOML as the runtimes' files are read: parsed with smol-toml (BSD-3-Clause, TOML 1.0, errors with line and
// column); a syntax error names the file and the line. Pure.
import { parse, TomlError } from 'smol-toml';
import { ConfigurationError } from '../errors.js';

export type TomlTable = Record<string, unknown>;

export function parseToml(text: string, file: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const first = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid';
    throw new ConfigurationError(`${file}:${error.line}: not TOML: ${first} (column ${error.column})`);
  }
}

export const isTable = (value: unknown): value is TomlTable =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** The 1-based line of the first line of `text` that `test` accepts at or after `from`, else `fallback`. */
export function lineWhere(text: string, test: (line: string) => boolean, from = 1, fallback = 1): number {
  const lines = text.split(/\r?\n/);
  for (let index = from - 1; index < lines.length; index += 1)
    if (test(lines[index] as string)) return index + 1;
  return fallback;
}

/** A key's value as a string, or a ConfigurationError naming the file, where and the key. */
export function stringAt(table: TomlTable, key: string, where: string): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigurationError(`${where}: ${key} must be a string`);
  return value;
}

export function booleanAt(table: TomlTable, key: string, where: string): boolean | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ConfigurationError(`${where}: ${key} must be true or false`);
  return value;
}
