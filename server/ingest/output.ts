import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { HashingWriter, type HashedFile } from '../storage/blobs.ts';
import type { Cell } from './schema.ts';

/** A spreadsheet program would run a cell starting with these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Strings JSON can carry between quotes as they are (no quote, backslash or control character). */
const JSON_PLAIN = /^[^"\\\u0000-\u001f\u2028\u2029]*$/;
/** Anything CSV quoting, formula neutralising or JSON escaping may have to deal with; most cells have none. */
const NEEDS_CARE = /[",\\\u0000-\u001f\u2028\u2029]/;

export function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Each output's text is collected into a string of about this many UTF-16 units before it is
 * encoded and written. Kept under V8's large-object size (128 KB): flattening a larger string
 * allocates fresh pages each time, and was 40% slower.
 */
const OUTPUT_CHUNK = 48 * 1024;

/**
 * Where the outputs go. `original`: the worker also copies the uploaded file there, hashing what it
 * writes (BlobStore.copyToTemp's work, off the ingest's thread, which sets the pace of a large ingest).
 */
export type OutputPaths = { csv: string; json: string; original?: { source: string; path: string } };
export type OutputFiles = { csv: HashedFile; json: HashedFile; original?: HashedFile };

/** Where the checked rows of a table go: their cast values in, the published CSV and JSON files out. */
export interface OutputSink {
  /** enough is waiting: await drain() before adding more */
  readonly full: boolean;
  /** one row: values[from] to values[from + width - 1], read before add() returns */
  add(values: Cell[], from?: number): void;
  drain(): Promise<void>;
  finish(): Promise<OutputFiles>;
  /** stops, and removes the files; settled() tells when that is done */
  abandon(): void;
  settled(): Promise<void>;
}

/**
 * Writes rows of cast values as the published outputs: CSV with ISO dates and dot decimals and
 * neutralised formulas, JSON with typed values. add() only appends text; drain() encodes, hashes
 * and writes it.
 */
export class OutputFormatter implements OutputSink {
  private readonly csv: HashingWriter;
  private readonly json: HashingWriter;
  private first = true;
  /**
   * What goes before a cell's JSON value, by column, whether the previous value was a string still
   * to be closed, and whether this one is a string to open — so a row is about two strings per cell
   * (flattening a row made of many small strings cost more than encoding it). A null's carries it.
   */
  private readonly jsonPre: string[] = [];
  private readonly jsonNull: string[] = [];
  private csvText: string;
  private jsonText = '[';
  private abandoned = false;
  private readonly width: number;
  full = false;

  constructor(names: string[], paths: OutputPaths) {
    this.width = names.length;
    this.csv = new HashingWriter(paths.csv);
    this.json = new HashingWriter(paths.json);
    names.forEach((name, i) => {
      const key = `${i ? ',' : ''}${JSON.stringify(name)}:`;
      for (const close of ['', '"']) {
        for (const open of ['', '"']) this.jsonPre.push(close + key + open);
        this.jsonNull.push(close + key + 'null');
      }
    });
    this.csvText = names.map((name) => csvField(neutraliseFormula(name))).join(',') + '\r\n';
  }

  add(values: Cell[], from = 0): void {
    // both lines are built as strings directly: no per-row object for JSON.stringify to walk
    let line = '';
    let json = this.first ? '\n{' : ',\n{';
    let open = 0; // 2 when the previous JSON value was a string left open
    for (let i = 0; i < this.width; i++) {
      const v = values[from + i]!;
      if (i) line += ',';
      if (v === null) {
        json += this.jsonNull[i * 2 + (open >> 1)]!;
        open = 0;
      } else if (typeof v === 'string') {
        const c0 = v.charCodeAt(0);
        if (!NEEDS_CARE.test(v) && c0 !== 61 && c0 !== 43 && c0 !== 45 && c0 !== 64 && v === v.trim()) {
          // no quote, comma, backslash, control character or formula start: the same text in both
          line += v;
          json += this.jsonPre[i * 4 + open + 1]! + v;
          open = 2;
        } else {
          line += csvField(neutraliseFormula(v));
          if (JSON_PLAIN.test(v)) { json += this.jsonPre[i * 4 + open + 1]! + v; open = 2; }
          else { json += this.jsonPre[i * 4 + open]! + JSON.stringify(v); open = 0; }
        }
      } else {
        const t = String(v);
        line += t;
        json += this.jsonPre[i * 4 + open]! + t;
        open = 0;
      }
    }
    this.csvText += line + '\r\n';
    this.jsonText += json + (open ? '"}' : '}');
    this.first = false;
    if (this.jsonText.length > OUTPUT_CHUNK || this.csvText.length > OUTPUT_CHUNK) this.full = true;
  }

  /** Encodes, hashes and writes the text collected so far. */
  async drain(): Promise<void> {
    this.full = false;
    if (this.abandoned) return;
    const csv = this.csvText;
    const json = this.jsonText;
    this.csvText = '';
    this.jsonText = '';
    if (csv) await this.csv.write(csv);
    if (json) await this.json.write(json);
  }

  async finish(): Promise<OutputFiles> {
    this.jsonText += '\n]\n';
    await this.drain();
    return { csv: await this.csv.finish(), json: await this.json.finish() };
  }

  abandon(): void {
    this.abandoned = true;
    this.full = false;
    this.csvText = this.jsonText = '';
    this.csv.abort();
    this.json.abort();
  }

  async settled(): Promise<void> { /* abandon() is synchronous here */ }
}

/** Rows per message to the output worker, and messages it may have waiting. */
const BATCH_ROWS = 256;
const MAX_IN_FLIGHT = 8;

/**
 * The same OutputFormatter in a worker thread, for large tables: the rows' cast values are posted
 * in batches (a structured clone is far cheaper than building, encoding and hashing their text),
 * so the output is produced on the second core while this thread parses and checks the next rows.
 * At most MAX_IN_FLIGHT batches wait; the worker answers each after writing it (disk backpressure).
 */
export class WorkerOutput implements OutputSink {
  private readonly worker: Worker;
  private readonly paths: OutputPaths;
  /** the waiting rows' values, one after the other: one array to clone, not one per row */
  private batch: Cell[] = [];
  private batchRows = 0;
  private readonly width: number;
  private inFlight = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private files: OutputFiles | undefined;
  private stopping: Promise<void> | undefined;
  private exited = false;

  constructor(names: string[], paths: OutputPaths) {
    this.paths = paths;
    this.width = names.length;
    // not unref()'d: this thread may be waiting on nothing but the worker's answer; finish() and
    // abandon() (one of which every writer ends with) terminate it
    this.worker = new Worker(new URL('./output-worker.ts', import.meta.url), { workerData: { names, paths } });
    this.worker.on('message', (m: { type: 'ack' } | { type: 'done'; files: OutputFiles } | { type: 'aborted' } | { type: 'error'; message: string }) => {
      if (m.type === 'ack') this.inFlight--;
      else if (m.type === 'done') this.files = m.files;
      else if (m.type === 'error') this.failure ??= new Error(m.message);
      this.notify();
    });
    this.worker.on('error', (err) => { this.failure ??= err; this.notify(); });
    this.worker.on('exit', () => { this.exited = true; this.failure ??= new Error('output worker stopped'); this.notify(); });
  }

  get full(): boolean {
    return this.batchRows >= BATCH_ROWS;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => { this.wake = resolve; });
  }

  add(values: Cell[], from = 0): void {
    const { batch } = this;
    for (let i = from, end = from + this.width; i < end; i++) batch.push(values[i]!);
    this.batchRows++;
  }

  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.batchRows) {
      this.worker.postMessage({ type: 'rows', values: this.batch });
      this.batch = [];
      this.batchRows = 0;
      this.inFlight++;
    }
    while (this.inFlight >= MAX_IN_FLIGHT && !this.failure) await this.wait();
    if (this.failure) throw this.failure;
  }

  async finish(): Promise<OutputFiles> {
    await this.drain();
    this.worker.postMessage({ type: 'finish' });
    while (!this.files && !this.failure) await this.wait();
    if (this.failure || !this.files) throw this.failure;
    const files = this.files;
    await this.worker.terminate();
    return files;
  }

  abandon(): void {
    this.stopping ??= (async () => {
      if (!this.exited) {
        // the worker removes its files itself: it may still be opening them
        let aborted = false;
        this.worker.on('message', (m: { type: string }) => { if (m.type === 'aborted') { aborted = true; this.notify(); } });
        this.worker.postMessage({ type: 'abort' });
        const deadline = Date.now() + 10_000;
        while (!aborted && !this.exited && Date.now() < deadline) await Promise.race([this.wait(), new Promise((r) => setTimeout(r, 100))]);
        await this.worker.terminate();
      }
      for (const p of [this.paths.csv, this.paths.json, this.paths.original?.path]) if (p) fs.rmSync(p, { force: true });
    })();
  }

  settled(): Promise<void> {
    return this.stopping ?? Promise.resolve();
  }
}
