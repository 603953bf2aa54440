import type http from 'node:http';
import { ActionError, NotAuthorized, NotFound, SearchQueryError, UnknownAction, ValidationError, type Caller, type Dispatcher } from '../actions/index.ts';
import { authenticateToken } from '../auth/accounts.ts';
import type { Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { readMultipart } from './multipart.ts';
import { BODY_LIMITS, formatLimit } from './limits.ts';
import { log } from '../log.ts';
import { CatalogError } from '../catalog/errors.ts';
import { stringifyWithRaw } from '../formats/raw-json.ts';

/**
 * CKAN's Action API v3 (ckan/views/api.py) over the dispatcher: `/api/3/action/<name>` and
 * `/api/action/<name>`, GET for reads, POST with JSON, a form or multipart (`upload`), the envelope
 * `{help, success, result}` and CKAN's error table. `Authorization: <token>` names the caller; the
 * API never reads the workspace's cookie, so no other site can act with a visitor's session.
 */
export interface ActionApiContext {
  actions: Dispatcher;
  db: Db;
  store: BlobStore;
  siteUrl: string;
  uploadMaxBytes: number;
}

const JSONP_NAME = /^[A-Za-z_$][\w$.]{0,100}$/;

function send(res: http.ServerResponse, status: number, body: unknown, callback?: string) {
  let text = stringifyWithRaw(body);
  let type = 'application/json; charset=utf-8';
  if (callback) {
    text = `${callback}(${text});`;
    type = 'application/javascript; charset=utf-8';
  }
  res.writeHead(status, {
    'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store',
    // open data: any site may read the API; it takes no cookies, so this grants nothing more
    'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Query-string parameters: one value, or a list when the key repeats (CKAN's `fq_list=a&fq_list=b`). */
function queryParams(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key).map((v) => v.normalize('NFC'));
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class BodyTooLarge extends Error {
  readonly limit: number;
  constructor(limit: number) { super('too large'); this.limit = limit; }
}

/** The caller of an API request: its token's account, or anonymous; a token that is wrong is refused outright. */
async function callerOf(req: http.IncomingMessage, db: Db): Promise<Caller | 'bad-token'> {
  const header = req.headers.authorization ?? req.headers['x-ckan-api-key'];
  if (!header || Array.isArray(header) || !header.trim()) return { user: null };
  const user = await authenticateToken(db, header);
  return user ? { user } : 'bad-token';
}

export async function handleActionApi(req: http.IncomingMessage, res: http.ServerResponse, ctx: ActionApiContext, name: string, url: URL): Promise<void> {
  const help = `${ctx.siteUrl}/api/3/action/help_show?name=${encodeURIComponent(name)}`;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'Authorization, Content-Type', 'access-control-max-age': '86400' }).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST, OPTIONS' }).end();
    return;
  }
  const def = ctx.actions.definition(name);
  if (!def || def.internal) return send(res, 400, `Bad request: Action name not known: ${name}`);
  const callback = req.method === 'GET' ? url.searchParams.get('callback') ?? undefined : undefined;
  if (callback !== undefined && !JSONP_NAME.test(callback)) return send(res, 400, 'Bad request - JSONP callback is not a valid name');
  if (req.method === 'GET' && def.write) return send(res, 400, 'Bad request - JSON Error: Invalid request. Please use POST method for your request');

  const caller = await callerOf(req, ctx.db);
  const fail = (status: number, error: Record<string, unknown>) => send(res, status, { help, success: false, error });
  if (caller === 'bad-token') {
    req.resume();
    return fail(403, { __type: 'Authorization Error', message: 'Access denied: mã truy cập API không đúng hoặc đã bị thu hồi (the API token is invalid or revoked).', __code: 'bad-token' });
  }

  let input: Record<string, unknown>;
  let cleanup = () => {};
  try {
    if (req.method === 'GET') {
      input = queryParams(url.searchParams);
      delete input.callback;
      delete input._; // jQuery's cache buster on JSONP calls
    } else {
      const type = String(req.headers['content-type'] ?? '').toLowerCase();
      if (type.startsWith('multipart/form-data')) {
        // who may write is decided before the first byte of the file is stored (the dispatcher checks again, fully)
        const upload = await readMultipart(req, ctx.store, {
          maxBytes: ctx.uploadMaxBytes, fileField: 'upload',
          beforeFile: async (fields) => {
            if (!caller.user) throw new NotAuthorized('Bạn cần gửi mã truy cập API (tiêu đề Authorization) để tải tệp lên.', false);
            if (['id', 'package_id', 'owner_org'].some((k) => fields[k])) await ctx.actions.authorize(name, caller, fields);
          },
        });
        cleanup = upload.cleanup;
        input = { ...upload.fields };
        if (upload.upload) input.upload = upload.upload;
      } else {
        const text = await readBody(req, BODY_LIMITS.json);
        if (type.startsWith('application/x-www-form-urlencoded')) input = queryParams(new URLSearchParams(text));
        else if (!text.trim()) input = {};
        else {
          try {
            input = JSON.parse(text) as Record<string, unknown>;
          } catch (err) {
            return send(res, 400, `Bad request - JSON Error: Could not extract request body data: ${(err as Error).message}`);
          }
          if (!input || typeof input !== 'object' || Array.isArray(input)) return send(res, 400, 'Bad request - JSON Error: Request data JSON decoded to non-dictionary object');
        }
      }
    }
    const result = await ctx.actions.call(name, caller, input);
    return send(res, 200, { help, success: true, result }, callback);
  } catch (err) {
    if (err instanceof BodyTooLarge) return fail(413, { __type: 'Validation Error', body: [`Nội dung gửi lên quá lớn (giới hạn ${formatLimit(err.limit)}).`], __code: 'body-too-large' });
    if (err instanceof UnknownAction) return send(res, 400, err.message);
    if (err instanceof NotAuthorized) return fail(403, { __type: 'Authorization Error', message: `Access denied: ${err.message}`, __code: err.code });
    if (err instanceof NotFound) return fail(404, { __type: 'Not Found Error', message: err.message.startsWith('Not found') ? err.message : `Not found: ${err.message}`, __code: err.code });
    if (err instanceof SearchQueryError) return fail(400, { __type: 'Search Query Error', message: err.message.startsWith('Search Query is invalid') ? err.message : `Search Query is invalid: ${err.message}`, __code: err.code });
    if (err instanceof ValidationError) {
      const fields = Object.fromEntries(Object.entries(err.fields).map(([f, ps]) => [f, ps.map((p) => p.message)]));
      const codes = Object.fromEntries(Object.entries(err.fields).map(([f, ps]) => [f, ps.map((p) => p.code)]));
      return fail(409, { __type: 'Validation Error', ...fields, __codes: codes, ...(err.data?.reports ? { reports: err.data.reports } : {}) });
    }
    if (err instanceof ActionError) {
      const status = err.code === 'file-too-large' ? 413 : 409;
      return fail(status, { __type: 'Validation Error', [err.code]: [err.message], __codes: { [err.code]: [err.code] } });
    }
    if (err instanceof CatalogError) {
      // the multipart reader's refusals: a file too large, a part that does not belong
      return fail(err.code === 'file-too-large' ? 413 : 409, { __type: 'Validation Error', [err.field ?? err.code]: [err.message], __codes: { [err.field ?? err.code]: [err.code] } });
    }
    log('api', `lỗi ${name}: ${(err as Error).stack}`);
    return fail(500, { __type: 'Internal Server Error', message: 'Internal Server Error' });
  } finally {
    cleanup();
  }
}
