import type http from 'node:http';
import { NotAuthorized, NotFound, ValidationError, type Dispatcher } from '../actions/index.ts';
import { authenticateToken } from '../auth/accounts.ts';
import { CatalogError } from '../catalog/errors.ts';
import type { Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { readMultipart } from './multipart.ts';
import { sendJson } from './respond.ts';
import { log } from '../log.ts';

/**
 * POST /api/datasets/<slug>/versions (multipart: file, note[, resource]) with `Authorization: <token>`,
 * the portal's first upload API, kept for the scripts written against it: the resource_update action
 * behind a simpler answer. 201 with the new version, 200 "no change", 422 with the validation report or
 * a reason, 401 without a valid token, 403 for another unit's dataset, 404 for an unknown dataset.
 * Authorisation is decided before the body is read.
 */
export async function handleVersionUpload(req: http.IncomingMessage, res: http.ServerResponse, ctx: { actions: Dispatcher; db: Db; store: BlobStore }, slug: string, maxBytes: number) {
  const err = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => sendJson(res, status, { success: false, error: { code, message, ...extra } });
  const user = await authenticateToken(ctx.db, req.headers.authorization);
  if (!user) {
    res.setHeader('www-authenticate', 'Bearer realm="cong-du-lieu-mo"');
    req.resume();
    return err(401, 'unauthenticated', 'Thiếu hoặc sai mã truy cập API (tiêu đề Authorization).');
  }
  const caller = { user };
  let upload;
  try {
    await ctx.actions.authorize('resource_update', caller, { package_id: slug });
    upload = await readMultipart(req, ctx.store, { maxBytes, fields: ['note', 'resource'] });
    if (!upload.file) return err(422, 'file-required', 'Thiếu tệp dữ liệu (trường "file").');
    const out = await ctx.actions.call('resource_update', caller, {
      package_id: slug, ...(upload.fields.resource ? { resource_name: upload.fields.resource } : {}),
      upload: upload.upload!, ...(upload.fields.note?.trim() ? { note: upload.fields.note } : {}),
    });
    const r = out.result;
    if (r.status === 'no-change') {
      return sendJson(res, 200, { success: true, result: { dataset: slug, status: 'no-change', version: r.version, message: 'Dữ liệu giống hệt phiên bản hiện tại: không tạo phiên bản mới và hạn cập nhật không thay đổi.' } });
    }
    return sendJson(res, 201, { success: true, result: { dataset: slug, status: 'published', version: r.version, dataChanged: r.data_changed, reports: r.reports } });
  } catch (e) {
    req.resume();
    if (e instanceof NotAuthorized) return err(e.signedIn ? 403 : 401, e.code, e.signedIn ? 'Mã truy cập này không có quyền cập nhật dữ liệu của đơn vị khác.' : e.message);
    if (e instanceof NotFound) return err(404, e.code, e.message);
    if (e instanceof ValidationError) {
      if (e.code === 'validation-failed') return err(422, 'validation-failed', 'Tệp không hợp lệ; phiên bản đang công bố được giữ nguyên.', { reports: e.data?.reports });
      return err(422, e.code, e.message);
    }
    if (e instanceof CatalogError) return err(e.code === 'file-too-large' ? 413 : 422, e.code, e.message);
    log('http', `lỗi khi tải lên ${slug}: ${(e as Error).stack}`);
    return err(500, 'server-error', 'Lỗi máy chủ; dữ liệu đang công bố không bị ảnh hưởng.');
  } finally {
    upload?.cleanup();
  }
}
