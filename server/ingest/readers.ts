import fs from 'node:fs';
import readline from 'node:readline';
import { pipeline, Transform, type Readable } from 'node:stream';
import Papa from 'papaparse';
import type ExcelJS from 'exceljs';
import { chunkDecoder, decodeStream, type ChunkDecoder } from './encoding.ts';
import { abortedError, IngestError, problem, type IngestProblem } from './errors.ts';
import { QuoteScanner } from './quotes.ts';
import { tooManyDigits } from './infer.ts';
import type { SheetLayout } from './xlsx-inspect.ts';

/**
 * A source table as batches of rows of raw text cells; every reader yields this, so validation is
 * format-blind. Batches, not single rows: a per-row async step costs more than the parse itself.
 */
export type RowSource = AsyncGenerator<string[][]>;
const BATCH = 512;

/** Shared with the caller for progress: bytes of the source file read so far. */
export interface ReadProgress { bytes: number }

export const DELIMITERS = [',', ';', '\t', '|'];
/** A longer line is not a table a person made; refuse it before it fills memory. */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * A string made only of code units below U+0300 and of the Vietnamese letters U+1E00–U+1EFF is
 * already NFC (every such character is a starter that never composes with its neighbour; checked
 * over all pairs in test/ingest-fast-paths.test.ts): only other text pays for normalize().
 * Decomposed tone marks (U+0300–U+0323, as Windows-1258 writes them) and U+FFFD fall outside.
 */
export const MAY_NEED_NFC = /[^\u0000-\u02ff\u1e00-\u1eff]/;

/**
 * What a reader of delimited text saw in its decoded text, which it hands on already in NFC:
 * `invalidBytes`, a U+FFFD (the decoder's mark for bytes not valid in the file's encoding) somewhere
 * so far, so cells from then on are looked at for it; `quoteFaults`, misplaced quotes with their row
 * and column (see QuoteScanner) for the table to report, at most MAX_QUOTE_FAULTS kept and
 * `quoteFaultCount` counting them all.
 */
export interface TextWatch { invalidBytes: boolean; quoteFaults: IngestProblem[]; quoteFaultCount: number }
export const MAX_QUOTE_FAULTS = 1000;

export interface Dialect { delimiter: string; quoteChar: string; lineTerminator: '\r\n' | '\n' | '\r' }

/** Rows of the sample the delimiter is judged on: enough to see past a long title block. */
const SNIFF_ROWS = 300;

/**
 * How well a delimiter splits the sample into a table: the number of rows that have the most common
 * number of cells (at least 2), counting first those with no quote inside a cell (a wrong delimiter
 * cuts through quoted values, and leaves their quotes inside cells). Title lines above the table and
 * notes below it have other counts and do not count, whatever they contain.
 */
function tableRows(sample: string, delimiter: string, quoteChar: string, newline: Dialect['lineTerminator'], complete: boolean): { clean: number; rows: number; width: number; lines: number } {
  const parsed = Papa.parse<string[]>(sample, { delimiter, quoteChar, newline, preview: SNIFF_ROWS, skipEmptyLines: 'greedy' });
  // the sample ends mid-file: its last row may be cut short (unless the preview stopped before it)
  const data = !complete && parsed.data.length < SNIFF_ROWS ? parsed.data.slice(0, -1) : parsed.data;
  const byWidth = new Map<number, { rows: number; clean: number }>();
  for (const row of data) {
    const w = byWidth.get(row.length) ?? { rows: 0, clean: 0 };
    w.rows++;
    if (!row.some((c) => c.includes(quoteChar))) w.clean++;
    byWidth.set(row.length, w);
  }
  let best = { clean: 0, rows: 0, width: 1 };
  for (const [width, w] of byWidth) {
    if (width >= 2 && (w.clean > best.clean || (w.clean === best.clean && (w.rows > best.rows || (w.rows === best.rows && width > best.width))))) best = { ...w, width };
  }
  return { ...best, lines: data.length };
}

/**
 * Guesses delimiter, quote character and line endings from the first decoded text of the file
 * (`complete`: the sample is the whole file, so its last line is whole). Each of , ; tab | is tried
 * and the one that gives the most rows of one same width wins (see tableRows; ties: the wider
 * table, then the order above); a space is tried only when none of them makes a table.
 */
export function sniffDialect(sampleText: string, complete = true): Dialect {
  const crlf = (sampleText.match(/\r\n/g) ?? []).length;
  const lf = (sampleText.match(/(?<!\r)\n/g) ?? []).length;
  const cr = (sampleText.match(/\r(?!\n)/g) ?? []).length;
  const lineTerminator = crlf >= lf && crlf >= cr && crlf > 0 ? '\r\n' : cr > lf ? '\r' : '\n';
  // a quote char other than " is rare and ambiguous (frictionless-py forces " too, issue #493)
  const quoteFor = (d: string) => {
    const e = d === '\t' ? '\\t' : d === '|' ? '\\|' : d;
    return !sampleText.includes('"') && new RegExp(`(^|[${e}])'[^']*'(?=[${e}]|$)`, 'm').test(sampleText) ? "'" : '"';
  };
  let best = { delimiter: ',', clean: 0, rows: 0, width: 1, lines: 0 };
  for (const delimiter of DELIMITERS) {
    const r = tableRows(sampleText, delimiter, quoteFor(delimiter), lineTerminator, complete);
    if (r.clean > best.clean || (r.clean === best.clean && (r.rows > best.rows || (r.rows === best.rows && r.width > best.width)))) best = { delimiter, ...r };
  }
  if (best.rows < 2) {
    // space-separated values only when at least 9 rows in 10 then have the same number of cells
    const space = tableRows(sampleText, ' ', '"', lineTerminator, complete);
    if (space.rows >= 2 && space.rows >= 0.9 * space.lines) best = { delimiter: ' ', ...space };
  }
  return { delimiter: best.delimiter, quoteChar: quoteFor(best.delimiter), lineTerminator };
}

/** The file's bytes, counted for progress and stopped by the abort signal; nothing flows until it is read. */
function countingStream(filePath: string, progress?: ReadProgress, signal?: AbortSignal): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (signal?.aborted) { done(abortedError()); return; }
      if (progress) progress.bytes += chunk.length;
      done(null, chunk);
    },
  });
  return pipeline(fs.createReadStream(filePath), counter, () => { /* errors reach the reader through the counter */ });
}

/** ES2024 string methods (Node 20 has them; the project's TypeScript lib is ES2023). */
interface WellFormed { isWellFormed(): boolean; toWellFormed(): string }

/**
 * Between the file and papaparse: counts the bytes read (for progress; stops on the abort signal),
 * decodes them, puts the text in NFC, fails on a line longer than MAX_LINE_CHARS
 * (a 100 MB single line, a binary file without newlines), replaces unpaired surrogates of UTF-16
 * files with U+FFFD, reported as invalid bytes like any other, and shows the text to the quote
 * scanner. A high surrogate ending a chunk waits for the next one (iconv-lite's UTF-16BE decoder can
 * split a pair between chunks), and so does the text after the chunk's last line break (or, in a
 * chunk without one, from its last ASCII character on): a combining tone mark at the start of the
 * next chunk (Windows-1258 writes them apart) composes with what precedes it, never with a line
 * break or an ASCII character before that. One normalize() per chunk costs less
 * than testing each cell for text that may need it (and ICU returns NFC text quickly).
 */
function textGuard(decode: ChunkDecoder, utf16: boolean, watch?: TextWatch, quotes?: QuoteScanner, progress?: ReadProgress, signal?: AbortSignal): Transform {
  let sinceNewline = 0;
  let held = '';
  let tail = '';
  const pass = (self: Transform, raw: string): void => {
    const text = raw.normalize('NFC');
    if (watch && !watch.invalidBytes && text.includes('\uFFFD')) watch.invalidBytes = true;
    quotes?.scan(text);
    if (text) self.push(text);
  };
  /** one chunk of decoded text: an error to stop on, or undefined */
  const take = (self: Transform, chunk: string): Error | undefined => {
    if (utf16) {
      if (held) { chunk = held + chunk; held = ''; }
      const last = chunk.charCodeAt(chunk.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) { held = chunk.slice(-1); chunk = chunk.slice(0, -1); }
      const text = chunk as string & WellFormed;
      if (!text.isWellFormed()) chunk = text.toWellFormed();
    }
    // a line ends at \n, or at \r in a file whose lines end so (old Mac exports): looked for only
    // when the chunk has no \n, as scanning every chunk for it cost a pass over the whole text
    let nl = chunk.lastIndexOf('\n');
    if (nl < 0) nl = chunk.lastIndexOf('\r');
    sinceNewline = nl < 0 ? sinceNewline + chunk.length : chunk.length - nl - 1;
    if (sinceNewline > MAX_LINE_CHARS) return new IngestError(problem('source-error', `có một dòng dài hơn ${MAX_LINE_CHARS / 1024 / 1024} triệu ký tự; tệp không phải bảng dữ liệu hợp lệ`));
    const text = tail + chunk;
    // up to the last line break (nothing composes with one, and papaparse then has no partial line
    // to copy the next chunk onto), else up to the last ASCII character
    let cut = text.lastIndexOf('\n') + 1;
    if (cut === 0) {
      cut = text.length - 1;
      while (cut >= 0 && text.charCodeAt(cut) >= 0x80) cut--;
      if (cut < 0) { tail = text; return undefined; } // no ASCII yet (the line guard bounds this)
    }
    tail = text.slice(cut);
    try {
      pass(self, text.slice(0, cut));
    } catch (err) {
      return err as Error;
    }
    return undefined;
  };
  return new Transform({
    // strings out: without an encoding the readable side turned each decoded chunk back into
    // a Buffer, which papaparse then decoded again (about a tenth of the ingest's time)
    encoding: 'utf8',
    transform(bytes: Buffer, _enc, done) {
      if (signal?.aborted) { done(abortedError()); return; }
      if (progress) progress.bytes += bytes.length;
      let chunk: string;
      try {
        chunk = decode.write(bytes);
      } catch (err) {
        done(err as Error);
        return;
      }
      done(chunk.length ? take(this, chunk) : undefined);
    },
    flush(done) {
      try {
        const last = decode.end();
        if (last.length) { const err = take(this, last); if (err) throw err; }
        if (held && watch) watch.invalidBytes = true;
        pass(this, tail + (held ? '\uFFFD' : ''));
        quotes?.end();
      } catch (err) {
        done(err as Error);
        return;
      }
      done();
    },
  });
}

/** Bytes read from a delimited file at a time: fewer, larger chunks cost less in each step of the stream. */
const READ_CHUNK = 64 * 1024;

/**
 * Streams a delimited text file. The bytes are decoded before papaparse sees them: fed raw bytes,
 * papaparse corrupts multi-byte characters that straddle a chunk (PapaParse #751).
 */
export async function* readDelimited(filePath: string, decoder: string, dialect: Dialect, progress?: ReadProgress, signal?: AbortSignal, watch?: TextWatch): RowSource {
  const queue: string[][][] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let paused = false;
  const notify = () => { wake?.(); wake = undefined; };
  const fail = (err: unknown) => { failure ??= err; done = true; notify(); };
  // pipeline(): an error or destroy anywhere tears the whole chain down
  // only UTF-16 can decode to unpaired surrogates: UTF-8 decoding (StringDecoder) and the single-byte code pages cannot
  const quotes = new QuoteScanner(dialect.delimiter, dialect.quoteChar, dialect.lineTerminator, (p) => {
    if (!watch) return;
    watch.quoteFaultCount = (watch.quoteFaultCount ?? 0) + 1;
    if ((watch.quoteFaults ??= []).length < MAX_QUOTE_FAULTS) watch.quoteFaults.push(p);
  });
  // read, counted, decoded and guarded in one step: each stream between them cost its own work per chunk
  const text = pipeline(fs.createReadStream(filePath, { highWaterMark: READ_CHUNK }), textGuard(chunkDecoder(decoder), decoder.startsWith('utf-16'), watch, quotes, progress, signal), (err) => { if (err) fail(err); });
  let parserRef: Papa.Parser | undefined;
  Papa.parse<string[]>(text as unknown as File, {
    delimiter: dialect.delimiter,
    quoteChar: dialect.quoteChar,
    // the scanner counts rows by the same line terminator
    newline: dialect.lineTerminator,
    chunk(results, parser) {
      parserRef = parser;
      if (results.errors.some((e) => e.code === 'MissingQuotes')) {
        // the scanner reports an unclosed quote, with its row and column, when the text ends
        parser.abort();
        fail(new IngestError(problem('unclosed-quote', 'một dấu ngoặc kép mở không được đóng; mọi dòng sau đó bị đọc thành một ô')));
        return;
      }
      queue.push(results.data);
      // Backpressure on the text stream itself: papaparse's own pause() stops parsing but keeps
      // queueing the stream's chunks, which held the whole file in memory.
      if (queue.length >= 4 && !paused) { paused = true; text.pause(); }
      notify();
    },
    complete() { done = true; notify(); },
    error(err) { fail(err); },
  });
  try {
    while (true) {
      if (failure) throw failure instanceof IngestError ? failure : new IngestError(problem('encoding-error', String((failure as Error).message ?? failure)));
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      if (done) return;
      if (paused) {
        paused = false;
        text.resume();
        continue; // a chunk may already have been parsed: look at the queue again before waiting
      }
      await new Promise<void>((resolve) => { wake = resolve; });
    }
  } finally {
    if (!done) parserRef?.abort();
    text.destroy();
  }
}

/**
 * The text of a number from a typed source (a spreadsheet's number cell, a JSON number), written so
 * that the table reads it back as that number: "1.234" would be read the Vietnamese way, as 1234
 * (and a column of such numbers published 1000 times too large), so three decimals get a fourth, 0.
 */
export function typedNumberText(text: string): string {
  return /^-?\d{1,3}\.\d{3}$/.test(text) ? `${text}0` : text;
}

/**
 * A spreadsheet number as Excel shows it in the General format: 15 significant digits (0.1 + 0.2 is
 * 0.3, 1234567890123456789 is 1234567890123460000), never an exponent (the table would read 1e-7 as text).
 */
function spreadsheetNumber(n: number): string {
  if (Number.isSafeInteger(n) && Math.abs(n) < 1e15) return String(n);
  return typedNumberText(n.toLocaleString('en-US', { useGrouping: false, maximumSignificantDigits: 15 }));
}

/** Excel's day 0: a cell of a time of day alone (05:30) is that day at that time. */
const TIME_ONLY = '1899-12-30T';

/** Why a cell cannot be published as its value (an error value, a formula never calculated), or null. */
function cellFault(value: ExcelJS.CellValue): string | null {
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if ('error' in value) return `ô có giá trị lỗi ${String(value.error)}`;
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue | undefined;
    if (result === undefined) return 'công thức chưa được tính (phần mềm tạo tệp không lưu kết quả); hãy mở tệp bằng Excel và lưu lại';
    return cellFault(result);
  }
  return null;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return spreadsheetNumber(value);
  if (value instanceof Date) {
    const iso = value.toISOString();
    if (iso.startsWith(TIME_ONLY)) return iso.slice(11, 19);
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    return ''; // cellFault() has refused error values before
  }
  return String(value);
}

/** Which sheet to read, and the workbook's hidden sheets and sheet layouts (see inspectXlsx). */
export interface SheetChoice { sheetName?: string; hiddenSheets?: Set<string>; layouts?: Map<string, SheetLayout> }

/**
 * Streams one worksheet of an .xlsx (the named one, else the first visible one with rows), as Excel
 * users fill them. A value in a row or column Excel hides is refused: the unit who hid it did not
 * review it, and it would be published all the same.
 */
export async function* readXlsx(filePath: string, choice: SheetChoice, progress?: ReadProgress, signal?: AbortSignal, onSheet?: (name: string) => void): RowSource {
  const { sheetName, hiddenSheets = new Set<string>(), layouts = new Map<string, SheetLayout>() } = choice;
  // loaded on first use: most files are CSV, and exceljs alone weighs tens of MB in memory
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(countingStream(filePath, progress, signal), {
    sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'emit',
  });
  let found = false;
  for await (const worksheet of reader) {
    const ws = worksheet as unknown as AsyncIterable<ExcelJS.Row> & { name?: string };
    if (found || (sheetName ? ws.name !== sheetName : hiddenSheets.has(ws.name ?? ''))) {
      for await (const _row of ws) { /* drain the sheets we do not read */ }
      continue;
    }
    let lastRow = 0;
    let batch: string[][] = [];
    const layout = layouts.get(ws.name ?? '');
    // by row, the last column a merged range covers (ranges of a few rows: headings, not blocks of data)
    const mergeEnds = new Map<number, number>();
    for (const m of layout?.merges ?? []) {
      if (m.r2 - m.r1 > 100) continue;
      for (let r = m.r1; r <= m.r2; r++) mergeEnds.set(r, Math.max(mergeEnds.get(r) ?? 0, m.c2));
    }
    const hiddenData = (rowNumber: number, column: number, what: string) => new IngestError(problem('hidden-data', `${what} đang bị ẩn trong Excel nhưng có dữ liệu (hàng ${rowNumber}, cột ${column}); dữ liệu ẩn cũng sẽ được công bố: hãy xóa nếu không công bố, hoặc bỏ ẩn để kiểm tra trước khi tải lên`, { rowNumber, fieldNumber: column }));
    for await (const row of ws) {
      // the streaming reader skips empty rows: restore them so row numbers match what the unit sees in Excel
      for (let r = lastRow + 1; r < row.number; r++) batch.push([]);
      lastRow = row.number;
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) {
        // an error value or an uncalculated formula shows the unit something other than its value: never published as empty
        const fault = cellFault(values[i]);
        if (fault) throw new IngestError(problem('formula-error', `hàng ${row.number}, cột ${i}: ${fault}`, { rowNumber: row.number, fieldNumber: i }));
        const text = cellText(values[i]);
        if (layout && text.trim() !== '') {
          if (layout.rows.has(row.number)) throw hiddenData(row.number, i, `hàng ${row.number}`);
          if (layout.columns.has(i)) throw hiddenData(row.number, i, `cột ${i}`);
        }
        cells.push(text);
      }
      // a heading merged over several columns ends the row early when they are its last ones (exceljs
      // writes no cell under a merge): the columns it covers are there, empty, as a two-row header has them
      const mergedTo = mergeEnds.get(row.number);
      if (mergedTo) while (cells.length < mergedTo) cells.push('');
      batch.push(cells);
      if (!found && ws.name) onSheet?.(ws.name);
      found = true;
      if (batch.length >= BATCH) { yield batch; batch = []; }
    }
    if (batch.length) yield batch;
  }
}

/**
 * A JSON number as the file writes it: read from its digits, never through a double
 * (12345678901234567890 stays exact), and written back as it was inside a nested value.
 */
class JsonNumber {
  readonly text: string;
  constructor(text: string) { this.text = text; }
  toJSON(): unknown {
    return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(this.text);
  }
}

/**
 * A JSON number's text for the table: as written when it is plain digits (exact, however long);
 * written out without its exponent (1E2 is 100) when a double holds it exactly enough, that is in
 * 15 significant digits and the double's normal range, as a spreadsheet's number; else as written
 * (the column is then text).
 */
function jsonNumberText(text: string): string {
  if (/^-?\d+(\.\d+)?$/.test(text)) return typedNumberText(text);
  const mantissa = text.split(/[eE]/)[0]!;
  const n = Number(text);
  // not rounded to 0 or into the subnormals either (1E-400 is no 0)
  const held = Number.isFinite(n) && !tooManyDigits(mantissa) && (n === 0 ? !/[1-9]/.test(mantissa) : Math.abs(n) >= 2.2250738585072014e-308);
  return held ? spreadsheetNumber(n) : text;
}

function jsonCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof JsonNumber) return jsonNumberText(v.text);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function mustBeObject(v: unknown, index: number): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) throw new IngestError(problem('format-error', `phần tử thứ ${index + 1} không phải một đối tượng JSON`));
  return v as Record<string, unknown>;
}

const duplicateKey = (key: string, where: string) => new IngestError(problem('duplicate-key', `khóa "${key.slice(0, 100)}" xuất hiện hai lần trong ${where}; chỉ một giá trị có thể được công bố`));

/** A line of NDJSON, its numbers kept as written (JSON.parse gives each one's source text to the reviver). */
function parseLine(line: string): unknown {
  return JSON.parse(line, (_key: string, value: unknown, context?: { source?: string }) => (typeof value === 'number' ? new JsonNumber(context?.source ?? String(value)) : value));
}

/**
 * stream-json's assembler, keeping numbers as written (JsonNumber) and noting a key given twice in
 * one object (it would keep the last value) with the element it is in (`element()`): the reader
 * refuses that element when it comes, outside the stream.
 */
function rawAssembler(Assembler: new () => object, element: () => number): { duplicate?: { key: string; element: number } } {
  type Raw = { current: unknown; key: string | null; duplicate?: { key: string; element: number }; numberValue(v: string): void; keyValue(v: string): void; _saveValue(v: unknown): void };
  const a = new Assembler() as Raw;
  a.numberValue = function (this: Raw, v: string) { this._saveValue(new JsonNumber(v)); };
  a.keyValue = function (this: Raw, v: string) {
    const c = this.current;
    if (c && typeof c === 'object' && !Array.isArray(c) && Object.hasOwn(c, v)) this.duplicate ??= { key: v, element: element() };
    this.key = v;
  };
  return a;
}

/** Streams objects from a JSON array (stream-json) or from NDJSON, one at a time. */
async function* records(filePath: string, ndjson: boolean, progress?: ReadProgress, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>> {
  const { default: streamJson } = await import('stream-json');
  const { default: StreamArray } = await import('stream-json/streamers/StreamArray.js');
  const { default: Assembler } = await import('stream-json/Assembler.js');
  const source = countingStream(filePath, progress, signal);
  let i = 0;
  if (ndjson) {
    const lines = readline.createInterface({ input: source.pipe(decodeStream('utf-8')) as unknown as NodeJS.ReadableStream, crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      let v: unknown;
      try { v = parseLine(line); } catch {
        throw new IngestError(problem('format-error', `dòng ${lineNumber} không phải JSON hợp lệ`, { rowNumber: lineNumber }));
      }
      yield mustBeObject(v, i++);
    }
    return;
  }
  const array = StreamArray.streamArray();
  // the element being assembled: StreamArray numbers them as it passes them on
  const assembler = rawAssembler(Assembler as unknown as new () => object, () => (array as unknown as { _counter: number })._counter);
  (array as unknown as { _assembler: object })._assembler = assembler;
  // pipeline(): a parse error (a trailing comma, a cut file) reaches the loop below instead of
  // being an unhandled 'error' event, which stopped the whole process
  const items = pipeline(source, streamJson.parser(), array, () => { /* errors reach the loop through `array` */ });
  try {
    for await (const item of items as AsyncIterable<{ key: number; value: unknown }>) {
      if (assembler.duplicate?.element === item.key) throw duplicateKey(assembler.duplicate.key, `phần tử thứ ${i + 1}`);
      yield mustBeObject(item.value, i++);
    }
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError(problem('format-error', `tệp phải là một mảng JSON các đối tượng; sau phần tử thứ ${i} thì không đọc được (${(err as Error).message})`));
  } finally {
    items.destroy();
  }
}

/** Reads a JSON array of objects or NDJSON. Columns are the keys in order of first appearance (one pass to find them). */
export async function* readJsonRecords(filePath: string, ndjson: boolean, progress?: ReadProgress, signal?: AbortSignal): RowSource {
  const keys: string[] = [];
  const seen = new Set<string>();
  for await (const rec of records(filePath, ndjson, undefined, signal)) for (const k in rec) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  let batch: string[][] = [keys];
  for await (const rec of records(filePath, ndjson, progress, signal)) {
    batch.push(keys.map((k) => jsonCell(rec[k])));
    if (batch.length >= BATCH) { yield batch; batch = []; }
  }
  if (batch.length) yield batch;
}
