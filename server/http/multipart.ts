import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import busboy from 'busboy';
import type { BlobStore } from '../storage/blobs.ts';
import { CatalogError } from '../catalog/errors.ts';
import { UploadedFile } from '../actions/upload.ts';
import { showIngestProgress } from '../ingest/progress.ts';
import { safeFileName } from '../contract/text.ts';

export interface MultipartResult {
  fields: Record<string, string>;
  file: { path: string; originalName: string; size: number } | null;
  /**
   * the file as the actions take it, with the sha256 of the bytes written (hashed as they arrived);
   * while it is ingested, its progress goes to the server's log
   */
  upload: UploadedFile | null;
  /** removes the temporary file (and stops the progress log); call when the ingest is done with it */
  cleanup(): void;
}

export interface MultipartOptions {
  maxBytes: number;
  /** runs when the file part starts — after the fields before it — so a form's CSRF token or a caller's rights are checked before any byte of the file is written */
  beforeFile?: (fields: Record<string, string>) => void | Promise<void>;
  /** text fields the route takes; any other part is refused (omitted: any text field) */
  fields?: readonly string[];
  /** the file's part name: `file` for the workspace and the upload API, `upload` for CKAN's Action API */
  fileField?: string;
}

/**
 * Streams a multipart/form-data body: the one file part goes to a temporary file named by the store
 * (the uploader's file name is kept only as a display name), fields are kept as strings. One upload per
 * request: a second file, a file under another name or an unknown field is refused with 422 naming it,
 * rather than silently publishing one and dropping another.
 */
export function readMultipart(req: http.IncomingMessage, store: BlobStore, opts: MultipartOptions): Promise<MultipartResult> {
  const fileField = opts.fileField ?? 'file';
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: MultipartResult['file'] = null;
    let sha256 = '';
    let tmp: string | null = null;
    let failed: Error | null = null;
    let stopProgress = () => {};
    const cleanup = () => { stopProgress(); if (tmp) fs.rmSync(tmp, { force: true }); };
    const fail = (err: Error) => {
      if (failed) return;
      failed = err;
      cleanup();
      req.unpipe(bb);
      req.resume(); // drain what the client still sends, so it can read our answer
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 2, fields: 50, fieldSize: 64 * 1024, fileSize: opts.maxBytes, parts: 60 }, defParamCharset: 'utf8' });
    } catch {
      reject(new CatalogError('not-multipart', `Yêu cầu phải gửi dạng multipart/form-data với trường "${fileField}".`));
      return;
    }
    let writing: Promise<void> = Promise.resolve();
    let fileParts = 0;
    bb.on('field', (name, value, info) => {
      if (name === fileField || (opts.fields && !opts.fields.includes(name))) return fail(new CatalogError('unexpected-part', `Phần "${name.slice(0, 60)}" không thuộc biểu mẫu này.`, { field: name }));
      if (info.valueTruncated) return fail(new CatalogError('field-too-large', `Trường "${name.slice(0, 60)}" quá dài.`, { field: name }));
      // a repeated field (checkboxes) arrives as one comma-separated value
      fields[name] = fields[name] !== undefined ? `${fields[name]},${value.normalize('NFC')}` : value.normalize('NFC');
    });
    bb.on('filesLimit', () => fail(new CatalogError('too-many-files', `Mỗi lần chỉ gửi một tệp (trường "${fileField}").`, { field: fileField })));
    bb.on('fieldsLimit', () => fail(new CatalogError('too-many-fields', 'Biểu mẫu có quá nhiều trường.')));
    bb.on('partsLimit', () => fail(new CatalogError('too-many-fields', 'Biểu mẫu có quá nhiều phần.')));
    bb.on('file', (name, stream, info) => {
      if (failed) { stream.resume(); return; }
      if (name !== fileField) { stream.resume(); return fail(new CatalogError('unexpected-part', `Tệp phải gửi trong trường "${fileField}", không phải "${name.slice(0, 60)}".`, { field: name })); }
      if (++fileParts > 1) { stream.resume(); return fail(new CatalogError('too-many-files', `Mỗi lần chỉ gửi một tệp (trường "${fileField}").`, { field: fileField })); }
      stream.pause();
      writing = (async () => {
        try {
          await opts.beforeFile?.(fields);
        } catch (err) {
          stream.resume();
          fail(err as Error);
          return;
        }
        if (failed) { stream.resume(); return; }
        tmp = store.tempPath('.upload');
        const out = fs.createWriteStream(tmp, { flags: 'wx' });
        let size = 0;
        const hash = crypto.createHash('sha256');
        stream.on('data', (c: Buffer) => { size += c.length; hash.update(c); });
        stream.on('limit', () => fail(new CatalogError('file-too-large', `Tệp vượt quá giới hạn ${Math.round(opts.maxBytes / 1048576)} MB.`, { field: fileField })));
        await new Promise<void>((res, rej) => {
          out.on('finish', res);
          out.on('error', rej);
          stream.on('error', rej);
          stream.on('end', () => { file = { path: tmp!, originalName: (info.filename ?? 'tep-tai-len').normalize('NFC'), size }; sha256 = hash.digest('hex'); });
          stream.pipe(out);
        });
      })();
      writing.catch((err) => fail(err as Error));
    });
    bb.on('error', (err) => fail(new CatalogError('bad-multipart', `Không đọc được dữ liệu gửi lên: ${(err as Error).message}`)));
    bb.on('close', () => {
      if (failed) return;
      writing.then(() => {
        if (failed) return;
        let upload: UploadedFile | null = null;
        if (file) {
          upload = new UploadedFile(file.path, file.originalName, { sha256, size: file.size });
          // the uploader's name, as the ingest shows it: no control character reaches the log
          stopProgress = showIngestProgress(upload.progress, { terminal: false, label: safeFileName(file.originalName) });
        }
        resolve({ fields, file, upload, cleanup });
      }, (err) => fail(err as Error));
    });
    req.on('aborted', () => fail(new CatalogError('aborted', 'Tải lên bị gián đoạn.')));
    req.pipe(bb);
  });
}
