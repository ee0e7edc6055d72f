// Where a run keeps its results: passed lines, which are nearly all of a long list and are read again only
// to write the report, are spooled to an unlinked temporary file as JSON; failed and skipped lines stay in
// memory as objects. A 100,000-line run thus holds a few bytes per passed line instead of its whole result
// (about 1 KB each: the strings of its references and digests), and needs no forced garbage collection.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNotChecked, type LineResult, type Totals } from './result.js';

export class LineResults implements Iterable<LineResult> {
  readonly length: number;
  readonly #kept = new Map<number, LineResult>();
  /** Byte offset and length of each spooled line; a length of 0 marks a line not spooled. */
  readonly #offsets: Float64Array;
  readonly #sizes: Uint32Array;
  readonly #totals: Totals;
  #fd: number | undefined;
  #end = 0;
  #closed = false;
  /** Set when the spool's folder could not be removed while open (Windows): removed on close. */
  #leftover: string | undefined;

  constructor(length: number) {
    this.length = length;
    this.#offsets = new Float64Array(length);
    this.#sizes = new Uint32Array(length);
    this.#totals = { lines: length, passed: 0, failed: 0, skipped: 0, drifted: 0, notChecked: 0 };
  }

  /** The results of a finished run held in memory (tests, small reports). */
  static of(results: readonly LineResult[]): LineResults {
    const store = new LineResults(results.length);
    results.forEach((result, index) => store.set(index, result));
    return store;
  }

  set(index: number, result: LineResult): void {
    if (index < 0 || index >= this.length || this.#sizes[index] !== 0 || this.#kept.has(index))
      throw new Error(`line result ${index} set twice or out of range`);
    this.#totals[result.status] += 1;
    if (result.status === 'failed' && result.drift) this.#totals.drifted += 1;
    if (result.status === 'failed' && isNotChecked(result.reason)) this.#totals.notChecked += 1;
    if (result.status !== 'passed') {
      this.#kept.set(index, result);
      return;
    }
    const bytes = Buffer.from(JSON.stringify(result));
    const fd = this.#spool();
    writeSync(fd, bytes, 0, bytes.length, this.#end);
    this.#offsets[index] = this.#end;
    this.#sizes[index] = bytes.length;
    this.#end += bytes.length;
  }

  /** Counts by status; lines not yet set count in `lines` only. */
  get totals(): Totals {
    return { ...this.#totals };
  }

  at(index: number): LineResult | undefined {
    const kept = this.#kept.get(index);
    if (kept) return kept;
    const json = this.#json(index);
    return json === undefined ? undefined : (JSON.parse(json) as LineResult);
  }

  *[Symbol.iterator](): Iterator<LineResult> {
    for (let index = 0; index < this.length; index += 1) {
      const result = this.at(index);
      if (result) yield result;
    }
  }

  /** Each result as JSON text, in line order: the report writes spooled lines without parsing them. */
  *json(): Iterable<string> {
    for (let index = 0; index < this.length; index += 1) {
      const kept = this.#kept.get(index);
      const json = kept ? JSON.stringify(kept) : this.#json(index);
      if (json !== undefined) yield json;
    }
  }

  /** Failed and skipped lines, in line order. */
  problems(): LineResult[] {
    return [...this.#kept.entries()].sort(([a], [b]) => a - b).map(([, result]) => result);
  }

  /** Passed lines, in line order, read one at a time. */
  *passed(): Iterable<Extract<LineResult, { status: 'passed' }>> {
    for (let index = 0; index < this.length; index += 1) {
      if (this.#sizes[index] === 0) continue;
      yield JSON.parse(this.#json(index) as string) as Extract<LineResult, { status: 'passed' }>;
    }
  }

  /** Every result as an object (tests and small runs; a long run reads them one at a time instead). */
  toArray(): LineResult[] {
    return [...this];
  }

  toJSON(): LineResult[] {
    return this.toArray();
  }

  /** Frees the spool; the passed lines can no longer be read. */
  close(): void {
    this.#closed = true;
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#leftover) rmSync(this.#leftover, { recursive: true, force: true });
    this.#leftover = undefined;
  }

  #json(index: number): string | undefined {
    const size = this.#sizes[index] ?? 0;
    if (size === 0) return undefined;
    if (this.#fd === undefined) throw new Error('the results of this run were closed');
    const bytes = Buffer.allocUnsafe(size);
    readSync(this.#fd, bytes, 0, size, this.#offsets[index] ?? 0);
    return bytes.toString('utf8');
  }

  #spool(): number {
    if (this.#closed) throw new Error('the results of this run were closed');
    if (this.#fd !== undefined) return this.#fd;
    // The file is removed as soon as it is open: nothing is left behind, whatever ends the process.
    const dir = mkdtempSync(join(tmpdir(), 'mirror-validate-results-'));
    const path = join(dir, 'passed.jsonl');
    this.#fd = openSync(path, 'w+', 0o600);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      this.#leftover = dir;
    }
    return this.#fd;
  }
}
