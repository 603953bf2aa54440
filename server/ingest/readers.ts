import fs from 'node:fs';
import type { Readable } from 'node:stream';
import Papa from 'papaparse';
import ExcelJS from 'exceljs';
import { decodeStream } from './encoding.ts';
import { IngestError, problem } from './errors.ts';

/** A source table as rows of raw text cells; every reader yields this, so validation is format-blind. */
export type RowSource = AsyncGenerator<string[]>;

export const DELIMITERS = [',', ';', '\t', '|'];

/** Guesses the delimiter from the first decoded text of the file. */
export function sniffDelimiter(sampleText: string): string {
  const parsed = Papa.parse<string[]>(sampleText, { preview: 50, delimitersToGuess: DELIMITERS, skipEmptyLines: true });
  return parsed.meta.delimiter || ',';
}

/**
 * Streams a delimited text file. The bytes are decoded before papaparse sees them: fed raw bytes,
 * papaparse corrupts multi-byte characters that straddle a chunk (PapaParse #751).
 */
export async function* readDelimited(filePath: string, decoder: string, delimiter: string): RowSource {
  const text = fs.createReadStream(filePath).pipe(decodeStream(decoder)) as unknown as Readable;
  const queue: string[][] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let paused: Papa.Parser | undefined;
  const notify = () => { wake?.(); wake = undefined; };
  Papa.parse<string[]>(text as unknown as File, {
    delimiter,
    step(results, parser) {
      const unterminated = results.errors.find((e) => e.code === 'MissingQuotes');
      if (unterminated) {
        failure = new IngestError(problem('source-error', `dấu ngoặc kép không được đóng (hàng ${(unterminated.row ?? 0) + 1})`));
        parser.abort();
        notify();
        return;
      }
      queue.push(results.data);
      if (queue.length >= 500 && !paused) { paused = parser; parser.pause(); }
      notify();
    },
    complete() { done = true; notify(); },
    error(err) { failure = err; done = true; notify(); },
  });
  text.on('error', (err) => { failure = err; done = true; notify(); });
  while (true) {
    if (failure) throw failure instanceof IngestError ? failure : new IngestError(problem('encoding-error', String((failure as Error).message ?? failure)));
    if (queue.length) {
      yield queue.shift()!;
      continue;
    }
    if (done) return;
    if (paused) {
      // resume() may parse synchronously up to the end of input: look at the queue again before waiting
      const p = paused;
      paused = undefined;
      p.resume();
      continue;
    }
    await new Promise<void>((resolve) => { wake = resolve; });
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
    return '';
  }
  return String(value);
}

/** Streams the first worksheet of an .xlsx that has rows (or the named one), as Excel users fill them. */
export async function* readXlsx(filePath: string, sheetName?: string): RowSource {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
    sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'emit',
  });
  let found = false;
  for await (const worksheet of reader) {
    const ws = worksheet as unknown as AsyncIterable<ExcelJS.Row> & { name: string };
    if (found || (sheetName && ws.name !== sheetName)) {
      for await (const _row of ws) { /* drain sheets we do not read */ }
      continue;
    }
    let lastRow = 0;
    for await (const row of ws) {
      // the streaming reader skips empty rows: restore them so row numbers match what the unit sees in Excel
      for (let r = lastRow + 1; r < row.number; r++) yield [];
      lastRow = row.number;
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      yield cells;
      found = true;
    }
  }
}

/** Reads a JSON array of objects. Columns are the keys in order of first appearance. */
export async function* readJsonArray(filePath: string): RowSource {
  const { size } = fs.statSync(filePath);
  if (size > 256 * 1024 * 1024) throw new IngestError(problem('source-error', 'tệp JSON lớn hơn 256 MB'));
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(filePath, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new IngestError(problem('format-error', `JSON không hợp lệ (${(err as Error).message})`));
  }
  if (!Array.isArray(data) || data.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) {
    throw new IngestError(problem('format-error', 'tệp JSON phải là một mảng các đối tượng'));
  }
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const rec of data as Record<string, unknown>[]) for (const k of Object.keys(rec)) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  yield keys;
  for (const rec of data as Record<string, unknown>[]) {
    yield keys.map((k) => {
      const v = rec[k];
      if (v === null || v === undefined) return '';
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
}
