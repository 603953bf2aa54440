import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './headers.ts';
import { currentView, resolveInView } from '../publish/site-view.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.csv': 'text/csv; charset=utf-8', '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8', '.atom': 'application/atom+xml; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '.webmanifest': 'application/manifest+json',
  '.ttl': 'text/turtle; charset=utf-8', '.jsonld': 'application/ld+json; charset=utf-8', '.rdf': 'application/rdf+xml; charset=utf-8',
};

/** RDF serialisations of a dataset's DCAT-AP description, by media type (content negotiation) and by ckanext-dcat's extension aliases. */
const RDF_TYPES: Record<string, string> = { 'text/turtle': 'ttl', 'application/ld+json': 'jsonld', 'application/rdf+xml': 'rdf', 'text/n3': 'ttl', 'application/x-turtle': 'ttl' };
const RDF_ALIASES: Record<string, string> = { xml: 'rdf', n3: 'ttl' };

/** The serialisation a client asks for in Accept, or null for the page (HTML wins ties: browsers list it first). */
export function negotiateRdf(accept: string | undefined): string | null {
  if (!accept) return null;
  let best: { ext: string | null; q: number } = { ext: null, q: 0 };
  let html = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) || 0 : 1;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    const ext = RDF_TYPES[type ?? ''];
    if (ext && q > best.q) best = { ext, q };
  }
  return best.ext && best.q > html ? best.ext : null;
}

/** Precompressed siblings written by the site build, best first. */
const ENCODINGS = [{ name: 'br', ext: '.br' }, { name: 'gzip', ext: '.gz' }] as const;

// Characters that never belong in one of our addresses and that break a header or a log line.
const FORBIDDEN = /[\u0000-\u001f\u007f\u2028\u2029\\]/;

export type ParsedPath = { segments: string[]; trailingSlash: boolean; query: string };

/**
 * The request's path as name segments, or null when it is not one of ours: not starting with one
 * `/`, undecodable, with control characters, a backslash, or a `..` segment. Parsed by hand, not
 * with `new URL(req.url, base)`, which reads `//host/x` as another host.
 */
export function parseRequestPath(url: string | undefined): ParsedPath | null {
  if (!url || url[0] !== '/') return null;
  const q = url.search(/[?#]/);
  const raw = q === -1 ? url : url.slice(0, q);
  const query = q === -1 || url[q] === '#' ? '' : url.slice(q).replace(/#.*$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (FORBIDDEN.test(decoded) || FORBIDDEN.test(query)) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return null;
  return { segments, trailingSlash: decoded.endsWith('/'), query };
}

/** An address made only of our own path: always one leading `/`, each segment encoded. */
export function pathLocation(segments: string[], trailingSlash: boolean, query = ''): string {
  const p = '/' + segments.map(encodeURIComponent).join('/');
  return (trailingSlash && segments.length ? p + '/' : p) + query;
}

/**
 * Serves the current static build. The `site` link is resolved per request, so a rebuild switches
 * every new request to the new site at once. Paths are resolved inside the root only; redirects
 * never leave the host; precompressed copies go to clients that accept them.
 */
export function serveStatic(siteLink: string, opts: { frameAncestors?: string } = {}) {
  const headersOf = securityHeaders(opts);
  return (req: IncomingMessage, res: ServerResponse): void => {
    for (const [k, v] of Object.entries(headersOf)) res.setHeader(k, v);
    const text = (status: number, body: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extra }).end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Phương thức không được hỗ trợ', { allow: 'GET, HEAD' });
    const parsed = parseRequestPath(req.url);
    if (!parsed) return text(400, 'Địa chỉ không hợp lệ');
    const view = currentView(siteLink);
    if (!view) return text(503, 'Trang đang được dựng, vui lòng thử lại sau ít giây.', { 'retry-after': '10' });
    let segments = parsed.segments;
    let vary = 'Accept-Encoding';
    // DCAT-AP: /dataset/<name>/ answers Turtle, JSON-LD or RDF/XML to a client that asks for it (ckanext-dcat's content negotiation),
    // /dataset/<name>.xml|.n3 are ckanext-dcat's other names, /catalog.<ext>?page=n its paging
    if (segments.length === 2 && segments[0] === 'dataset') {
      const rdf = negotiateRdf(req.headers.accept);
      vary = 'Accept, Accept-Encoding';
      if (rdf) segments = ['dataset', `${segments[1]}.${rdf}`];
      const alias = /^(.+)\.(xml|n3)$/.exec(segments[1]!);
      if (alias) segments = ['dataset', `${alias[1]}.${RDF_ALIASES[alias[2]!]}`];
    }
    const page = /^catalog\.(ttl|jsonld|rdf)$/.exec(segments.join('/'));
    const pageNumber = page ? Number(new URLSearchParams(parsed.query).get('page') ?? 1) : 1;
    if (page && Number.isInteger(pageNumber) && pageNumber > 1) segments = ['catalog', 'page', `${pageNumber}.${page[1]}`];
    // the segments passed the name checks of parseRequestPath: no '..', no separators
    let rel = segments.join('/');
    let found = resolveInView(view, rel);
    if (found?.kind === 'dir') {
      if (!parsed.trailingSlash && parsed.segments.length) {
        res.writeHead(301, { location: pathLocation(parsed.segments, true, parsed.query) }).end();
        return;
      }
      rel = rel ? `${rel}/index.html` : 'index.html';
      found = resolveInView(view, rel);
    }
    if (found?.kind !== 'file') {
      const notFound = resolveInView(view, '404.html');
      res.writeHead(404, { 'content-type': TYPES['.html']! });
      if (req.method === 'HEAD' || notFound?.kind !== 'file') res.end();
      else fs.createReadStream(notFound.path).pipe(res);
      return;
    }
    const file = found.path;
    const stat = found;
    const ext = path.extname(file).toLowerCase();
    const download = parsed.segments.includes('download');
    const headers: Record<string, string> = {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      // hashed build assets and the search data's files (named by content or publish; all but its meta.json) never
      // change under their name; pages and data may change with any publish
      'cache-control': parsed.segments[0] === '_astro' || (parsed.segments[0] === 'search' && parsed.segments.length > 1 && parsed.segments.at(-1) !== 'meta.json')
        ? 'public, max-age=31536000, immutable' : ext === '.html' ? 'no-cache' : 'public, max-age=300',
    };
    if (download) {
      headers['access-control-allow-origin'] = '*'; // open data: any site may fetch it
      headers['content-disposition'] = `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"`;
    }
    let body = file;
    let size = stat.size;
    let etag = `"${stat.size.toString(16)}-${Math.trunc(stat.mtimeMs).toString(16)}"`;
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    if (!download) {
      headers.vary = vary;
      for (const enc of ENCODINGS) {
        if (!accepted.has(enc.name)) continue;
        const s = resolveInView(view, rel + enc.ext);
        if (s?.kind !== 'file') continue;
        body = s.path;
        size = s.size;
        headers['content-encoding'] = enc.name;
        etag = `${etag.slice(0, -1)}-${enc.name}"`;
        break;
      }
    }
    headers['content-length'] = String(size);
    headers.etag = etag;
    if (req.headers['if-none-match'] === etag) { res.writeHead(304, { etag, vary: headers.vary ?? '' }).end(); return; }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(body).pipe(res);
  };
}

/** Content codings the client accepts (q=0 means refused). */
function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    out.add(name);
  }
  return out;
}
