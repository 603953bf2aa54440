import fs from 'node:fs';
import readline from 'node:readline';
import { IngestError, problem, type IngestProblem } from './errors.ts';
import { TypeTracker } from './infer.ts';
import { brokenConstraint, castCell, hash53, type Cell, type TableField, type TableSchema } from './schema.ts';
import { HashingWriter, type HashedFile } from '../storage/blobs.ts';
import type { RowSource } from './readers.ts';

export const MAX_ERRORS_KEPT = 100;
export const MAX_COLUMNS = 10_000;
const HEADER_SEARCH_ROWS = 20;

export interface ProblemLog {
  errors: IngestProblem[];
  errorCount: number;
  warnings: IngestProblem[];
  warningCount: number;
  countsByType: Record<string, number>;
}

export function newProblemLog(): ProblemLog {
  return { errors: [], errorCount: 0, warnings: [], warningCount: 0, countsByType: {} };
}

/** Keeps the first MAX_ERRORS_KEPT problems of each severity and counts them all, by type. */
export function record(log: ProblemLog, p: IngestProblem, severity: 'error' | 'warning' = 'error'): void {
  log.countsByType[p.type] = (log.countsByType[p.type] ?? 0) + 1;
  if (severity === 'error') {
    log.errorCount++;
    if (log.errors.length < MAX_ERRORS_KEPT) log.errors.push(p);
  } else {
    log.warningCount++;
    if (log.warnings.length < MAX_ERRORS_KEPT) log.warnings.push(p);
  }
}

export interface Progress { phase: 'đọc' | 'kiểm tra'; rows: number }
export interface TableOptions {
  schema?: TableSchema;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** report U+FFFD in cells: the decoder's mark for bytes that were not valid in the file's encoding */
  flagInvalidBytes?: boolean;
  /** spreadsheet rows simply end early when their last cells are empty: pad them, do not report them */
  padShortRows?: boolean;
}

const cleanCell = (s: string) => (s.length ? s.normalize('NFC').trim() : s);
const nonEmpty = (row: string[]) => { let n = 0; for (const c of row) if (c.trim() !== '') n++; return n; };
const isNumeric = (s: string) => /^[+-]?[\d.,]+%?$/.test(s.trim());

function checkAborted(signal?: AbortSignal) {
  if (signal?.aborted) throw new IngestError(problem('source-error', 'quá trình nạp bị dừng giữa chừng; không có gì được công bố'));
}

/** Picks the header among the first rows: the first that fills at least half the widest row (title lines sit above). */
function headerIndex(candidates: string[][]): number {
  const width = Math.max(...candidates.map(nonEmpty));
  const idx = candidates.findIndex((r) => nonEmpty(r) >= Math.max(1, Math.ceil(width / 2)));
  return idx < 0 ? 0 : idx;
}

/**
 * Excel users write two-row headers under merged cells ("Dân số" over "Nam" | "Nữ"): the top row
 * has blanks where the merge spans, the row below names the parts. Joins them as "Dân số - Nam".
 */
function joinTwoRowHeader(top: string[], below: string[] | undefined): string[] | null {
  if (!below || !top.some((c, i) => c === '' && i > 0 && top.slice(0, i).some((x) => x !== ''))) return null;
  const sub = below.map(cleanCell);
  if (sub.some((c) => c !== '' && isNumeric(c))) return null;
  if (!top.every((c, i) => c !== '' || sub[i] !== '')) return null;
  let carried = '';
  return top.map((c, i) => {
    const starts = c !== '';
    if (starts) carried = c;
    const part = sub[i] ?? '';
    const merged = !starts || (part !== '' && top[i + 1] === '');
    return merged && part ? `${carried} - ${part}` : carried;
  });
}

/**
 * Pass 1: finds the header row, checks the table's structure row by row, NFC-normalises every
 * cell (per cell: a Windows-1258 tone mark may straddle a chunk), infers field types and writes
 * the clean rows, with their source row numbers, to an intermediate NDJSON file.
 */
export async function normaliseTable(rows: RowSource, intermediatePath: string, log: ProblemLog, opts: TableOptions = {}) {
  const writer = new HashingWriter(intermediatePath);
  let header: string[] | undefined;
  let headerRowNumber = 0;
  let trackers: TypeTracker[] = [];
  let rowNumber = 0;
  let dataRows = 0;
  let pendingBlank: number[] = [];
  let skipRows = new Set<number>();
  const buffered: string[][] = [];

  const startTable = async (labelsRaw: string[], rowNo: number) => {
    let labels = labelsRaw.map(cleanCell);
    while (labels.length > 1 && labels[labels.length - 1] === '') labels.pop(); // Excel's trailing empty columns
    if (labels.length > MAX_COLUMNS) throw new IngestError(problem('field-count', `tệp có ${labels.length.toLocaleString('vi-VN')} cột, giới hạn là ${MAX_COLUMNS.toLocaleString('vi-VN')}`));
    headerRowNumber = rowNo;
    if (labels.every((c) => c === '')) record(log, problem('blank-header', `hàng ${rowNo}`, { rowNumber: rowNo }));
    const seen = new Map<string, number>();
    labels.forEach((label, i) => {
      if (label === '') record(log, problem('blank-label', `cột thứ ${i + 1}`, { rowNumber: rowNo, fieldNumber: i + 1 }));
      else if (seen.has(label)) record(log, problem('duplicate-label', `"${label}" (cột ${seen.get(label)! + 1} và ${i + 1})`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: label }));
      else seen.set(label, i);
    });
    if (opts.schema) checkLabels(labels, opts.schema.fields, rowNo, log);
    header = labels;
    trackers = labels.map((c) => new TypeTracker(c));
  };

  const dataRow = async (raw: string[], rowNo: number) => {
    const h = header!;
    if (nonEmpty(raw) === 0) { pendingBlank.push(rowNo); return; }
    // blank rows inside the table are reported; those after its end (Excel leftovers) are not
    for (const b of pendingBlank) record(log, problem('blank-row', `hàng ${b}`, { rowNumber: b }), 'warning');
    pendingBlank = [];
    const cells = raw.map(cleanCell);
    if (cells.length > h.length) {
      const at = cells.findIndex((c, i) => i >= h.length && c !== '');
      if (at >= 0) record(log, problem('extra-cell', `hàng ${rowNo}, cột ${at + 1}: "${cells[at]!.slice(0, 100)}"`, { rowNumber: rowNo, fieldNumber: at + 1, cell: cells[at]!.slice(0, 1000) }));
      cells.length = h.length;
    } else if (cells.length < h.length && opts.padShortRows) {
      while (cells.length < h.length) cells.push('');
    } else if (cells.length < h.length) {
      const at = cells.length;
      record(log, problem('missing-cell', `hàng ${rowNo}, cột ${at + 1} ("${h[at]}")`, { rowNumber: rowNo, fieldNumber: at + 1, fieldName: h[at] }));
      while (cells.length < h.length) cells.push('');
    }
    for (let i = 0; i < cells.length; i++) {
      trackers[i]!.add(cells[i]!);
      if (opts.flagInvalidBytes && cells[i]!.includes('\uFFFD')) record(log, problem('encoding-error', `hàng ${rowNo}, cột ${i + 1}: có byte không hợp lệ trong bảng mã của tệp`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: h[i], cell: cells[i]!.slice(0, 200) }));
    }
    dataRows++;
    if (dataRows % 10_000 === 0) { checkAborted(opts.signal); opts.onProgress?.({ phase: 'đọc', rows: dataRows }); }
    await writer.write(JSON.stringify([rowNo, ...cells]) + '\n');
  };

  const flushBuffered = async () => {
    const idx = headerIndex(buffered);
    const joined = joinTwoRowHeader(buffered[idx]!.map(cleanCell), buffered[idx + 1]);
    await startTable(joined ?? buffered[idx]!, idx + 1);
    if (joined) skipRows = new Set([idx + 2]);
    for (let i = idx + 1; i < buffered.length; i++) if (!skipRows.has(i + 1)) await dataRow(buffered[i]!, i + 1);
    buffered.length = 0;
  };

  try {
    for await (const raw of rows) {
      rowNumber++;
      if (!header) {
        buffered.push(raw);
        if (buffered.length >= HEADER_SEARCH_ROWS) await flushBuffered();
        continue;
      }
      await dataRow(raw, rowNumber);
    }
    checkAborted(opts.signal);
    if (!header && buffered.some((r) => nonEmpty(r) > 0)) await flushBuffered();
  } catch (err) {
    writer.abort();
    throw err;
  }
  const file = await writer.finish();
  if (!header) record(log, problem('row-count', 'tệp trống'));
  else if (dataRows === 0) record(log, problem('row-count', 'chỉ có hàng tiêu đề'));
  const inferred: TableSchema = { fields: trackers.map((t) => t.result()), missingValues: [''] };
  return { file, header: header ?? [], inferred, rowCount: dataRows, headerRowNumber };
}

function checkLabels(labels: string[], fields: TableField[], rowNo: number, log: ProblemLog) {
  const n = Math.max(labels.length, fields.length);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    const field = fields[i];
    if (label === undefined) record(log, problem('missing-label', `cột ${i + 1} "${field!.name}" có trong lược đồ nhưng không có trong tệp`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: field!.name }));
    else if (field === undefined) record(log, problem('extra-label', `cột ${i + 1} "${label}" không có trong lược đồ`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: label }));
    else if (label !== field.name) record(log, problem('incorrect-label', `cột ${i + 1} là "${label}", lược đồ yêu cầu "${field.name}"`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: field.name, cell: label }));
  }
}

const CONSTRAINT_VI: Record<string, string> = {
  required: 'bắt buộc có giá trị', minLength: 'độ dài tối thiểu', maxLength: 'độ dài tối đa', minimum: 'giá trị nhỏ nhất',
  maximum: 'giá trị lớn nhất', pattern: 'mẫu', enum: 'một trong các giá trị',
};
const TYPE_VI: Record<string, string> = {
  integer: 'số nguyên', number: 'số', boolean: 'có/không', date: 'ngày', datetime: 'ngày giờ', year: 'năm', string: 'văn bản',
};

/** A spreadsheet program would run a cell starting with these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Pass 2: casts every cell with the schema (declared or inferred), checks constraints, unique
 * fields and the primary key, and writes the published outputs — CSV with ISO dates and dot
 * decimals, JSON with typed values. With any error, the outputs are discarded.
 */
export async function validateAndWrite(intermediatePath: string, schema: TableSchema, log: ProblemLog, paths: { csv: string; json: string }, opts: TableOptions = {}) {
  const fields = schema.fields;
  const missing = new Set(schema.missingValues ?? ['']);
  const patterns = fields.map((f) => (f.constraints?.pattern ? new RegExp(`^(?:${f.constraints.pattern})$`, 'u') : undefined));
  const uniques = fields.map((f) => (f.constraints?.unique ? new Set<number>() : null));
  const pk = (typeof schema.primaryKey === 'string' ? [schema.primaryKey] : schema.primaryKey ?? []).map((k) => fields.findIndex((f) => f.name === k));
  const pkSeen = pk.length ? new Set<number>() : null;
  const csv = new HashingWriter(paths.csv);
  const json = new HashingWriter(paths.json);
  let first = true;
  let rows = 0;
  try {
    await csv.write(fields.map((f) => csvField(neutraliseFormula(f.name))).join(',') + '\r\n');
    await json.write('[');
    const lines = readline.createInterface({ input: fs.createReadStream(intermediatePath, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      const [rowNo, ...cells] = JSON.parse(line) as [number, ...string[]];
      const values: Cell[] = new Array(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        const text = cells[i] ?? '';
        const where = { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text.slice(0, 1000) };
        if (missing.has(text)) {
          values[i] = null;
          if (f.constraints?.required || pk.includes(i)) record(log, problem('constraint-error', `hàng ${rowNo}, cột "${f.name}": ${CONSTRAINT_VI.required}`, where));
          continue;
        }
        const cast = castCell(f, text);
        if (!cast.ok) {
          values[i] = null;
          record(log, problem('type-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" không phải ${TYPE_VI[f.type] ?? f.type}${f.format ? ` (dạng ${f.format})` : ''}`, where));
          continue;
        }
        values[i] = cast.value;
        const broken = brokenConstraint(f, cast.value, text, patterns[i]);
        if (broken) record(log, problem('constraint-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" vi phạm ${CONSTRAINT_VI[broken.name]} (${String(broken.limit)})`, where));
        const u = uniques[i];
        if (u) {
          const h = hash53(String(cast.value));
          if (u.has(h)) record(log, problem('unique-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" đã xuất hiện ở hàng trước`, where));
          else u.add(h);
        }
      }
      if (pkSeen) {
        const h = hash53(JSON.stringify(pk.map((i) => values[i])));
        if (pkSeen.has(h)) record(log, problem('primary-key', `hàng ${rowNo}: khóa chính (${pk.map((i) => fields[i]!.name).join(', ')}) = ${pk.map((i) => String(values[i])).join(', ')} đã có ở hàng trước`, { rowNumber: rowNo }));
        else pkSeen.add(h);
      }
      if (log.errorCount > 0) continue; // keep validating, stop writing
      let line2 = '';
      const obj: Record<string, Cell> = {};
      for (let i = 0; i < fields.length; i++) {
        const v = values[i]!;
        const f = fields[i]!;
        obj[f.name] = v;
        if (i) line2 += ',';
        if (v !== null) line2 += csvField(f.type === 'string' ? neutraliseFormula(String(v)) : String(v));
      }
      await csv.write(line2 + '\r\n');
      await json.write((first ? '\n' : ',\n') + JSON.stringify(obj));
      first = false;
      if (++rows % 10_000 === 0) { checkAborted(opts.signal); opts.onProgress?.({ phase: 'kiểm tra', rows }); }
    }
    checkAborted(opts.signal);
    await json.write('\n]\n');
  } catch (err) {
    csv.abort();
    json.abort();
    throw err;
  }
  const out = { csv: await csv.finish(), json: await json.finish() };
  if (log.errorCount > 0) {
    fs.rmSync(out.csv.path, { force: true });
    fs.rmSync(out.json.path, { force: true });
    return null;
  }
  return out as { csv: HashedFile; json: HashedFile };
}
