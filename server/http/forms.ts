import type http from 'node:http';
import { NotAuthorized } from '../actions/index.ts';
import { CatalogError } from '../catalog/errors.ts';
import { csrfMatches } from '../auth/csrf.ts';
import type { SessionInfo } from '../auth/sessions.ts';
import type { CreateFlash, UploadFlash } from '../contract/workspace.ts';
import { isWorkspaceProblem } from '../contract/workspace.ts';
import { asWorkspaceProblem, type WorkspaceContext } from './workspace.ts';
import { readMultipart } from './multipart.ts';
import { putFlash } from '../auth/flash.ts';
import { log } from '../log.ts';

export type { CreateFlash, UploadFlash };

/**
 * The workspace's two multipart forms (a new version; a new dataset with its first file). The file
 * streams to a temporary file only after the form's CSRF token and the account's right to write there
 * have been checked; then the same actions as the Action API's run as the signed-in account.
 */
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

const checkCsrf = (session: SessionInfo, fields: Record<string, string>) => {
  if (!csrfMatches(session, fields._csrf)) throw new CatalogError('csrf-failed', 'Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại.');
};

function refuse(res: http.ServerResponse, err: unknown): boolean {
  const forbidden = (err instanceof CatalogError && err.code === 'csrf-failed') || err instanceof NotAuthorized || (isWorkspaceProblem(err) && (err.kind === 'forbidden' || err.kind === 'sign-in'));
  if (!forbidden) return false;
  res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
  res.end((err as Error).message);
  return true;
}

type Ctx = WorkspaceContext & { session: SessionInfo; maxBytes: number; store: import('../storage/blobs.ts').BlobStore };

/** POST /workspace/actions/upload/<slug>: the upload form of the dataset page → resource_update. */
export async function handleUploadForm(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx, slug: string) {
  const back = `/workspace/datasets/${encodeURIComponent(slug)}/`;
  const caller = { user: ctx.session.principal };
  let flash: UploadFlash;
  let upload;
  try {
    upload = await readMultipart(req, ctx.store, {
      maxBytes: ctx.maxBytes, fields: ['_csrf', 'note', 'resource'],
      // the token and the right to write this dataset, before the first byte of the file
      beforeFile: async (fields) => { checkCsrf(ctx.session, fields); await ctx.actions.authorize('resource_update', caller, { package_id: slug }); },
    });
    checkCsrf(ctx.session, upload.fields);
    if (!upload.file || upload.file.size === 0) throw new CatalogError('file-required', 'Hãy chọn một tệp dữ liệu để tải lên.');
    const out = await ctx.actions.call('resource_update', caller, {
      package_id: slug, ...(upload.fields.resource ? { resource_name: upload.fields.resource } : {}),
      upload: upload.upload!, ...(upload.fields.note?.trim() ? { note: upload.fields.note } : {}),
    });
    flash = { status: out.result.status, version: out.result.version, reports: out.result.reports, fileName: upload.file.originalName };
  } catch (e) {
    const err = asWorkspaceProblem(e);
    if (refuse(res, err)) return;
    if (isWorkspaceProblem(err) && err.code === 'validation-failed') flash = { status: 'invalid', reports: err.reports, fileName: upload?.file?.originalName };
    else if (isWorkspaceProblem(err) || err instanceof CatalogError) flash = { status: 'error', code: (err as { code: string }).code, message: (err as Error).message };
    else {
      log('http', `lỗi khi tải lên ${slug}: ${(err as Error).stack}`);
      flash = { status: 'error', code: 'server-error', message: 'Lỗi máy chủ khi xử lý tệp; dữ liệu đang công bố không bị ảnh hưởng.' };
    }
  } finally {
    upload?.cleanup();
  }
  redirect(res, `${back}?ket-qua=${await putFlash(ctx.db, ctx.session.sessionId, flash)}#ket-qua`);
}

/** POST /workspace/actions/create: the new-dataset form (metadata and the first file) → package_create. */
export async function handleCreateForm(req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx) {
  const caller = { user: ctx.session.principal };
  let upload;
  let flash: CreateFlash;
  let form: Record<string, string> = {};
  try {
    upload = await readMultipart(req, ctx.store, {
      maxBytes: ctx.maxBytes,
      beforeFile: async (fields) => { checkCsrf(ctx.session, fields); await ctx.actions.authorize('package_create', caller, fields); },
    });
    checkCsrf(ctx.session, upload.fields);
    const { _csrf, note, ...rest } = upload.fields;
    form = { ...rest, ...(note ? { note } : {}) };
    // the form's topic checkboxes send nothing when none is ticked: that means "none"
    const input: Record<string, unknown> = { groups: '', ...rest, ...(note?.trim() ? { note } : {}) };
    if (!upload.file || upload.file.size === 0) {
      flash = { problems: [{ field: 'file', message: 'Cần chọn tệp dữ liệu cho phiên bản đầu tiên.' }], form };
    } else {
      input.upload = upload.upload!;
      const out = await ctx.actions.call('package_create', caller, input);
      const id = await putFlash(ctx.db, ctx.session.sessionId, { status: 'published', version: out.result.version, reports: out.result.reports, fileName: upload.file.originalName } satisfies UploadFlash);
      return redirect(res, `/workspace/datasets/${out.name}/?ket-qua=${id}#ket-qua`);
    }
  } catch (e) {
    const err = asWorkspaceProblem(e);
    if (refuse(res, err)) return;
    if (isWorkspaceProblem(err)) {
      flash = { problems: err.code === 'validation-failed' ? [] : err.problems.filter((p) => p.field !== 'upload'), form, reports: err.reports, message: err.code === 'validation-failed' ? undefined : err.problems.length ? undefined : err.message };
    } else if (err instanceof CatalogError) {
      flash = { problems: [], form, message: err.message };
    } else {
      log('http', `lỗi khi tạo bộ dữ liệu: ${(err as Error).stack}`);
      flash = { problems: [], form, message: 'Lỗi máy chủ; không có gì được lưu.' };
    }
  } finally {
    upload?.cleanup();
  }
  redirect(res, `/workspace/datasets/new/?ket-qua=${await putFlash(ctx.db, ctx.session.sessionId, flash!)}`);
}
