import fs from 'node:fs';
import { detectEncoding, type DetectedEncoding } from './encoding.ts';
import { IngestError, problem, type IngestProblem } from './errors.ts';
import { readDelimited, readJsonArray, readXlsx, sniffDelimiter, type RowSource } from './readers.ts';
import { newProblemLog, normaliseTable, writeOutputs, type TableSchema } from './table.ts';
import type { BlobStore, HashedFile } from '../storage/blobs.ts';
import { extensionOf, safeFileName } from '../text/vietnamese.ts';
import iconv from 'iconv-lite';

export type { TableSchema } from './table.ts';
export type { IngestProblem } from './errors.ts';

export type SourceFormat = 'CSV' | 'TSV' | 'XLSX' | 'JSON';

export const MEDIA_TYPES: Record<SourceFormat, string> = {
  CSV: 'text/csv',
  TSV: 'text/tab-separated-values',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  JSON: 'application/json',
};

/** What ingest found and decided; stored with the version and shown to the unit. */
export interface IngestReport {
  valid: boolean;
  fileName: string;
  format?: SourceFormat;
  encoding?: DetectedEncoding;
  delimiter?: string;
  headerRow?: number;
  rowCount: number;
  fields: { name: string; type: string }[];
  errorCount: number;
  errors: IngestProblem[];
  warningCount: number;
  warnings: IngestProblem[];
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

const SAMPLE_BYTES = 64 * 1024;

function readSample(filePath: string): Buffer {
  const fd = fs.openSync(filePath, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, n);
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
    case 'xls': throw new IngestError(problem('format-error', 'tệp .xls (Excel 97–2003) chưa được hỗ trợ; hãy lưu lại dưới dạng .xlsx hoặc CSV UTF-8'));
    default: throw new IngestError(problem('format-error', `phần mở rộng ".${ext}" không được hỗ trợ (chấp nhận .csv, .tsv, .xlsx, .json)`));
  }
}

/**
 * Reads one uploaded file, validates it and, only if it is valid, stores the original and its
 * normalised CSV and JSON in the blob store. A failed ingest leaves nothing behind but its report.
 */
export async function ingestFile(filePath: string, opts: { store: BlobStore; originalName?: string; sheetName?: string; onProgress?: (rows: number) => void }): Promise<IngestResult> {
  const fileName = safeFileName(opts.originalName ?? filePath);
  const report: IngestReport = { valid: false, fileName, rowCount: 0, fields: [], errorCount: 0, errors: [], warningCount: 0, warnings: [] };
  const log = newProblemLog();
  const temps: string[] = [];
  const fail = (p: IngestProblem): IngestResult => {
    report.errors = [p];
    report.errorCount = 1;
    return { report };
  };
  try {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(filePath);
    } catch {
      return fail(problem('source-error', `không tìm thấy tệp "${fileName}"`));
    }
    if (!stat.isFile()) return fail(problem('source-error', `"${fileName}" không phải là một tệp`));
    if (stat.size === 0) return fail(problem('row-count', 'tệp rỗng (0 byte)'));
    const format = formatOf(extensionOf(fileName));
    report.format = format;
    const sample = readSample(filePath);

    let rows: RowSource;
    let encoding: string | null = null;
    if (format === 'XLSX') {
      if (!(sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04)) {
        const looksHtml = /^\s*<(!doctype|html|table)/i.test(sample.subarray(0, 512).toString('latin1'));
        return fail(problem('format-error', looksHtml ? 'tệp .xlsx này thực chất là trang HTML (thường do phần mềm "xuất Excel" tạo ra); hãy mở bằng Excel và lưu lại dưới dạng .xlsx' : 'tệp .xlsx không phải bảng tính Excel hợp lệ'));
      }
      rows = readXlsx(filePath, opts.sheetName);
    } else {
      const guess = detectEncoding(sample);
      if (!guess.encoding.startsWith('utf-16') && sample.includes(0)) {
        return fail(problem('format-error', 'tệp chứa dữ liệu nhị phân, không phải văn bản'));
      }
      report.encoding = guess.encoding;
      encoding = guess.encoding;
      for (const w of guess.warnings) { log.warningCount++; log.warnings.push({ type: 'encoding-error', message: w }); }
      if (format === 'JSON') {
        rows = readJsonArray(filePath);
      } else {
        const text = iconv.decode(sample, guess.decoder);
        const delimiter = format === 'TSV' ? '\t' : sniffDelimiter(text);
        report.delimiter = delimiter;
        rows = readDelimited(filePath, guess.decoder, delimiter);
      }
    }

    const cleanPath = opts.store.tempPath('.clean.csv');
    temps.push(cleanPath);
    const table = await normaliseTable(rows, cleanPath, log, opts.onProgress);
    report.headerRow = table.headerRowNumber;
    report.rowCount = table.rowCount;
    report.fields = table.schema.fields.map((f) => ({ name: f.name, type: f.type }));
    Object.assign(report, { errors: log.errors, errorCount: log.errorCount, warnings: log.warnings, warningCount: log.warningCount });
    if (log.errorCount > 0) return { report };

    const csvPath = opts.store.tempPath('.csv');
    const jsonPath = opts.store.tempPath('.json');
    temps.push(csvPath, jsonPath);
    const out = await writeOutputs(readDelimited(cleanPath, 'utf-8', ','), table.schema, csvPath, jsonPath);
    const original = await opts.store.copyToTemp(filePath);
    temps.push(original.path);
    for (const f of [original, out.csv, out.json]) opts.store.adopt(f.path, f.sha256);
    report.valid = true;
    return {
      report,
      outputs: { original, csv: out.csv, json: out.json, schema: table.schema, rowCount: table.rowCount, format, mediaType: MEDIA_TYPES[format], encoding },
    };
  } catch (err) {
    if (err instanceof IngestError) return fail(err.problem);
    return fail(problem('source-error', (err as Error).message));
  } finally {
    for (const t of temps) fs.rmSync(t, { force: true });
  }
}
