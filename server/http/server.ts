import http from 'node:http';
import path from 'node:path';
import { parseRequestPath, serveStatic } from './static.ts';
import { securityHeaders } from './headers.ts';
import { BODY_LIMITS, MULTIPART_OVERHEAD, refuseBody } from './limits.ts';
import { log } from '../log.ts';
import { handleVersionUpload } from './api.ts';
import { handleCreateForm, handleUploadForm, sameOrigin } from './forms.ts';
import { readCookie, SESSION_COOKIE, sessionFromToken, type SessionInfo } from '../auth/sessions.ts';
import { FlashStore } from '../workspace/flash.ts';
import type { Workspace } from '../workspace/service.ts';
import { sendJson } from './respond.ts';

export interface RunningServer { server: http.Server; url: string; close(): Promise<void> }

type AstroHandler = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void, locals: object) => Promise<void>;

/** What the workspace's on-demand Astro pages find in Astro.locals. */
export interface WorkspaceLocals {
  workspace: Workspace;
  session: SessionInfo | null;
  flash: FlashStore;
  cookieSecure: boolean;
  /** the client's address (the socket's, or X-Forwarded-For through TRUST_PROXY proxies) */
  clientAddress: string;
}

export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  /** the units' workspace and upload API; without it the server serves the public site only */
  workspace?: Workspace;
  /** the node adapter's handler from the site build (on-demand workspace pages) */
  astroHandler?: AstroHandler | null;
  cookieSecure?: boolean;
  uploadMaxBytes?: number;
  /** reverse proxies whose X-Forwarded-For is trusted */
  trustProxy?: number;
  frameAncestors?: string;
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

/** The portal's HTTP server: the static public site, the upload API and the units' workspace. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const handleStatic = serveStatic(path.join(opts.dataDir, 'site'), { frameAncestors: opts.frameAncestors });
  const flash = new FlashStore();
  const maxBytes = opts.uploadMaxBytes ?? 512 * 1024 * 1024;
  const cookieSecure = opts.cookieSecure ?? true;
  const headers = securityHeaders({ frameAncestors: opts.frameAncestors });

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const parsed = parseRequestPath(req.url);
    if (!parsed) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Địa chỉ không hợp lệ');
      return;
    }
    const p = '/' + parsed.segments.join('/') + (parsed.trailingSlash && parsed.segments.length ? '/' : '');
    const ws = opts.workspace;
    const api = /^\/api\/datasets\/([a-z0-9-]{1,100})\/versions\/?$/.exec(p);
    if (api && ws) {
      if (req.method !== 'POST') return sendJson(res, 405, { success: false, error: { code: 'method-not-allowed', message: 'Chỉ hỗ trợ POST.' } });
      if (refuseBody(req, res, maxBytes + MULTIPART_OVERHEAD, { requireLength: false })) return;
      return handleVersionUpload(req, res, ws, api[1]!, maxBytes);
    }
    if ((p === '/workspace' || p.startsWith('/workspace/')) && ws) {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('cache-control', 'no-store');
      res.setHeader('referrer-policy', 'same-origin');
      const action = /^\/workspace\/actions\/(?:upload\/([a-z0-9-]{1,100})|(create))$/.exec(p);
      // every body has its route's limit, checked on the declared length before anything is read
      const limit = action ? maxBytes + MULTIPART_OVERHEAD : p.startsWith('/workspace/sign-in') ? BODY_LIMITS.signIn : BODY_LIMITS.form;
      if (refuseBody(req, res, limit, { requireLength: !action })) return;
      const session = await sessionFromToken(ws.db, readCookie(req.headers.cookie, SESSION_COOKIE));
      if (action) {
        if (req.method !== 'POST') { res.writeHead(405, { allow: 'POST' }); res.end(); return; }
        if (!session || !sameOrigin(req)) {
          req.resume();
          res.writeHead(session ? 403 : 401, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(session ? 'Yêu cầu không hợp lệ (khác nguồn gốc).' : 'Bạn cần đăng nhập.');
          return;
        }
        const ctx = { workspace: ws, flash, session, maxBytes };
        return action[1] ? handleUploadForm(req, res, ctx, action[1]) : handleCreateForm(req, res, ctx);
      }
      if (!opts.astroHandler) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Khu làm việc chưa sẵn sàng: trang chưa được dựng (npm run build:site).');
        return;
      }
      const locals: WorkspaceLocals = { workspace: ws, session, flash, cookieSecure, clientAddress: clientAddressOf(req, opts.trustProxy ?? 0) };
      return opts.astroHandler(req, res, () => handleStatic(req, res), locals);
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
  return { server, url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
