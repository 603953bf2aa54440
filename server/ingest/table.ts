import { abortedError, IngestError, problem, type ErrorCode, type IngestProblem } from './errors.ts';
import { TypeTracker } from './infer.ts';
import { brokenConstraint, castValue, compileCast, hash53, type Cell, type TableField, type TableSchema } from './schema.ts';
import { OutputFormatter, WorkerOutput, type OutputFiles, type OutputPaths, type OutputSink } from './output.ts';
import { MAY_NEED_NFC, type RowSource, type TextWatch } from './readers.ts';

export const MAX_ERRORS_KEPT = 100;
export const MAX_COLUMNS = 10_000;
/**
 * Rows read before the header is chosen: the header is looked for among them, below title lines
 * (a preamble) of up to about half as many, and the table's width is taken from the rest.
 */
export const HEADER_SEARCH_ROWS = 200;

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

/** Counts every problem by type, and keeps MAX_ERRORS_KEPT of each severity (see keepNearestTop). */
export function record(log: ProblemLog, p: IngestProblem, severity: 'error' | 'warning' = 'error'): void {
  log.countsByType[p.type] = (log.countsByType[p.type] ?? 0) + 1;
  if (severity === 'error') {
    log.errorCount++;
    keepNearestTop(log.errors, p);
  } else {
    log.warningCount++;
    keepNearestTop(log.warnings, p);
  }
}

const rowOf = (p: IngestProblem) => p.rowNumber ?? 0;

/**
 * Keeps the MAX_ERRORS_KEPT problems nearest the top of the file (those of the whole file, with no
 * row, first), not the first ones found: problems are not found in row order (a misplaced quote is
 * taken after its batch of rows, rows of an unusual shape at the end), and the problem that explains
 * the others must not be pushed out by them. Once full, the list is kept in row order, so a problem
 * further down than all of them (the usual case) costs one comparison.
 */
function keepNearestTop(list: IngestProblem[], p: IngestProblem): void {
  if (list.length < MAX_ERRORS_KEPT) {
    list.push(p);
    if (list.length === MAX_ERRORS_KEPT) list.sort((a, b) => rowOf(a) - rowOf(b));
    return;
  }
  const row = rowOf(p);
  if (row >= rowOf(list[list.length - 1]!)) return;
  let at = list.length - 1;
  while (at > 0 && rowOf(list[at - 1]!) > row) at--;
  list.splice(at, 0, p);
  list.pop();
}

/** Counts `n` more errors of a type whose details were not kept. */
function countMore(log: ProblemLog, type: ErrorCode, n: number): void {
  if (n <= 0) return;
  log.countsByType[type] = (log.countsByType[type] ?? 0) + n;
  log.errorCount += n;
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
  /**
   * The rows come from delimited text, where a row's number of cells is what its line says: one
   * more or one less than the header's means a separator too many or too few, and the values after
   * it are in the wrong columns. (A spreadsheet's row just ends at its last value.)
   */
  delimited?: boolean;
  /** the unit's word on a header row (Table Dialect `header`): false: none; true: there is one; absent: detected */
  header?: boolean;
  /** the reader's watch on its decoded text, which it hands on in NFC: cells then need no NFC check */
  textWatch?: TextWatch;
  /** produce the outputs in a worker thread (large tables: the second core writes while this one reads) */
  outputWorker?: boolean;
}

export const cleanCell = (s: string) => (s.length ? (MAY_NEED_NFC.test(s) ? s.normalize('NFC') : s).trim() : s);
const nonEmpty = (row: string[]) => { let n = 0; for (const c of row) if (c.trim() !== '') n++; return n; };
const isNumeric = (s: string) => /^[+-]?[\d.,]+%?$/.test(s.trim());
const trimTrailing = (cells: string[]) => { let n = cells.length; while (n > 1 && cells[n - 1]!.trim() === '') n--; return n; };
const quoteText = (s: string, max = 60) => `"${s.length > max ? `${s.slice(0, max)}…` : s}"`;

function checkAborted(signal?: AbortSignal) {
  if (signal?.aborted) throw abortedError();
}

/**
 * Excel users write two-row headers under merged cells ("Dân số" over "Nam" | "Nữ"): the top row
 * has blanks where the merge spans, the row below names the parts. Joins them as "Dân số - Nam".
 */
function joinTwoRowHeader(top: string[], below: string[] | undefined): string[] | null {
  if (!below || !top.some((c, i) => c === '' && i > 0 && top.slice(0, i).some((x) => x !== ''))) return null;
  const sub = below.map(cleanCell);
  if (sub.some((c) => c !== '' && isNumeric(c))) return null;
  // every blank above has a sub-heading below it: a row one cell short (a row of data that lacks the
  // separator every other line ends with) has none there, and is not a second header row
  if (!top.every((c, i) => c !== '' || (sub[i] ?? '') !== '')) return null;
  let carried = '';
  return top.map((c, i) => {
    const starts = c !== '';
    if (starts) carried = c;
    const part = sub[i] ?? '';
    const merged = !starts || (part !== '' && top[i + 1] === '');
    return merged && part ? `${carried} - ${part}` : carried;
  });
}

/** A number a header may well carry as a label: a year (wide tables with one column per year). */
const YEAR_LABEL = /^(1[89]|2[01])\d{2}$/;

/** Where the table starts among the first rows, and whether it has a header row. */
export interface HeaderChoice {
  /** index (in the rows given) of the header row, or of the first data row when there is none */
  index: number;
  /** the header row's labels, joined with the row below for a two-row header; null: no header row */
  labels: string[] | null;
  /** the row below `index` is the second row of the header */
  twoRows: boolean;
  /** the table's width: the most common number of cells */
  width: number;
}

/**
 * Chooses the header among the first rows:
 * - the table's width is the most common number of cells; title lines above the table (a preamble)
 *   fill fewer than half of it, so the header is the first row that fills at least half (all of
 *   it, up to 3 columns) — in delimited text, first looking among lines with the table's separators;
 * - a row of merged-cell headings over a row of sub-headings makes one two-row header;
 * - there is no header row when the row chosen looks like the data below it: every one of its cells
 *   in a column that has a type (from the declared schema, or inferred from the rows below) is a
 *   value of that type — and not only years, which wide tables use as labels ("Chỉ tiêu,2023,2024") —
 *   and no line sits right above it (that line would be a header too narrow to be found).
 */
export function chooseHeader(rows: string[][], opts: { schema?: TableSchema; header?: boolean; delimited?: boolean } = {}): HeaderChoice {
  // the width: the most common number of cells among rows that have a separator at all
  const counts = new Map<number, number>();
  for (const r of rows) if (r.length > 1 && nonEmpty(r) > 0) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let width = 1;
  let best = 0;
  for (const [w, c] of counts) if (c > best || (c === best && w > width)) { best = c; width = w; }
  // a header of up to 3 columns has every label (a blank label is an error anyway); a wider one at least half
  const need = width <= 3 ? width : Math.ceil(width / 2);
  // the unit says there is no header row: the table starts at the first line with anything on it
  // (a first row of data with empty cells is not a title line to leave out)
  // In delimited text a header line has the table's separators (one fewer when only the data rows end
  // with one); a title line above it has fewer, though its cells may fill half of a narrow table
  // ("Đơn vị báo cáo,Mẫu số 01" over 4 columns): such a line is looked past first.
  const header = (r: string[]) => nonEmpty(r) >= need;
  let index = opts.header === false ? -1 : opts.delimited ? rows.findIndex((r) => header(r) && r.length >= width - 1) : -1;
  if (index < 0 && opts.header !== false) index = rows.findIndex(header);
  if (index < 0) index = Math.max(0, rows.findIndex((r) => nonEmpty(r) > 0));
  const top = rows[index]!.map(cleanCell);
  if (opts.header === false) return { index, labels: null, twoRows: false, width };
  const below = rows[index + 1];
  const joined = joinTwoRowHeader(top, below);
  // sub-headings are labels: a row that reads as the data under it is the table's first row
  if (joined && !looksLikeData(below!.map(cleanCell), rows.slice(index + 2), opts.schema)) return { index, labels: joined, twoRows: true, width };
  if (opts.header !== true && looksLikeData(top, rows.slice(index + 1), opts.schema)) {
    // a line right above the data is its header, however malformed (two labels run together
    // leave it too narrow to be found above): its labels then show the fault, never the data
    const above = rows[index - 1];
    if (above && nonEmpty(above) > 0) return { index: index - 1, labels: above.map(cleanCell), twoRows: false, width };
    return { index, labels: null, twoRows: false, width };
  }
  return { index, labels: top, twoRows: false, width };
}

function looksLikeData(row: string[], below: string[][], schema?: TableSchema): boolean {
  const fields: (TableField | undefined)[] = schema
    ? schema.fields
    : row.map((_, i) => {
      const t = new TypeTracker('');
      let seen = false;
      for (const r of below) { const c = cleanCell(r[i] ?? ''); if (c) { t.add(c); seen = true; } }
      return seen ? t.result() : undefined;
    });
  let typed = 0;
  let notYear = 0;
  for (let i = 0; i < row.length; i++) {
    const f = fields[i];
    const cell = row[i]!;
    if (!f || f.type === 'string' || cell === '') continue;
    if (castValue(f, cell) === undefined) return false; // a label where a value of the column's type would be
    typed++;
    if (!YEAR_LABEL.test(cell)) notYear++;
  }
  return typed > 0 && notYear > 0;
}

/**
 * Only the first cell has text: the shape of a note under the table, whether its line is the note
 * alone or padded with separators to the table's width (as Excel's CSV export writes it).
 */
function firstOnly(raw: string[]): boolean {
  for (let i = 1; i < raw.length; i++) if (raw[i]!.trim() !== '') return false;
  return true;
}

/** Footnotes under a table start with a marker ("Ghi chú:", "Nguồn:", "(*)") or follow a blank line. */
const NOTE_START = /^(\*|\(\*+\)|(ghi chú|chú thích|chú giải|nguồn(?: số liệu)?|lưu ý|người lập(?: biểu)?|ghi chu|chu thich|nguon|luu y|notes?|sources?)\s*:)/iu;

export interface TableResult {
  header: string[];
  /** 0 when the file has no header row */
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
 * above a table, or naming the columns when there is none), checks the structure row by row,
 * NFC-normalises every cell (per cell: a Windows-1258 tone mark may straddle a chunk), and casts,
 * checks and writes each row to the published CSV and JSON. With no declared schema, rows are
 * written with the types inferred from the first SAMPLE_ROWS; if the whole table later disagrees,
 * the result asks for a second pass with the final types (rare: it costs a second read, never a
 * wrong output). A row whose width is not the table's is an error, never a row read into the wrong
 * columns; only a width that every row shares (an empty field after the last separator) is read as
 * the file's way of writing rows, with a warning.
 */
export async function processTable(rows: RowSource, log: ProblemLog, paths: OutputPaths, opts: TableOptions & { inferredSchema?: TableSchema } = {}): Promise<TableResult> {
  let header: string[] | undefined;
  let headerRowNumber = 0;
  let headerless = false;
  /** empty fields after the header's last label (a separator at the end of the header line) */
  let headerTrailing = 0;
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
  const delimited = !!opts.delimited;
  // rows whose only extra cells are empty, by how many (0: the header's width): decided at the end
  const shapes = new Map<number, { count: number; rows: number[] }>();
  // rows that may be footnotes under the table: reported as such if nothing but blank rows follows
  let held: [number, string[]][] = [];
  const watch = opts.textWatch;
  let faultsTaken = 0;

  const startTable = (labelsRaw: string[], rowNo: number, generated: boolean) => {
    const labels = labelsRaw.map(cleanCell);
    while (labels.length > 1 && labels[labels.length - 1] === '') labels.pop(); // Excel's trailing empty columns
    headerTrailing = labelsRaw.length - labels.length;
    if (labels.length > MAX_COLUMNS) throw new IngestError(problem('field-count', `tệp có ${labels.length.toLocaleString('vi-VN')} cột, giới hạn là ${MAX_COLUMNS.toLocaleString('vi-VN')}`));
    headerRowNumber = rowNo;
    if (!generated) {
      if (labels.every((c) => c === '')) record(log, problem('blank-header', `hàng ${rowNo}`, { rowNumber: rowNo }));
      const seen = new Map<string, number>();
      labels.forEach((label, i) => {
        if (label === '') record(log, problem('blank-label', `cột thứ ${i + 1}`, { rowNumber: rowNo, fieldNumber: i + 1 }));
        else if (seen.has(label)) record(log, problem('duplicate-label', `"${label}" (cột ${seen.get(label)! + 1} và ${i + 1})`, { rowNumber: rowNo, fieldNumber: i + 1, fieldName: label }));
        else seen.set(label, i);
      });
      if (opts.schema) checkLabels(labels, opts.schema.fields, rowNo, log);
    }
    header = labels;
    trackers = labels.map((c) => new TypeTracker(c));
    if (declared) writer = new OutputWriter(declared, log, paths, true, !!opts.outputWorker);
  };

  // Rows are checked and handed to the output synchronously; only a full output buffer (or, with
  // the output worker, enough waiting rows) is awaited: an await per row cost more than the row's work.
  const emit = (rowNo: number, cells: string[]) => {
    if (!writer || needsSecondPass) return;
    if (!writer.add(rowNo, cells)) { needsSecondPass = true; writer.abandon(); }
  };

  /** A row that repeats the header (a two- or three-line header of copies, or a header between pages). */
  const repeatsHeader = (cells: string[]) => {
    const h = header!;
    const n = trimTrailing(cells);
    if (n !== h.length) return false;
    for (let i = 0; i < n; i++) if (cells[i] !== h[i]) return false;
    return true;
  };

  // rows exactly as wide as the header, the usual case, are counted without a map lookup
  const exact = { count: 0, rows: [] as number[] };
  const shape = (k: number, rowNo: number) => {
    let s = shapes.get(k);
    if (!s) shapes.set(k, (s = { count: 0, rows: [] }));
    s.count++;
    if (s.rows.length < MAX_ERRORS_KEPT) s.rows.push(rowNo);
  };

  const dataRow = (raw: string[], rowNo: number) => {
    const h = header!;
    // cleanCell, inlined: NFC (only where it can change anything, and only for readers that have not
    // normalised their text), trim, and count the non-empty cells
    const cells = raw; // cleaned in place: a row array per row less to collect (the readers hand each row on once)
    let filled = 0;
    let unusual = !!opts.textWatch?.invalidBytes; // a cell that may hold U+FFFD
    const check = !opts.textWatch;
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
    if (!headerless && cells[0] === h[0] && repeatsHeader(cells)) {
      record(log, problem('repeated-header', `hàng ${rowNo} giống hệt hàng tiêu đề ${headerRowNumber}; đã bỏ hàng này`, { rowNumber: rowNo }), 'warning');
      return;
    }
    // blank rows inside the table are reported; those after its end (Excel leftovers) are not
    for (const b of pendingBlank) record(log, problem('blank-row', `hàng ${b}`, { rowNumber: b }), 'warning');
    pendingBlank = [];
    const width = h.length;
    if (cells.length > width) {
      let at = width;
      while (at < cells.length && cells[at] === '') at++;
      if (at < cells.length) {
        record(log, problem('extra-cell', `hàng ${rowNo} có ${cells.length} ô, hàng tiêu đề có ${width} cột; ô thừa ở cột ${at + 1}: ${quoteText(cells[at]!)}${delimited ? ' (một dấu phân cách thừa, hoặc một ô có dấu phân cách mà không đặt trong ngoặc kép, đẩy các giá trị sang cột bên phải)' : ''}`, { rowNumber: rowNo, fieldNumber: at + 1, cell: cells[at]!.slice(0, 1000) }));
      } else if (delimited) {
        shape(cells.length - width, rowNo);
      }
      cells.length = width;
    } else if (cells.length < width && opts.padShortRows) {
      while (cells.length < width) cells.push('');
    } else if (cells.length < width) {
      const at = cells.length;
      record(log, problem('missing-cell', `hàng ${rowNo} có ${at} ô, hàng tiêu đề có ${width} cột; thiếu từ cột ${at + 1} (${quoteText(h[at]!)})${delimited && at > 1 ? ' — có thể thiếu một dấu phân cách, các giá trị bị dồn sang trái' : ''}`, { rowNumber: rowNo, fieldNumber: at + 1, fieldName: h[at] }));
      while (cells.length < width) cells.push('');
    } else if (delimited) {
      exact.count++;
      if (exact.rows.length < MAX_ERRORS_KEPT) exact.rows.push(rowNo);
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

  /** A row that may be a note under the table: text in its first cell only, after a blank line or with a note's marker. */
  const mayBeFootnote = (raw: string[]) => {
    if (!delimited || !firstOnly(raw) || header!.length < 2) return false;
    const text = raw[0]!.trim();
    if (!text) return false;
    return held.length > 0 || pendingBlank.length > 0 || NOTE_START.test(cleanCell(text));
  };

  const row = (raw: string[], rowNo: number) => {
    if (held.length === 0 && raw.length > 1 && !firstOnly(raw)) { dataRow(raw, rowNo); return; } // the usual row
    if (held.length || mayBeFootnote(raw)) {
      if (mayBeFootnote(raw) || nonEmpty(raw) === 0) { held.push([rowNo, raw]); return; }
      // more table follows: they were rows of the table after all, and are checked as such
      const rows = held;
      held = [];
      for (const [n, r] of rows) dataRow(r, n);
    }
    dataRow(raw, rowNo);
  };

  const startWriting = () => {
    provisional = { fields: trackers.map((t) => t.result()), missingValues: [''] };
    writer = new OutputWriter(provisional, log, paths, false, !!opts.outputWorker);
    for (const [n, c] of sample) emit(n, c);
    sample = [];
  };

  const flushBuffered = () => {
    const choice = chooseHeader(buffered, { schema: opts.schema, header: opts.header, delimited });
    const preamble: number[] = [];
    for (let i = 0; i < choice.index; i++) if (nonEmpty(buffered[i]!) > 0) preamble.push(i);
    if (preamble.length) {
      const first = preamble[0]!;
      const text = buffered[first]!.map(cleanCell).filter(Boolean).join(' ');
      record(log, problem('preamble', `${preamble.length} dòng phía trên bảng (hàng ${first + 1}${preamble.length > 1 ? `–${preamble[preamble.length - 1]! + 1}` : ''}, bắt đầu bằng ${quoteText(text)}) không phải dữ liệu và không được công bố`, { rowNumber: first + 1 }), 'warning');
    }
    let next = choice.index + 1;
    if (choice.labels) {
      startTable(choice.labels, choice.index + 1, false);
      if (choice.twoRows) skipRow = choice.index + 2;
    } else {
      headerless = true;
      const first = buffered[choice.index]!;
      // as many columns as the table's rows have (the first row may end in empty values), less the
      // empty fields that end every row of that width (a separator after every line)
      const full = buffered.slice(choice.index).filter((r) => r.length === choice.width);
      let trailing = full.length ? choice.width - 1 : 0;
      for (const r of full) trailing = Math.min(trailing, r.length - trimTrailing(r));
      const n = Math.max(1, choice.width - trailing);
      const names = opts.schema && opts.schema.fields.length >= n ? opts.schema.fields.map((f) => f.name) : Array.from({ length: n }, (_, i) => `cot_${i + 1}`);
      startTable(names, 0, true);
      headerTrailing = Math.max(0, first.length - n); // the first row stands for the header's shape
      const named = opts.schema
        ? `các cột được đặt tên theo lược đồ (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`
        : `các cột được đặt tên ${names.length > 2 ? `${names[0]}, ${names[1]}, …, ${names[names.length - 1]}` : names.join(', ')}`;
      record(log, problem('no-header', opts.header === false
        ? `theo khai báo, tệp không có hàng tiêu đề: hàng ${choice.index + 1} là dữ liệu; ${named}`
        : `hàng ${choice.index + 1} giống các hàng dữ liệu bên dưới (${quoteText(first.map(cleanCell).join(', '))}), nên được đọc là dữ liệu; ${named}. Nếu hàng đó là tên cột, hãy sửa lại để tên cột không giống dữ liệu`, { rowNumber: choice.index + 1 }), 'warning');
      next = choice.index;
    }
    for (let i = next; i < buffered.length; i++) if (i + 1 !== skipRow) row(buffered[i]!, i + 1);
    buffered.length = 0;
  };

  /** Records the misplaced quotes the reader found up to row `upTo`: errors in the table, warnings above it. */
  const takeQuoteFaults = (upTo: number, footnoteRows?: Set<number>) => {
    const faults = watch?.quoteFaults;
    if (!faults) return;
    while (faultsTaken < faults.length && faults[faultsTaken]!.rowNumber! <= upTo) {
      const p = faults[faultsTaken++]!;
      const r = p.rowNumber!;
      if (r < headerRowNumber || footnoteRows?.has(r)) { record(log, p, 'warning'); continue; }
      if (header && p.fieldNumber && p.fieldNumber <= header.length) p.fieldName = header[p.fieldNumber - 1];
      record(log, p);
    }
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
        row(raw, rowNumber);
        if (writer?.full) await writer.drain();
      }
      if (header) takeQuoteFaults(held.length ? held[0]![0] - 1 : rowNumber);
      if (writer?.full) await writer.drain();
    }
    checkAborted(opts.signal);
    if (!header && buffered.some((r) => nonEmpty(r) > 0)) flushBuffered();
    const footnotes = new Set<number>();
    for (const [n, r] of held) {
      if (nonEmpty(r) === 0) continue;
      footnotes.add(n);
      record(log, problem('footnote', `hàng ${n}: ${quoteText(cleanCell(r[0]!), 100)}`, { rowNumber: n }), 'warning');
    }
    takeQuoteFaults(Infinity, footnotes);
    countMore(log, 'stray-quote', (watch?.quoteFaultCount ?? 0) - faultsTaken);
    if (header && !declared && !provisional) startWriting();
  } catch (err) {
    if (err instanceof IngestError && err.problem.type === 'unclosed-quote') {
      // the rows read before the quote that swallowed the rest are checked still: their own faults
      // (in the rows kept to find the header, or rows of another width, known only at the end) come with it
      try {
        if (!header && buffered.some((r) => nonEmpty(r) > 0)) flushBuffered();
        checkShapes();
      } catch { /* the quote's error is the one to report */ }
    }
    writer?.abandon();
    await writer?.settled();
    takeQuoteFaults(Infinity); // misplaced quotes found before the one that stopped the reading
    // a reader's error names the column by number: add its name
    if (err instanceof IngestError && header && err.problem.fieldNumber && (err.problem.rowNumber ?? 0) > headerRowNumber) err.problem.fieldName ??= header[err.problem.fieldNumber - 1];
    throw err;
  }
  if (!header) record(log, problem('row-count', 'tệp trống'));
  else if (dataRows === 0) record(log, problem('row-count', 'chỉ có hàng tiêu đề'));
  checkShapes();
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

  /**
   * Rows with empty cells after the last column: when every row has the same number of them, the
   * file writes its rows that way (a separator after the last field) and they are dropped alike;
   * otherwise the rows that differ from the rest are errors (a separator too many, or too few).
   */
  function checkShapes() {
    if (exact.count) shapes.set(0, exact);
    if (shapes.size === 0 || !header) return;
    const width = header.length;
    if (shapes.size === 1 && headerTrailing > 0 && shapes.has(headerTrailing)) {
      const k = headerTrailing;
      record(log, problem('trailing-delimiter', `mọi hàng (hàng tiêu đề và ${shapes.get(k)!.count.toLocaleString('vi-VN')} hàng dữ liệu) kết thúc bằng ${k === 1 ? 'một ô trống' : `${k} ô trống`} sau cột cuối cùng (dấu phân cách ở cuối dòng); ${k === 1 ? 'ô này đã được' : 'các ô này đã được'} bỏ qua ở mọi hàng`), 'warning');
      return;
    }
    // the usual shape: the most common one (ties: the header's own, then the narrower)
    let ref = -1;
    let most = -1;
    for (const [k, s] of shapes) {
      if (s.count > most || (s.count === most && (k === headerTrailing || (ref !== headerTrailing && k < ref)))) { most = s.count; ref = k; }
    }
    // rows wider than the header's labels are never the usual shape unless the header line is as wide
    if (ref > 0 && ref !== headerTrailing) ref = 0;
    for (const [k, s] of [...shapes].sort((a, b) => a[0] - b[0])) {
      if (k === ref) continue;
      const usual = width + ref;
      const expected = ref === 0 ? `hàng tiêu đề có ${width} cột` : `hàng tiêu đề và các hàng khác có ${usual} ô (kết thúc bằng dấu phân cách)`;
      for (const r of s.rows) {
        if (k > ref) record(log, problem('extra-cell', `hàng ${r} có ${width + k} ô, ${expected}; ô thừa (trống) ở cột ${usual + 1} — một dấu phân cách thừa đẩy các giá trị sang phải`, { rowNumber: r, fieldNumber: usual + 1, cell: '' }));
        else record(log, problem('missing-cell', `hàng ${r} có ${width + k} ô, ${expected}; thiếu ô ở cột ${width + k + 1} — có thể thiếu một dấu phân cách`, { rowNumber: r, fieldNumber: width + k + 1 }));
      }
      countMore(log, k > ref ? 'extra-cell' : 'missing-cell', s.count - s.rows.length);
    }
  }
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
