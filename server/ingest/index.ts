import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { DECLARABLE, DECODER, detectEncoding, isStrictUtf8, vietnameseScore, type DetectedEncoding, type EncodingGuess } from './encoding.ts';
import { IngestError, problem, type IngestProblem } from './errors.ts';
import { readDelimited, readJsonRecords, readXlsx, sniffDialect, type Dialect, type ReadProgress, type RowSource, type TextWatch } from './readers.ts';
import { newProblemLog, processTable, record } from './table.ts';
import type { OutputPaths } from './output.ts';
import { schemaProblems, type TableSchema } from './schema.ts';
import type { BlobStore, HashedFile } from '../storage/blobs.ts';
import { extensionOf, safeFileName } from '../contract/text.ts';

export type { TableSchema, TableField } from './schema.ts';
export type { IngestProblem } from './errors.ts';

export type SourceFormat = 'CSV' | 'TSV' | 'XLSX' | 'JSON' | 'NDJSON';

export const MEDIA_TYPES: Record<SourceFormat, string> = {
  CSV: 'text/csv',
  TSV: 'text/tab-separated-values',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  JSON: 'application/json',
  NDJSON: 'application/x-ndjson',
};

/** What ingest found and decided; stored with the version and shown to the unit. */
export interface IngestReport {
  valid: boolean;
  fileName: string;
  bytes: number;
  format?: SourceFormat;
  encoding?: DetectedEncoding;
  dialect?: Dialect & { header: boolean };
  sheets?: string[];
  sheet?: string;
  headerRow?: number;
  rowCount: number;
  schemaSource?: 'inferred' | 'declared';
  fields: { name: string; type: string }[];
  errorCount: number;
  errors: IngestProblem[];
  warningCount: number;
  warnings: IngestProblem[];
  countsByType: Record<string, number>;
}

export interface StoredOutputs {
  original: HashedFile;
  csv: HashedFile;
  json: HashedFile;
  schema: TableSchema;
  rowCount: number;
  format: SourceFormat;
  mediaType: string;
  encoding: string | null;
}

export interface IngestResult {
  report: IngestReport;
  /** present only when the file is valid; its files are then in the blob store */
  outputs?: StoredOutputs;
}

/** The sha256 and size of a temporary file's bytes, taken as they were written (an upload the server received). */
export interface ReceivedFile { sha256: string; size: number }

/** Live figures of a running ingest, for progress displays (read them on a timer). */
export interface IngestProgress { phase: string; bytes: number; totalBytes: number; rows: number }

export interface IngestOptions {
  store: BlobStore;
  originalName?: string;
  sheetName?: string;
  /** the encoding the unit declares; detected when absent */
  encoding?: string;
  /** a Table Schema to apply (the unit's, or the dataset's current one); inferred when absent */
  schema?: TableSchema;
  /** the unit's word on a header row (Table Dialect `header`): false: the file has none; detected when absent */
  header?: boolean;
  signal?: AbortSignal;
  progress?: IngestProgress;
  /**
   * The file is a temporary file of the store's own folder (an upload), with these sha256 and size:
   * a valid file is moved into the store as the original, not copied and hashed again.
   */
  received?: ReceivedFile;
  /** write the outputs in a worker thread; by default for files of OUTPUT_WORKER_MIN_BYTES or more */
  outputWorker?: boolean;
}

/** From this size a worker thread writes the outputs while the ingest reads on (it costs ~50 ms to start). */
export const OUTPUT_WORKER_MIN_BYTES = 8 * 1024 * 1024;

const SAMPLE_BYTES = 64 * 1024;

function readSample(filePath: string): Buffer {
  const fd = fs.openSync(filePath, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    return buf.subarray(0, fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function formatOf(ext: string): SourceFormat {
  switch (ext) {
    case 'csv': case 'txt': return 'CSV';
    case 'tsv': case 'tab': return 'TSV';
    case 'xlsx': return 'XLSX';
    case 'json': return 'JSON';
    case 'ndjson': case 'jsonl': return 'NDJSON';
    case 'xls': throw new IngestError(problem('format-error', 'tệp .xls (Excel 97–2003) chưa được hỗ trợ; hãy lưu lại dưới dạng .xlsx hoặc "CSV UTF-8"'));
    default: throw new IngestError(problem('format-error', `phần mở rộng "${ext ? '.' + ext : '(không có)'}" không được hỗ trợ (chấp nhận .csv, .tsv, .xlsx, .json, .ndjson)`));
  }
}

function chooseEncoding(sample: Buffer, declared: string | undefined): EncodingGuess {
  if (!declared) return detectEncoding(sample);
  const enc = DECLARABLE[declared.toLowerCase()];
  if (!enc) throw new IngestError(problem('encoding-error', `bảng mã khai báo "${declared}" không được hỗ trợ`));
  if ((enc === 'utf-8' || enc === 'utf-8-bom') && !isStrictUtf8(sample)) {
    const detected = detectEncoding(sample);
    throw new IngestError(problem('encoding-error', `tệp được khai báo là UTF-8 nhưng chứa byte không hợp lệ trong UTF-8 (có vẻ là ${detected.encoding}); hãy bỏ khai báo bảng mã hoặc lưu lại tệp dưới dạng UTF-8`));
  }
  if (SINGLE_BYTE.has(enc)) {
    // a wrong single-byte code page decodes any bytes without complaint, into text that looks
    // Vietnamese to nobody: a declaration the bytes contradict is refused, never published as mojibake
    if (sample.some((b) => b >= 0x80) && isStrictUtf8(sample)) {
      throw new IngestError(problem('encoding-error', `tệp được khai báo là ${declared} nhưng là văn bản UTF-8 (có chữ có dấu viết theo UTF-8); hãy bỏ khai báo bảng mã`));
    }
    const detected = detectEncoding(sample);
    if (detected.encoding !== enc && SINGLE_BYTE.has(detected.encoding)) {
      const score = (decoder: string) => vietnameseScore(iconv.decode(sample, decoder).normalize('NFC'));
      if (score(detected.decoder) > Math.max(0, score(DECODER[enc]))) {
        throw new IngestError(problem('encoding-error', `tệp được khai báo là ${declared} nhưng chữ tiếng Việt chỉ đọc đúng theo bảng mã ${detected.encoding}; hãy bỏ khai báo bảng mã hoặc khai báo ${detected.encoding}`));
      }
    }
  }
  return { encoding: enc, decoder: DECODER[enc], warnings: [] };
}

/** Code pages in which every byte decodes to something: the bytes alone never refuse a wrong one. */
const SINGLE_BYTE = new Set<DetectedEncoding>(['windows-1258', 'windows-1252', 'tcvn3']);

/**
 * Reads one file, validates it and, only if it is valid, stores the original and its normalised
 * CSV and JSON in the blob store. A failed ingest leaves nothing behind but its report.
 */
export async function ingestFile(filePath: string, opts: IngestOptions): Promise<IngestResult> {
  const fileName = safeFileName(opts.originalName ?? filePath);
  const report: IngestReport = { valid: false, fileName, bytes: 0, rowCount: 0, fields: [], errorCount: 0, errors: [], warningCount: 0, warnings: [], countsByType: {} };
  const log = newProblemLog();
  const temps: string[] = [];
  let originalCopy: Promise<HashedFile> | undefined;
  const progress = opts.progress ?? { phase: '', bytes: 0, totalBytes: 0, rows: 0 };
  const finish = (): IngestResult => {
    // in reading order, by row and then column (problems found at the end of the table, such as rows
    // of a different width, come last otherwise)
    const byRow = (a: IngestProblem, b: IngestProblem) => (a.rowNumber ?? 0) - (b.rowNumber ?? 0) || (a.fieldNumber ?? 0) - (b.fieldNumber ?? 0);
    Object.assign(report, { errors: log.errors.sort(byRow), errorCount: log.errorCount, warnings: log.warnings.sort(byRow), warningCount: log.warningCount, countsByType: log.countsByType });
    return { report };
  };
  try {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(filePath);
    } catch {
      throw new IngestError(problem('source-error', `không tìm thấy tệp "${fileName}"`));
    }
    if (!stat.isFile()) throw new IngestError(problem('source-error', `"${fileName}" không phải là một tệp`));
    report.bytes = progress.totalBytes = stat.size;
    if (stat.size === 0) throw new IngestError(problem('row-count', 'tệp rỗng (0 byte)'));
    const format = formatOf(extensionOf(fileName));
    report.format = format;
    if (opts.schema) {
      const bad = schemaProblems(opts.schema);
      if (bad.length) throw new IngestError(problem('schema-error', bad.join('; ')));
      report.schemaSource = 'declared';
    }
    const sample = readSample(filePath);
    const read: ReadProgress = progress;

    let openRows: () => RowSource;
    let encoding: string | null = null;
    let textWatch: TextWatch | undefined;
    if (format === 'XLSX') {
      if (!(sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04)) {
        const looksHtml = /^\s*<(!doctype|html|table|\?xml)/i.test(sample.subarray(0, 512).toString('latin1'));
        throw new IngestError(problem('format-error', looksHtml ? 'tệp .xlsx này thực chất là trang HTML (thường do chức năng "xuất Excel" của phần mềm tạo ra); hãy mở bằng Excel và lưu lại dưới dạng .xlsx' : 'tệp .xlsx không phải bảng tính Excel hợp lệ'));
      }
      const { inspectXlsx } = await import('./xlsx-inspect.ts');
      const { sheets, hiddenSheets, layouts } = await inspectXlsx(filePath);
      report.sheets = sheets;
      if (opts.sheetName && !sheets.includes(opts.sheetName)) {
        throw new IngestError(problem('source-error', `không có trang tính "${opts.sheetName}" (các trang: ${sheets.join(', ')})`));
      }
      // the sheet read is the named one, else the first with rows (not always the first: a cover sheet)
      openRows = () => readXlsx(filePath, { sheetName: opts.sheetName, hiddenSheets, layouts }, read, opts.signal, (name) => { report.sheet = name; });
      report.sheet = opts.sheetName ?? sheets.find((s) => !hiddenSheets.has(s)) ?? sheets[0];
    } else {
      const guess = chooseEncoding(sample, opts.encoding);
      if (!guess.encoding.startsWith('utf-16') && sample.includes(0)) {
        throw new IngestError(problem('format-error', 'tệp chứa dữ liệu nhị phân, không phải văn bản'));
      }
      report.encoding = guess.encoding;
      encoding = guess.encoding;
      for (const w of guess.warnings) record(log, { type: 'encoding-error', message: w }, 'warning');
      if (format === 'JSON' || format === 'NDJSON') {
        if (!guess.encoding.startsWith('utf-')) throw new IngestError(problem('encoding-error', 'tệp JSON phải dùng bảng mã UTF-8'));
        openRows = () => readJsonRecords(filePath, format === 'NDJSON', read, opts.signal);
      } else {
        const dialect = sniffDialect(iconv.decode(sample, guess.decoder), sample.length === stat.size);
        if (format === 'TSV') dialect.delimiter = '\t';
        report.dialect = { ...dialect, header: true };
        const watch: TextWatch = { invalidBytes: false, quoteFaults: [], quoteFaultCount: 0 };
        textWatch = watch;
        openRows = () => readDelimited(filePath, guess.decoder, dialect, read, opts.signal, watch);
      }
    }

    const csvPath = opts.store.tempPath('.csv');
    const jsonPath = opts.store.tempPath('.json');
    temps.push(csvPath, jsonPath);
    progress.phase = 'đọc';
    const outputWorker = opts.outputWorker ?? stat.size >= OUTPUT_WORKER_MIN_BYTES;
    const tableOpts = {
      schema: opts.schema, signal: opts.signal, flagInvalidBytes: encoding !== null, padShortRows: format === 'XLSX',
      // a JSON file's keys are its column names, never a row of data
      delimited: format === 'CSV' || format === 'TSV', header: format === 'JSON' || format === 'NDJSON' ? true : opts.header,
      textWatch, outputWorker,
      onProgress: (rows: number) => { progress.rows = rows; },
    };
    // The original is copied and hashed while the table is read (removed below if the file is not
    // valid): by the output worker when there is one, its hashing being off this thread. An upload
    // the server received into the store's folder, hashed as it arrived, is moved in below instead.
    const paths: OutputPaths = { csv: csvPath, json: jsonPath };
    const received = opts.received && path.dirname(path.resolve(filePath)) === path.resolve(opts.store.tmpDir) && opts.received.size === stat.size ? opts.received : undefined;
    if (received) {
      // nothing to copy
    } else if (outputWorker) {
      paths.original = { source: filePath, path: opts.store.tempPath() };
      temps.push(paths.original.path);
    } else {
      originalCopy = opts.store.copyToTemp(filePath).then((f) => { temps.push(f.path); return f; });
      originalCopy.catch(() => { /* awaited below, where a failure counts */ });
    }
    let table = await processTable(openRows(), log, paths, tableOpts);
    if (table.needsSecondPass) {
      // the first rows suggested narrower types than the whole table has: write again with the final ones
      progress.phase = 'ghi lại';
      progress.bytes = 0;
      if (textWatch) Object.assign(textWatch, { quoteFaults: [], quoteFaultCount: 0 });
      const again = newProblemLog();
      table = await processTable(openRows(), again, paths, { ...tableOpts, inferredSchema: table.schema });
      // the first pass found no error; any now (a value the inferred type does not take) is the report's
      for (const e of again.errors) record(log, e);
      log.errorCount += again.errorCount - again.errors.length;
    }
    report.headerRow = table.headerRowNumber;
    if (report.dialect) report.dialect.header = table.headerRowNumber > 0;
    report.rowCount = table.rowCount;
    const schema: TableSchema = table.schema;
    report.schemaSource ??= 'inferred';
    report.fields = schema.fields.map((f) => ({ name: f.name, type: f.type }));
    const out = table.outputs;
    if (!out || log.errorCount > 0) {
      // a rejection always says why
      if (log.errorCount === 0) record(log, problem('source-error', 'không ghi được bảng đã kiểm tra (lỗi nội bộ của cổng); không có gì được công bố'));
      return finish();
    }
    progress.phase = 'lưu';
    const original = received ? { path: filePath, ...received } : out.original ?? await (originalCopy ??= opts.store.copyToTemp(filePath).then((f) => { temps.push(f.path); return f; }));
    for (const f of [original, out.csv, out.json]) opts.store.adopt(f.path, f.sha256);
    report.valid = true;
    finish();
    return {
      report,
      outputs: { original, csv: out.csv, json: out.json, schema, rowCount: table.rowCount, format, mediaType: MEDIA_TYPES[format], encoding },
    };
  } catch (err) {
    if (err instanceof IngestError) record(log, err.problem);
    else record(log, problem('source-error', (err as Error).message));
    return finish();
  } finally {
    await originalCopy?.catch(() => undefined); // its file is in temps once it exists
    for (const t of temps) fs.rmSync(t, { force: true });
  }
}
