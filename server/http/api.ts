import type http from 'node:http';
import { authenticateToken } from '../auth/accounts.ts';
import { can } from '../auth/authorize.ts';
import { CatalogError } from '../catalog/datasets.ts';
import type { Workspace } from '../workspace/service.ts';
import { readMultipart } from './multipart.ts';
import { errorStatus, sendJson } from './respond.ts';

/**
 * POST /api/datasets/<slug>/versions (multipart: file, note[, resource]) with `Authorization: <token>`:
 * 201 with the new version, 200 "no change", 422 with the validation report, 401 without a valid
 * token, 403 for another unit's dataset, 404 for an unknown dataset. Authorisation is decided
 * before the body is read, so nobody can make the server store a file they may not publish.
 */
export async function handleVersionUpload(req: http.IncomingMessage, res: http.ServerResponse, workspace: Workspace, slug: string, maxBytes: number) {
  const who = await authenticateToken(workspace.db, req.headers.authorization);
  if (!who) {
    res.setHeader('www-authenticate', 'Bearer realm="cong-du-lieu-mo"');
    return sendJson(res, 401, { success: false, error: { code: 'unauthenticated', message: 'Thiếu hoặc sai mã truy cập API (tiêu đề Authorization).' } });
  }
  let dataset;
  try {
    dataset = await workspace.datasetBySlug(slug);
  } catch (err) {
    return sendJson(res, 404, { success: false, error: { code: (err as CatalogError).code, message: (err as Error).message } });
  }
  if (!can(who, 'dataset.publish-version', dataset.organizationId)) {
    return sendJson(res, 403, { success: false, error: { code: 'forbidden', message: 'Mã truy cập này không có quyền cập nhật dữ liệu của đơn vị khác.' } });
  }
  let upload;
  try {
    upload = await readMultipart(req, workspace.store, { maxBytes, fields: ['note', 'resource'] });
  } catch (err) {
    return sendJson(res, errorStatus(err), { success: false, error: { code: (err as CatalogError).code ?? 'bad-request', message: (err as Error).message } });
  }
  try {
    if (!upload.file) return sendJson(res, 422, { success: false, error: { code: 'file-required', message: 'Thiếu tệp dữ liệu (trường "file").' } });
    const outcome = await workspace.uploadVersion(who, slug, upload.file, { note: upload.fields.note ?? '', resourceName: upload.fields.resource || undefined });
    if (outcome.status === 'invalid') {
      return sendJson(res, 422, { success: false, error: { code: 'validation-failed', message: 'Tệp không hợp lệ; phiên bản đang công bố được giữ nguyên.', reports: outcome.reports } });
    }
    if (outcome.status === 'no-change') {
      return sendJson(res, 200, { success: true, result: { dataset: slug, status: 'no-change', version: outcome.versionNumber, message: 'Dữ liệu giống hệt phiên bản hiện tại: không tạo phiên bản mới và hạn cập nhật không thay đổi.' } });
    }
    return sendJson(res, 201, { success: true, result: { dataset: slug, status: 'published', version: outcome.versionNumber, dataChanged: outcome.dataChanged, reports: outcome.reports } });
  } catch (err) {
    return sendJson(res, errorStatus(err), { success: false, error: { code: (err as CatalogError).code ?? 'server-error', message: (err as Error).message } });
  } finally {
    upload.cleanup();
  }
}
