import http from 'node:http';
import path from 'node:path';
import { parseRequestPath, serveStatic } from './static.ts';
import { securityHeaders } from './headers.ts';
import { BODY_LIMITS, MULTIPART_OVERHEAD, refuseBody } from './limits.ts';
import { log } from '../log.ts';
import { handleVersionUpload } from './api.ts';
import { handleActionApi } from './action-api.ts';
import { handleCreateForm, handleUploadForm, sameOrigin } from './forms.ts';
import { sessionOf, workspaceLocals } from './workspace.ts';
import { sendJson } from './respond.ts';
import type { Dispatcher } from '../actions/index.ts';
import type { Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import type { Publisher } from '../publish/publisher.ts';

export type { WorkspaceLocals } from '../contract/workspace.ts';

export interface RunningServer { server: http.Server; url: string; close(): Promise<void> }

type AstroHandler = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void, locals: object) => Promise<void>;

export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  /** the catalogue behind the workspace and the APIs; without it the server serves the public site only */
  portal?: { actions: Dispatcher; db: Db; store: BlobStore; publisher?: Publisher | null };
  /** the node adapter's handler from the site build (on-demand workspace pages) */
  astroHandler?: AstroHandler | null;
  cookieSecure?: boolean;
  uploadMaxBytes?: number;
  /** reverse proxies whose X-Forwarded-For is trusted */
  trustProxy?: number;
  frameAncestors?: string;
  /** the public address, for the Action API's `help` links */
  siteUrl?: string;
}

/**
 * The client's address: the socket's, or with `hops` trusted proxies in front, the address the
 * outermost trusted proxy saw (X-Forwarded-For's entries left of it are the client's to forge).
 */
export function clientAddressOf(req: http.IncomingMessage, hops: number): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return socket;
  const chain = String(req.headers['x-forwarded-for'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return chain[chain.length - hops] ?? chain[0] ?? socket;
}

/** The portal's HTTP server: the static public site, the Action API, the upload API and the units' workspace. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const handleStatic = serveStatic(path.join(opts.dataDir, 'site'), { frameAncestors: opts.frameAncestors });
  const maxBytes = opts.uploadMaxBytes ?? 512 * 1024 * 1024;
  const cookieSecure = opts.cookieSecure ?? true;
  const headers = securityHeaders({ frameAncestors: opts.frameAncestors });
  let siteUrl = opts.siteUrl ?? '';

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const parsed = parseRequestPath(req.url);
    if (!parsed) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Địa chỉ không hợp lệ');
      return;
    }
    const p = '/' + parsed.segments.join('/') + (parsed.trailingSlash && parsed.segments.length ? '/' : '');
    const portal = opts.portal;

    const action = /^\/api\/(?:3\/)?action\/([A-Za-z0-9_.-]{1,100})\/?$/.exec(p);
    if (action && portal) {
      const name = action[1]!;
      // an upload goes to CKAN's multipart actions; every other body is small JSON or a form
      const uploading = String(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
      if (refuseBody(req, res, uploading ? maxBytes + MULTIPART_OVERHEAD : BODY_LIMITS.json, { requireLength: false })) return;
      return handleActionApi(req, res, { actions: portal.actions, db: portal.db, store: portal.store, siteUrl, uploadMaxBytes: maxBytes }, name, new URL(req.url ?? '/', 'http://x'));
    }
    if ((p === '/api/3' || p === '/api/3/' || p === '/api' || p === '/api/') && portal && req.method === 'GET') return sendJson(res, 200, { version: 3 });

    const api = /^\/api\/datasets\/([a-z0-9-]{1,100})\/versions\/?$/.exec(p);
    if (api && portal) {
      if (req.method !== 'POST') return sendJson(res, 405, { success: false, error: { code: 'method-not-allowed', message: 'Chỉ hỗ trợ POST.' } });
      if (refuseBody(req, res, maxBytes + MULTIPART_OVERHEAD, { requireLength: false })) return;
      return handleVersionUpload(req, res, portal, api[1]!, maxBytes);
    }
    if ((p === '/workspace' || p.startsWith('/workspace/')) && portal) {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('cache-control', 'no-store');
      res.setHeader('referrer-policy', 'same-origin');
      const form = /^\/workspace\/actions\/(?:upload\/([a-z0-9-]{1,100})|(create))$/.exec(p);
      // every body has its route's limit, checked on the declared length before anything is read
      const limit = form ? maxBytes + MULTIPART_OVERHEAD : p.startsWith('/workspace/sign-in') ? BODY_LIMITS.signIn : BODY_LIMITS.form;
      if (refuseBody(req, res, limit, { requireLength: !form })) return;
      const session = await sessionOf(req, portal.db);
      const ctx = { actions: portal.actions, db: portal.db, publisher: portal.publisher ?? null, cookieSecure };
      if (form) {
        if (req.method !== 'POST') { res.writeHead(405, { allow: 'POST' }); res.end(); return; }
        if (!session || !sameOrigin(req)) {
          req.resume();
          res.writeHead(session ? 403 : 401, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(session ? 'Yêu cầu không hợp lệ (khác nguồn gốc).' : 'Bạn cần đăng nhập.');
          return;
        }
        const formCtx = { ...ctx, session, maxBytes, store: portal.store };
        return form[1] ? handleUploadForm(req, res, formCtx, form[1]) : handleCreateForm(req, res, formCtx);
      }
      if (!opts.astroHandler) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Khu làm việc chưa sẵn sàng: trang chưa được dựng (npm run build:site).');
        return;
      }
      return opts.astroHandler(req, res, () => handleStatic(req, res), workspaceLocals(session, clientAddressOf(req, opts.trustProxy ?? 0), ctx));
    }
    // static files take no body: a large one is refused, never read
    if (req.method !== 'GET' && req.method !== 'HEAD' && refuseBody(req, res, 0, { requireLength: true })) return;
    handleStatic(req, res);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err) => {
      log('http', `lỗi: ${(err as Error).stack}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Lỗi máy chủ');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const addr = server.address() as import('node:net').AddressInfo;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${addr.port}`;
  if (!siteUrl) siteUrl = url;
  return { server, url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
