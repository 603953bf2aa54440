import { z } from './params.ts';
import type { IngestProgress } from '../ingest/index.ts';

/**
 * A file handed to an action by an adapter: the multipart reader (a temporary file it named itself),
 * or the command line (a file the operator named). JSON cannot make one of these, so no request can
 * point an action at a path on the server's disk.
 */
export class UploadedFile {
  readonly path: string;
  /** the uploader's file name, for display only */
  readonly originalName: string;
  /** live figures of the file's ingest, for the adapter's progress display (read them on a timer) */
  readonly progress: IngestProgress = { phase: '', bytes: 0, totalBytes: 0, rows: 0 };
  constructor(path: string, originalName: string) {
    this.path = path;
    this.originalName = originalName;
  }
}

export const uploadParam = z.instanceof(UploadedFile, { error: 'Tệp dữ liệu phải được gửi dạng multipart/form-data (trường "upload").' });
