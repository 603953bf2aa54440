import { IngestError, problem, type IngestProblem } from './errors.ts';
import { TypeTracker } from './infer.ts';
import { brokenConstraint, compileCast, hash53, type Cell, type TableField, type TableSchema } from './schema.ts';
import { OutputFormatter, WorkerOutput, type OutputFiles, type OutputPaths, type OutputSink } from './output.ts';
import { MAY_NEED_NFC, type RowSource, type TextWatch } from './readers.ts';

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

export interface TableOptions {
  schema?: TableSchema;
  /** rows read so far, every 10,000 rows */
  onProgress?: (rows: number) => void;
  signal?: AbortSignal;
  /** report U+FFFD in cells: the decoder's mark for bytes that were not valid in the file's encoding */
  flagInvalidBytes?: boolean;
  /** spreadsheet rows simply end early when their last cells are empty: pad them, do not report them */
  padShortRows?: boolean;
  /** the reader's watch on its decoded text: while no text may need NFC, cells skip the check */
  textWatch?: TextWatch;
  /** produce the outputs in a worker thread (large tables: the second core writes while this one reads) */
  outputWorker?: boolean;
}

export const cleanCell = (s: string) => (s.length ? (MAY_NEED_NFC.test(s) ? s.normalize('NFC') : s).trim() : s);
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

export interface TableResult {
  header: string[];
  headerRowNumber: number;
  rowCount: number;
  /** the schema the outputs were written with (declared, or inferred from the whole column) */
  schema: TableSchema;
  outputs: OutputFiles | null;
  /** inference over the whole table disagreed with the sample the outputs were written with */
  needsSecondPass: boolean;
}

/** Rows used to guess the types before writing; inference still runs over every row. */
export const SAMPLE_ROWS = 1000;

/**
 * One streaming pass over a table: finds the header row (skipping the title lines Excel users put
 * above a table), checks the structure row by row, NFC-normalises every cell (per cell: a
 * Windows-1258 tone mark may straddle a chunk), and casts, checks and writes each row to the
 * published CSV and JSON. With no declared schema, rows are written with the types inferred from
 * the first SAMPLE_ROWS; if the whole table later disagrees, the result asks for a second pass
 * with the final types (rare: it costs a second read, never a wrong output).
 */
export async function processTable(rows: RowSource, log: ProblemLog, paths: OutputPaths, opts: TableOptions & { inferredSchema?: TableSchema } = {}): Promise<TableResult> {
  let header: string[] | undefined;
  let headerRowNumber = 0;
  let trackers: TypeTracker[] = [];
  let rowNumber = 0;
  let dataRows = 0;
  let pendingBlank: number[] = [];
  let skipRow = -1;
  const buffered: string[][] = [];
  const declared = opts.schema ?? opts.inferredSchema;
  let writer: OutputWriter | undefined;
  let provisional: TableSchema | undefined;
  let sample: [number, string[]][] = [];
  let needsSecondPass = false;

  const startTable = (labelsRaw: string[], rowNo: number) => {
    const labels = labelsRaw.map(cleanCell);
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
    if (declared) writer = new OutputWriter(declared, log, paths, !!opts.schema, !!opts.outputWorker);
  };

  // Rows are checked and handed to the output synchronously; only a full output buffer (or, with
  // the output worker, enough waiting rows) is awaited: an await per row cost more than the row's work.
  const emit = (rowNo: number, cells: string[]) => {
    if (!writer || needsSecondPass) return;
    if (!writer.add(rowNo, cells)) { needsSecondPass = true; writer.abandon(); }
  };

  const dataRow = (raw: string[], rowNo: number) => {
    const h = header!;
    // cleanCell, inlined: NFC (only where it can change anything), trim, and count the non-empty cells
    const cells: string[] = new Array(raw.length);
    let filled = 0;
    let unusual = false; // a cell outside the fast NFC set: it may also hold U+FFFD
    const check = !opts.textWatch || opts.textWatch.mayNeedNfc;
    for (let i = 0; i < raw.length; i++) {
      let c = raw[i]!;
      if (c.length) {
        if (check && MAY_NEED_NFC.test(c)) { c = c.normalize('NFC'); unusual = true; }
        c = c.trim();
        if (c.length) filled++;
      }
      cells[i] = c;
    }
    if (filled === 0) { pendingBlank.push(rowNo); return; }
    // blank rows inside the table are reported; those after its end (Excel leftovers) are not
    for (const b of pendingBlank) record(log, problem('blank-row', `hàng ${b}`, { rowNumber: b }), 'warning');
    pendingBlank = [];
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
    for (let i = 0; i < cells.length; i++) trackers[i]!.add(cells[i]!);
    if (unusual && opts.flagInvalidBytes) {
      for (let i = 0; i < cells.length; i++) {
        if (cells[i]!.includes('\uFFFD')) record(log, problem('encoding-error', `hàng ${rowNo}, cột ${i + 1}: có byte không hợp lệ trong bảng mã của tệp`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: h[i], cell: cells[i]!.slice(0, 200) }));
      }
    }
    dataRows++;
    if (dataRows % 10_000 === 0) { checkAborted(opts.signal); opts.onProgress?.(dataRows); }
    if (declared || provisional) { emit(rowNo, cells); return; }
    sample.push([rowNo, cells]);
    if (sample.length >= SAMPLE_ROWS) startWriting();
  };

  const startWriting = () => {
    provisional = { fields: trackers.map((t) => t.result()), missingValues: [''] };
    writer = new OutputWriter(provisional, log, paths, false, !!opts.outputWorker);
    for (const [n, c] of sample) emit(n, c);
    sample = [];
  };

  const flushBuffered = () => {
    const idx = headerIndex(buffered);
    const joined = joinTwoRowHeader(buffered[idx]!.map(cleanCell), buffered[idx + 1]);
    startTable(joined ?? buffered[idx]!, idx + 1);
    if (joined) skipRow = idx + 2;
    for (let i = idx + 1; i < buffered.length; i++) if (i + 1 !== skipRow) dataRow(buffered[i]!, i + 1);
    buffered.length = 0;
  };

  try {
    for await (const batch of rows) {
      for (const raw of batch) {
        rowNumber++;
        if (!header) {
          buffered.push(raw);
          if (buffered.length >= HEADER_SEARCH_ROWS) flushBuffered();
          continue;
        }
        dataRow(raw, rowNumber);
        if (writer?.full) await writer.drain();
      }
      if (writer?.full) await writer.drain();
    }
    checkAborted(opts.signal);
    if (!header && buffered.some((r) => nonEmpty(r) > 0)) flushBuffered();
    if (header && !declared && !provisional) startWriting();
  } catch (err) {
    writer?.abandon();
    await writer?.settled();
    throw err;
  }
  if (!header) record(log, problem('row-count', 'tệp trống'));
  else if (dataRows === 0) record(log, problem('row-count', 'chỉ có hàng tiêu đề'));
  const inferred: TableSchema = { fields: trackers.map((t) => t.result()), missingValues: [''] };
  const schema = declared ?? inferred;
  if (!declared && provisional && JSON.stringify(provisional.fields) !== JSON.stringify(inferred.fields)) needsSecondPass = true;
  let outputs: TableResult['outputs'] = null;
  try {
    if (writer && !needsSecondPass && log.errorCount === 0) outputs = await writer.finish();
    else writer?.abandon();
  } catch (err) {
    writer?.abandon();
    throw err;
  } finally {
    await writer?.settled(); // an abandoned writer's files are gone before the caller goes on (or starts a second pass)
  }
  return { header: header ?? [], headerRowNumber, rowCount: dataRows, schema, outputs, needsSecondPass: needsSecondPass && log.errorCount === 0 };
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

export { neutraliseFormula } from './output.ts';

/**
 * Casts every cell with the schema, checks constraints, unique fields and the primary key, and
 * hands each row's values to the sink that writes the published outputs (in this thread, or in a
 * worker for large tables). With a declared schema, problems are the unit's errors; with a
 * provisional (inferred) one, a cell that does not fit only means the sample guessed wrong: add()
 * then returns false. The caller awaits drain() when `full` says so.
 */
class OutputWriter {
  private readonly fields: TableField[];
  private readonly missing: Set<string>;
  private readonly onlyEmptyMissing: boolean;
  private readonly casts: (((text: string) => Cell | undefined) | null)[];
  private readonly patterns: (RegExp | undefined)[];
  private readonly uniques: (Set<number> | null)[];
  private readonly pk: number[];
  private readonly inPk: boolean[];
  private readonly pkSeen: Set<number> | null;
  private readonly sink: OutputSink;
  private readonly log: ProblemLog;
  private readonly strict: boolean;
  /** one row's values, reused: the sink copies or formats them before add() returns */
  private readonly values: Cell[];

  constructor(schema: TableSchema, log: ProblemLog, paths: OutputPaths, strict: boolean, inWorker: boolean) {
    this.fields = schema.fields;
    this.missing = new Set(schema.missingValues ?? ['']);
    this.onlyEmptyMissing = this.missing.size === 1 && this.missing.has('');
    this.casts = this.fields.map(compileCast);
    this.patterns = this.fields.map((f) => (f.constraints?.pattern ? new RegExp(`^(?:${f.constraints.pattern})$`, 'u') : undefined));
    this.uniques = this.fields.map((f) => (f.constraints?.unique ? new Set<number>() : null));
    this.pk = (typeof schema.primaryKey === 'string' ? [schema.primaryKey] : schema.primaryKey ?? []).map((k) => this.fields.findIndex((f) => f.name === k));
    this.inPk = this.fields.map((_, i) => this.pk.includes(i));
    this.pkSeen = this.pk.length ? new Set<number>() : null;
    const names = this.fields.map((f) => f.name);
    this.sink = inWorker ? new WorkerOutput(names, paths) : new OutputFormatter(names, paths);
    this.log = log;
    this.strict = strict;
    this.values = new Array(this.fields.length).fill(null);
  }

  get full(): boolean {
    return this.sink.full;
  }

  add(rowNo: number, cells: string[]): boolean {
    const { fields, log, casts, values } = this;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const text = cells[i] ?? '';
      if (this.onlyEmptyMissing ? text === '' : this.missing.has(text)) {
        values[i] = null;
        if (f.constraints?.required || this.inPk[i]) record(log, problem('constraint-error', `hàng ${rowNo}, cột "${f.name}": ${CONSTRAINT_VI.required}`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text }));
        continue;
      }
      const cast = casts[i];
      const v = cast ? cast(text) : text;
      if (v === undefined) {
        if (!this.strict) return false;
        values[i] = null;
        record(log, problem('type-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" không phải ${TYPE_VI[f.type] ?? f.type}${f.format ? ` (dạng ${f.format})` : ''}`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text.slice(0, 1000) }));
        continue;
      }
      values[i] = v;
      if (f.constraints) this.checkConstraints(rowNo, i, f, v, text);
    }
    if (this.pkSeen) {
      const h = hash53(JSON.stringify(this.pk.map((i) => values[i])));
      if (this.pkSeen.has(h)) record(log, problem('primary-key', `hàng ${rowNo}: khóa chính (${this.pk.map((i) => fields[i]!.name).join(', ')}) = ${this.pk.map((i) => String(values[i])).join(', ')} đã có ở hàng trước`, { rowNumber: rowNo }));
      else this.pkSeen.add(h);
    }
    if (log.errorCount > 0) return true; // keep validating, stop writing
    this.sink.add(values);
    return true;
  }

  private checkConstraints(rowNo: number, i: number, f: TableField, v: Cell, text: string): void {
    const { log } = this;
    const broken = brokenConstraint(f, v, text, this.patterns[i]);
    if (broken) record(log, problem('constraint-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" vi phạm ${CONSTRAINT_VI[broken.name]} (${String(broken.limit)})`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text.slice(0, 1000) }));
    const u = this.uniques[i];
    if (u) {
      const h = hash53(String(v));
      if (u.has(h)) record(log, problem('unique-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" đã xuất hiện ở hàng trước`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text.slice(0, 1000) }));
      else u.add(h);
    }
  }

  drain(): Promise<void> {
    return this.sink.drain();
  }

  finish(): Promise<OutputFiles> {
    return this.sink.finish();
  }

  abandon(): void {
    this.sink.abandon();
  }

  settled(): Promise<void> {
    return this.sink.settled();
  }
}
