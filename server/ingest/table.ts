import { IngestError, problem, type IngestProblem } from './errors.ts';
import { TypeTracker } from './infer.ts';
import { brokenConstraint, compileCast, hash53, type Cell, type TableField, type TableSchema } from './schema.ts';
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

export interface TableOptions {
  schema?: TableSchema;
  /** rows read so far, every 10,000 rows */
  onProgress?: (rows: number) => void;
  signal?: AbortSignal;
  /** report U+FFFD in cells: the decoder's mark for bytes that were not valid in the file's encoding */
  flagInvalidBytes?: boolean;
  /** spreadsheet rows simply end early when their last cells are empty: pad them, do not report them */
  padShortRows?: boolean;
}

/**
 * A string made only of code units below U+0300 and of the Vietnamese letters U+1E00–U+1EFF is
 * already NFC (every such character is a starter that never composes with its neighbour; checked
 * over all pairs in test/ingest-nfc.test.ts): only other cells pay for normalize(). Decomposed tone
 * marks (U+0300–U+0323, as Windows-1258 writes them) and U+FFFD fall outside and take the slow path.
 */
export const MAY_NEED_NFC = /[^\u0000-\u02ff\u1e00-\u1eff]/;
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
  outputs: { csv: HashedFile; json: HashedFile } | null;
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
export async function processTable(rows: RowSource, log: ProblemLog, paths: { csv: string; json: string }, opts: TableOptions & { inferredSchema?: TableSchema } = {}): Promise<TableResult> {
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
    if (declared) writer = new OutputWriter(declared, log, paths, !!opts.schema);
  };

  // Rows are checked and turned into output text synchronously; only a full output buffer is awaited
  // (an await per row cost more than the row's own work).
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
    for (let i = 0; i < raw.length; i++) {
      let c = raw[i]!;
      if (c.length) {
        if (MAY_NEED_NFC.test(c)) { c = c.normalize('NFC'); unusual = true; }
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
    writer = new OutputWriter(provisional, log, paths, false);
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
    throw err;
  }
  if (!header) record(log, problem('row-count', 'tệp trống'));
  else if (dataRows === 0) record(log, problem('row-count', 'chỉ có hàng tiêu đề'));
  const inferred: TableSchema = { fields: trackers.map((t) => t.result()), missingValues: [''] };
  const schema = declared ?? inferred;
  if (!declared && provisional && JSON.stringify(provisional.fields) !== JSON.stringify(inferred.fields)) needsSecondPass = true;
  let outputs: TableResult['outputs'] = null;
  if (writer && !needsSecondPass && log.errorCount === 0) outputs = await writer.finish();
  else writer?.abandon();
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

/** A spreadsheet program would run a cell starting with these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Strings JSON can carry between quotes as they are (no quote, backslash or control character). */
const JSON_PLAIN = /^[^"\\\u0000-\u001f\u2028\u2029]*$/;
/** Anything CSV quoting, formula neutralising or JSON escaping may have to deal with; most cells have none. */
const NEEDS_CARE = /[",\\\u0000-\u001f\u2028\u2029]/;

function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Each output's text is collected into a string of about this many UTF-16 units before it is
 * encoded and written. Kept under V8's large-object size (128 KB): flattening a larger string
 * allocates fresh pages each time, and was 40% slower.
 */
const OUTPUT_CHUNK = 48 * 1024;

/**
 * Casts every cell with the schema, checks constraints, unique fields and the primary key, and
 * writes the published outputs: CSV with ISO dates and dot decimals, JSON with typed values.
 * With a declared schema, problems are the unit's errors; with a provisional (inferred) one, a
 * cell that does not fit only means the sample guessed wrong: add() then returns false.
 * add() only appends text; the caller awaits drain() when `full` says the text should be written.
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
  private readonly csv: HashingWriter;
  private readonly json: HashingWriter;
  private readonly log: ProblemLog;
  private readonly strict: boolean;
  private first = true;
  /**
   * What goes before a cell's JSON value, by column, whether the previous value was a string still
   * to be closed, and whether this one is a string to open — so a row is about two strings per cell
   * (flattening a row made of many small strings cost more than encoding it). Column 0 carries the
   * row's start, a null its `null`.
   */
  private readonly jsonPre: string[];
  private readonly jsonNull: string[];
  private csvText: string;
  private jsonText = '[';
  private abandoned = false;
  /** enough text is waiting: await drain() */
  full = false;

  constructor(schema: TableSchema, log: ProblemLog, paths: { csv: string; json: string }, strict: boolean) {
    this.fields = schema.fields;
    this.missing = new Set(schema.missingValues ?? ['']);
    this.onlyEmptyMissing = this.missing.size === 1 && this.missing.has('');
    this.casts = this.fields.map(compileCast);
    this.patterns = this.fields.map((f) => (f.constraints?.pattern ? new RegExp(`^(?:${f.constraints.pattern})$`, 'u') : undefined));
    this.uniques = this.fields.map((f) => (f.constraints?.unique ? new Set<number>() : null));
    this.pk = (typeof schema.primaryKey === 'string' ? [schema.primaryKey] : schema.primaryKey ?? []).map((k) => this.fields.findIndex((f) => f.name === k));
    this.inPk = this.fields.map((_, i) => this.pk.includes(i));
    this.pkSeen = this.pk.length ? new Set<number>() : null;
    this.csv = new HashingWriter(paths.csv);
    this.json = new HashingWriter(paths.json);
    this.log = log;
    this.strict = strict;
    this.jsonPre = [];
    this.jsonNull = [];
    this.fields.forEach((f, i) => {
      const key = `${i ? ',' : ''}${JSON.stringify(f.name)}:`;
      for (const close of ['', '"']) {
        for (const open of ['', '"']) this.jsonPre.push(close + key + open);
        this.jsonNull.push(close + key + 'null');
      }
    });
    this.csvText = this.fields.map((f) => csvField(neutraliseFormula(f.name))).join(',') + '\r\n';
  }

  add(rowNo: number, cells: string[]): boolean {
    const { fields, log, casts } = this;
    const values: Cell[] | null = this.pkSeen ? new Array(fields.length) : null;
    // both lines are built as strings directly: no per-row object for JSON.stringify to walk
    let line = '';
    let json = this.first ? '\n{' : ',\n{';
    let open = 0; // 2 when the previous JSON value was a string left open
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const text = cells[i] ?? '';
      if (i) line += ',';
      if (this.onlyEmptyMissing ? text === '' : this.missing.has(text)) {
        if (values) values[i] = null;
        json += this.jsonNull[i * 2 + (open >> 1)]!;
        open = 0;
        if (f.constraints?.required || this.inPk[i]) record(log, problem('constraint-error', `hàng ${rowNo}, cột "${f.name}": ${CONSTRAINT_VI.required}`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text }));
        continue;
      }
      const cast = casts[i];
      const v = cast ? cast(text) : text;
      if (v === undefined) {
        if (!this.strict) return false;
        if (values) values[i] = null;
        record(log, problem('type-error', `hàng ${rowNo}, cột "${f.name}": "${text.slice(0, 100)}" không phải ${TYPE_VI[f.type] ?? f.type}${f.format ? ` (dạng ${f.format})` : ''}`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: f.name, cell: text.slice(0, 1000) }));
        continue;
      }
      if (values) values[i] = v;
      if (f.constraints) this.checkConstraints(rowNo, i, f, v!, text);
      if (typeof v === 'string') {
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
    json += open ? '"}' : '}';
    if (values) {
      const h = hash53(JSON.stringify(this.pk.map((i) => values[i])));
      if (this.pkSeen!.has(h)) record(log, problem('primary-key', `hàng ${rowNo}: khóa chính (${this.pk.map((i) => fields[i]!.name).join(', ')}) = ${this.pk.map((i) => String(values[i])).join(', ')} đã có ở hàng trước`, { rowNumber: rowNo }));
      else this.pkSeen!.add(h);
    }
    if (log.errorCount > 0) return true; // keep validating, stop writing
    this.csvText += line + '\r\n';
    this.jsonText += json;
    this.first = false;
    if (this.jsonText.length > OUTPUT_CHUNK || this.csvText.length > OUTPUT_CHUNK) this.full = true;
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

  async finish(): Promise<{ csv: HashedFile; json: HashedFile }> {
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
}
