import Papa from 'papaparse';
import { problem, type IngestProblem } from './errors.ts';
import { TypeTracker, castValue, type TableField } from './types.ts';
import { HashingWriter, type HashedFile } from '../storage/blobs.ts';
import type { RowSource } from './readers.ts';

export const MAX_ERRORS_KEPT = 100;
const HEADER_SEARCH_ROWS = 20;

export interface TableSchema {
  fields: TableField[];
  missingValues: string[];
}

export interface ProblemLog {
  errors: IngestProblem[];
  errorCount: number;
  warnings: IngestProblem[];
  warningCount: number;
}

export function newProblemLog(): ProblemLog {
  return { errors: [], errorCount: 0, warnings: [], warningCount: 0 };
}

function record(log: ProblemLog, p: IngestProblem, severity: 'error' | 'warning'): void {
  if (severity === 'error') {
    log.errorCount++;
    if (log.errors.length < MAX_ERRORS_KEPT) log.errors.push(p);
  } else {
    log.warningCount++;
    if (log.warnings.length < MAX_ERRORS_KEPT) log.warnings.push(p);
  }
}

const cleanCell = (s: string) => s.normalize('NFC').trim();
const nonEmpty = (row: string[]) => row.reduce((n, c) => n + (c.trim() === '' ? 0 : 1), 0);

/**
 * Pass 1: finds the header row (skipping the title lines Excel users put above a table), checks the
 * structure row by row, NFC-normalises every cell (per cell: a combining tone mark may straddle a
 * chunk) and writes the clean text table to a temporary UTF-8 CSV while inferring field types.
 */
export async function normaliseTable(rows: RowSource, tmpCsvPath: string, log: ProblemLog, onRow?: (n: number) => void) {
  const writer = new HashingWriter(tmpCsvPath);
  let header: string[] | undefined;
  let headerRowNumber = 0;
  let trackers: TypeTracker[] = [];
  let rowNumber = 0;
  let dataRows = 0;
  let pendingBlank: number[] = [];
  const buffered: string[][] = [];

  const takeHeader = (candidates: string[][]) => {
    // the header is the first row that fills at least half of the widest row among the first ones
    const width = Math.max(...candidates.map(nonEmpty));
    const idx = candidates.findIndex((r) => nonEmpty(r) >= Math.max(1, Math.ceil(width / 2)));
    return idx < 0 ? 0 : idx;
  };

  const startTable = async (labels: string[], rowNo: number) => {
    let cells = labels.map(cleanCell);
    while (cells.length > 1 && cells[cells.length - 1] === '') cells.pop(); // trailing empty columns in Excel exports
    headerRowNumber = rowNo;
    if (cells.every((c) => c === '')) {
      record(log, problem('blank-header', undefined, { rowNumber: rowNo }), 'error');
    }
    const seen = new Map<string, number>();
    cells.forEach((label, i) => {
      if (label === '') record(log, problem('blank-label', `cột thứ ${i + 1}`, { rowNumber: rowNo, fieldNumber: i + 1 }), 'error');
      else if (seen.has(label)) record(log, problem('duplicate-label', `"${label}" (cột ${seen.get(label)! + 1} và ${i + 1})`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: label }), 'error');
      else seen.set(label, i);
    });
    header = cells;
    trackers = cells.map((c) => new TypeTracker(c));
    await writer.write(Papa.unparse([cells]) + '\r\n');
  };

  const dataRow = async (raw: string[], rowNo: number) => {
    const h = header!;
    if (nonEmpty(raw) === 0) { pendingBlank.push(rowNo); return; }
    // blank rows inside the table are reported; blank rows at its end (Excel leftovers) are not
    for (const b of pendingBlank) record(log, problem('blank-row', `hàng ${b}`, { rowNumber: b }), 'warning');
    pendingBlank = [];
    const cells = raw.map(cleanCell);
    if (cells.length > h.length) {
      const extra = cells.slice(h.length);
      if (extra.some((c) => c !== '')) {
        const at = h.length + extra.findIndex((c) => c !== '');
        record(log, problem('extra-cell', `hàng ${rowNo}, cột ${at + 1}: "${cells[at]}"`, { rowNumber: rowNo, fieldNumber: at + 1, cell: cells[at] }), 'error');
      }
      cells.length = h.length;
    } else if (cells.length < h.length) {
      const at = cells.length;
      record(log, problem('missing-cell', `hàng ${rowNo}, cột ${at + 1} ("${h[at]}")`, { rowNumber: rowNo, fieldNumber: at + 1, fieldName: h[at] }), 'error');
      while (cells.length < h.length) cells.push('');
    }
    for (let i = 0; i < cells.length; i++) trackers[i]!.add(cells[i]!);
    dataRows++;
    if (onRow && dataRows % 10000 === 0) onRow(dataRows);
    await writer.write(Papa.unparse([cells]) + '\r\n');
  };

  try {
    for await (const raw of rows) {
      rowNumber++;
      if (!header) {
        buffered.push(raw);
        if (buffered.length < HEADER_SEARCH_ROWS) continue;
        const idx = takeHeader(buffered);
        await startTable(buffered[idx]!, idx + 1);
        for (let i = idx + 1; i < buffered.length; i++) await dataRow(buffered[i]!, i + 1);
        buffered.length = 0;
        continue;
      }
      await dataRow(raw, rowNumber);
    }
    if (!header && buffered.some((r) => nonEmpty(r) > 0)) {
      const idx = takeHeader(buffered);
      await startTable(buffered[idx]!, idx + 1);
      for (let i = idx + 1; i < buffered.length; i++) await dataRow(buffered[i]!, i + 1);
    }
  } catch (err) {
    writer.abort();
    throw err;
  }
  const file = await writer.finish();
  if (!header) record(log, problem('row-count', 'tệp trống'), 'error');
  else if (dataRows === 0) record(log, problem('row-count', 'chỉ có hàng tiêu đề'), 'error');
  const schema: TableSchema = { fields: trackers.map((t) => t.result()), missingValues: [''] };
  return { file, schema, rowCount: dataRows, headerRowNumber };
}

/** A spreadsheet program would run a cell starting with these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Pass 2: reads the clean text table and writes the published outputs: CSV with ISO dates and dot
 * decimals, and JSON with typed values.
 */
export async function writeOutputs(cleanCsv: RowSource, schema: TableSchema, csvPath: string, jsonPath: string) {
  const csv = new HashingWriter(csvPath);
  const json = new HashingWriter(jsonPath);
  const fields = schema.fields;
  let first = true;
  let isHeader = true;
  try {
    await json.write('[');
    for await (const cells of cleanCsv) {
      if (isHeader) { isHeader = false; await csv.write(Papa.unparse([cells.map(neutraliseFormula)]) + '\r\n'); continue; }
      const values = fields.map((f, i) => castValue(f, cells[i] ?? ''));
      const csvCells = values.map((v, i) => v === null ? '' : fields[i]!.type === 'string' ? neutraliseFormula(String(v)) : String(v));
      await csv.write(Papa.unparse([csvCells]) + '\r\n');
      const obj: Record<string, unknown> = {};
      fields.forEach((f, i) => { obj[f.name] = values[i]; });
      await json.write((first ? '\n' : ',\n') + JSON.stringify(obj));
      first = false;
    }
    await json.write('\n]\n');
  } catch (err) {
    csv.abort();
    json.abort();
    throw err;
  }
  return { csv: await csv.finish(), json: await json.finish() };
}

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
