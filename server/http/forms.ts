import type http from 'node:http';
import { CatalogError } from '../catalog/datasets.ts';
import { csrfMatches, type SessionInfo } from '../auth/sessions.ts';
import type { Workspace } from '../workspace/service.ts';
import type { FlashStore } from '../workspace/flash.ts';
import { readMultipart } from './multipart.ts';
import { log } from '../log.ts';

/** What the dataset page shows after an upload from the browser. */
export interface UploadFlash {
  status: 'published' | 'no-change' | 'invalid' | 'error';
  version?: number;
  message?: string;
  code?: string;
  reports?: unknown[];
  fileName?: string;
}

export interface CreateFlash { problems: { field: string; message: string }[]; form: Record<string, string>; reports?: unknown[]; message?: string }

function redirect(res: http.ServerResponse, location: string) {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}

/** Same-origin check for form posts (the first CSRF defence; the session's token is the second). */
export function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // browsers send Origin on cross-site POSTs; the CSRF token covers the rest
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function checkCsrf(session: SessionInfo) {
  return (fields: Record<string, string>) => {
    if (!csrfMatches(session, fields._csrf)) throw new CatalogError('csrf-failed', 'Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại.');
  };
}

/** POST /workspace/actions/upload/<slug>: the upload form of the dataset page. */
export async function handleUploadForm(req: http.IncomingMessage, res: http.ServerResponse, ctx: { workspace: Workspace; flash: FlashStore; session: SessionInfo; maxBytes: number }, slug: string) {
  const back = `/workspace/datasets/${encodeURIComponent(slug)}/`;
  let flash: UploadFlash;
  let upload;
  try {
    // refuse before reading the file when the account may not touch this dataset
    const d = await ctx.workspace.datasetBySlug(slug);
    if (ctx.session.principal.role !== 'admin' && !ctx.session.principal.editorOf.has(d.organizationId)) throw new CatalogError('forbidden', 'Tài khoản của bạn không có quyền cập nhật bộ dữ liệu của đơn vị khác.');
    upload = await readMultipart(req, ctx.workspace.store, { maxBytes: ctx.maxBytes, beforeFile: checkCsrf(ctx.session), fields: ['_csrf', 'note', 'resource'] });
    checkCsrf(ctx.session)(upload.fields);
    if (!upload.file || upload.file.size === 0) throw new CatalogError('file-required', 'Hãy chọn một tệp dữ liệu để tải lên.');
    const outcome = await ctx.workspace.uploadVersion(ctx.session.principal, slug, upload.file, { note: upload.fields.note ?? '', resourceName: upload.fields.resource || undefined });
    flash = outcome.status === 'invalid'
      ? { status: 'invalid', reports: outcome.reports, fileName: upload.file.originalName }
      : { status: outcome.status, version: outcome.versionNumber, reports: outcome.reports, fileName: upload.file.originalName };
  } catch (err) {
    if (!(err instanceof CatalogError)) log('http', `lỗi khi tải lên ${slug}: ${(err as Error).stack}`);
    if (err instanceof CatalogError && (err.code === 'forbidden' || err.code === 'csrf-failed')) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(err.message);
      return;
    }
    flash = { status: 'error', code: err instanceof CatalogError ? err.code : 'server-error', message: err instanceof CatalogError ? err.message : 'Lỗi máy chủ khi xử lý tệp; dữ liệu đang công bố không bị ảnh hưởng.' };
  } finally {
    upload?.cleanup();
  }
  redirect(res, `${back}?ket-qua=${ctx.flash.put(ctx.session.sessionId, flash)}#ket-qua`);
}

/** POST /workspace/actions/create: the new-dataset form (metadata and the first file). */
export async function handleCreateForm(req: http.IncomingMessage, res: http.ServerResponse, ctx: { workspace: Workspace; flash: FlashStore; session: SessionInfo; maxBytes: number }) {
  let upload;
  let flash: CreateFlash;
  try {
    upload = await readMultipart(req, ctx.workspace.store, { maxBytes: ctx.maxBytes, beforeFile: checkCsrf(ctx.session) });
    checkCsrf(ctx.session)(upload.fields);
    const { _csrf, ...form } = upload.fields;
    const file = upload.file && upload.file.size > 0 ? upload.file : null;
    const result = await ctx.workspace.createDataset(ctx.session.principal, form, file);
    if (result.outcome?.status === 'published') {
      const id = ctx.flash.put(ctx.session.sessionId, { status: 'published', version: 1, reports: result.outcome.reports, fileName: file?.originalName } satisfies UploadFlash);
      return redirect(res, `/workspace/datasets/${result.slug}/?ket-qua=${id}#ket-qua`);
    }
    flash = { problems: result.problems, form, reports: result.outcome?.reports };
  } catch (err) {
    if (err instanceof CatalogError && (err.code === 'forbidden' || err.code === 'csrf-failed')) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(err.message);
      return;
    }
    if (!(err instanceof CatalogError)) log('http', `lỗi khi tạo bộ dữ liệu: ${(err as Error).stack}`);
    flash = { problems: [], form: {}, message: err instanceof CatalogError ? err.message : 'Lỗi máy chủ; không có gì được lưu.' };
  } finally {
    upload?.cleanup();
  }
  redirect(res, `/workspace/datasets/new/?ket-qua=${ctx.flash.put(ctx.session.sessionId, flash)}`);
}
