import http from 'node:http';
import path from 'node:path';
import { serveStatic } from './static.ts';
import { log } from '../log.ts';

export interface RunningServer { server: http.Server; url: string; close(): Promise<void> }

/** The portal's HTTP server: for now the static public site with its downloads. */
export async function startServer(opts: { dataDir: string; host: string; port: number }): Promise<RunningServer> {
  const handleStatic = serveStatic(path.join(opts.dataDir, 'site'));
  const server = http.createServer((req, res) => {
    try {
      handleStatic(req, res);
    } catch (err) {
      log('http', `lỗi: ${(err as Error).stack}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Lỗi máy chủ');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const addr = server.address() as import('node:net').AddressInfo;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${addr.port}`;
  return { server, url, close: () => new Promise((r) => server.close(() => r())) };
}
