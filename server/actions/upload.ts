import { z } from './params.ts';
import type { IngestProgress, ReceivedFile } from '../ingest/index.ts';

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
  /**
   * Set by the multipart reader only: the file is its own temporary file, and this is the sha256 and
   * size of the bytes it wrote there. The ingest then moves the file into the store instead of
   * copying and hashing it again (a 1 GB upload: 1 GB less to write, read and hash).
   */
  readonly received?: ReceivedFile;
  constructor(path: string, originalName: string, received?: ReceivedFile) {
    this.path = path;
    this.originalName = originalName;
    if (received) this.received = received;
  }
}

export const uploadParam = z.instanceof(UploadedFile, { error: 'Tệp dữ liệu phải được gửi dạng multipart/form-data (trường "upload").' });
