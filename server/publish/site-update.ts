import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../log.ts';
import type { SnapshotCatalog, SnapshotDataset, SnapshotDatasetSummary } from '../contract/snapshot.ts';
import { isValidName } from '../contract/names.ts';
import { dataPackageOf } from '../formats/frictionless.ts';
import { catalogPagePath, datasetDcatFiles, eachDcatFile } from '../formats/files.ts';
import { formatContext } from '../formats/derive.ts';
import { RDF_FORMAT_NAMES } from '../formats/rdf.ts';
import { blobPath, readDatasetDoc } from './snapshot-files.ts';
import { compressFiles, isCompressible } from './compress.ts';
import { linkOrCopy } from './snapshot.ts';
import { pageFile, ROUTES, siteChange, type PageRef } from './site-diff.ts';
import { readInView, readLayer, resolveInView, switchToView, type SiteView, type ViewMeta } from './site-view.ts';
import type { WorkerInit } from './prerender-pool.ts';

/** Layers kept above a full build before they are merged into one. */
export const MAX_LAYERS = 8;

export interface SiteUpdate { view: string; layer: string; rendered: number; written: number; removed: number; ms: number }

/**
 * Brings the site from the snapshot it shows to a new one without a full build: renders again the
 * pages the change touches (site-diff.ts) with the templates of the site's own full build, writes the
 * files whose bytes differ and the removals into a new layer, and switches to a view with that layer
 * on top. The result is the same bytes a full build of the new snapshot gives.
 */
export async function updateSite(opts: { dataDir: string; siteUrl: string; view: SiteView; from: { dir: string; catalog: SnapshotCatalog }; to: { dir: string; catalog: SnapshotCatalog }; key: string }): Promise<SiteUpdate> {
  const t0 = Date.now();
  const { view, from, to } = opts;
  if (!view.meta?.prerender) throw new Error('the site has no prerender bundle to render with');
  const change = siteChange(from.catalog, to.catalog);
  const layersRoot = path.join(opts.dataDir, 'site-layers');
  const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`;
  const layerRoot = path.join(layersRoot, id);
  const client = path.join(layerRoot, 'client');
  fs.mkdirSync(client, { recursive: true });
  const written = new Set<string>();
  const deleted = new Set<string>();
  const made = new Set<string>();
  const target = (rel: string) => {
    const file = path.join(client, ...rel.split('/'));
    const dir = path.dirname(file);
    if (!made.has(dir)) { fs.mkdirSync(dir, { recursive: true }); made.add(dir); }
    fs.rmSync(file, { force: true });
    return file;
  };
  /** writes `body` at `rel` unless the view already has these bytes */
  const put = (rel: string, body: Buffer | string) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const current = readInView(view, rel);
    if (current && current.equals(bytes) && !deleted.has(rel)) return;
    fs.writeFileSync(target(rel), bytes);
    written.add(rel);
    deleted.delete(rel);
  };
  const link = (rel: string, from: string) => {
    fs.rmSync(path.join(client, rel), { force: true });
    linkOrCopy(from, target(rel));
    written.add(rel);
    deleted.delete(rel);
  };
  const drop = (rel: string) => {
    if (written.has(rel)) return; // written by this change (another dataset took the address)
    if (resolveInView(view, rel)?.kind === 'file') deleted.add(rel);
  };

  const phases: string[] = [];
  let mark = Date.now();
  const phase = (name: string) => { phases.push(`${name} ${Date.now() - mark} ms`); mark = Date.now(); };
  phase('so sánh');
  // pages
  const rendered = await renderPages(view.meta.prerender, to.dir, change.render);
  phase('dựng trang');
  for (const [url, body] of rendered) put(pageFile(url), body);
  for (const url of change.remove) drop(pageFile(url));

  // each changed dataset's own files: what it no longer has goes, then what it has now
  const load = (c: { dir: string; catalog: SnapshotCatalog }, s: SnapshotDatasetSummary) => readDatasetDoc(c.dir, c.catalog, s);
  const prevSummaries = new Map(from.catalog.datasets.map((s) => [s.id, s]));
  const fileMap = (d: SnapshotDataset | null) => {
    const m = new Map<string, string>();
    if (!d) return m;
    for (const v of d.versions) for (const r of v.resources) for (const f of [r.original, r.csv, r.json]) m.set(f.url, f.sha256);
    for (const r of d.resources) for (const f of [r.downloads.original, r.downloads.csv, r.downloads.json]) m.set(f.url, f.sha256);
    return m;
  };
  const ownFiles = (slug: string) => [`dataset/${slug}/datapackage.json`, ...RDF_FORMAT_NAMES.map((f) => `dataset/${slug}.${f}`)];
  for (const s of change.removedDatasets) {
    for (const url of fileMap(load(from, s)).keys()) drop(safeRel(url));
    for (const rel of ownFiles(s.slug)) drop(rel);
  }
  const c = formatContext(to.catalog, { siteUrl: opts.siteUrl });
  for (const s of change.datasets) {
    const d = load(to, s);
    if (!d || d.slug !== s.slug || d.resources.some((r) => !isValidName(r.name))) { log('site', `BỎ QUA bộ dữ liệu có tên không hợp lệ trong ảnh chụp: ${s.slug}`); continue; }
    const prev = prevSummaries.get(s.id);
    const before = fileMap(prev && prev.slug === s.slug ? load(from, prev) : null);
    const now = fileMap(d);
    for (const url of before.keys()) if (!now.has(url)) drop(safeRel(url));
    for (const [url, sha] of now) {
      const rel = safeRel(url);
      if (before.get(url) === sha && resolveInView(view, rel)?.kind === 'file') continue;
      link(rel, blobPath(to.dir, to.catalog, sha));
    }
    put(`dataset/${d.slug}/datapackage.json`, JSON.stringify(dataPackageOf(d, to.catalog, opts.siteUrl), null, 2));
    for (const f of datasetDcatFiles(d, c)) put(f.path, f.body);
  }

  phase('tệp của bộ dữ liệu');
  // the DCAT catalogue pages that hold a change
  const summaries = new Map(to.catalog.datasets.map((s) => [s.slug, s]));
  for (const f of eachDcatFile(to.catalog, (slug) => load(to, summaries.get(slug)!)!, { siteUrl: opts.siteUrl, only: change.dcatPages })) put(f.path, f.body);
  for (const n of change.dcatPagesRemoved) for (const f of RDF_FORMAT_NAMES) drop(catalogPagePath(n, f));

  phase('DCAT');
  // the search data: the snapshot's files, those that differ (a file the search update linked from the
  // previous snapshot is the same inode: unchanged; the state beside them, a dotfile, is not published)
  const searchFrom = path.join(to.dir, 'search');
  const searchBefore = path.join(from.dir, 'search');
  const searchNow = new Set<string>();
  walkFiles(searchFrom, (rel, file) => {
    if (rel.startsWith('.')) return;
    const at = `search/${rel}`;
    searchNow.add(at);
    const was = fs.statSync(path.join(searchBefore, rel), { throwIfNoEntry: false });
    if (was && was.ino === fs.statSync(file).ino && was.dev === fs.statSync(file).dev && resolveInView(view, at)?.kind === 'file') return;
    const current = readInView(view, at);
    if (current && current.equals(fs.readFileSync(file))) return;
    link(at, file);
  });
  walkFiles(searchBefore, (rel) => { if (!rel.startsWith('.') && !searchNow.has(`search/${rel}`)) drop(`search/${rel}`); });

  phase('tìm kiếm');
  // compressed copies, as the full build writes them
  const toCompress = [...written].filter(isCompressible);
  const z = await compressFiles(toCompress.map((rel) => path.join(client, ...rel.split('/'))));
  const compressed = new Set(z.compressed.map((f) => path.relative(client, f).split(path.sep).join('/')));
  for (const rel of toCompress) {
    if (compressed.has(rel)) { written.add(`${rel}.br`); written.add(`${rel}.gz`); deleted.delete(`${rel}.br`); deleted.delete(`${rel}.gz`); }
    else { drop(`${rel}.br`); drop(`${rel}.gz`); }
  }
  for (const rel of [...deleted]) if (isCompressible(rel)) { drop(`${rel}.br`); drop(`${rel}.gz`); }

  phase('nén');
  fs.writeFileSync(path.join(layerRoot, 'layer.json'), JSON.stringify({ files: [...written].sort(), deleted: [...deleted].sort() }));
  let layers = [...view.layers.map((l) => l.root), layerRoot];
  if (layers.length > MAX_LAYERS) layers = [mergeLayers(layersRoot, layers)];
  const meta: ViewMeta = { key: opts.key, snapshot: to.dir, prerender: view.meta.prerender };
  const dir = switchToView(opts.dataDir, view.baseBuild, layers, meta);
  const ms = Date.now() - t0;
  log('site', `cập nhật trang: ${change.changedEntries} mục thay đổi, ${rendered.size} trang dựng lại, ${written.size} tệp ghi, ${deleted.size} tệp xoá, ${ms} ms (${phases.join(', ')}) → ${dir}`);
  return { view: dir, layer: layerRoot, rendered: rendered.size, written: written.size, removed: deleted.size, ms };
}

/** A download address as a path in the site (the snapshot made it from checked names; checked again here). */
function safeRel(url: string): string {
  const segments = url.split('/').filter(Boolean);
  if (segments.some((s) => s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) throw new Error(`unsafe address in the snapshot: ${url}`);
  return segments.join('/');
}

function walkFiles(root: string, fn: (rel: string, file: string) => void, rel = ''): void {
  if (!fs.existsSync(root)) return;
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walkFiles(root, fn, r);
    else if (e.isFile()) fn(r, path.join(root, r));
  }
}

/** One layer with what these layers hold, the newest deciding each path (hard links, no copies). */
function mergeLayers(root: string, layers: string[]): string {
  const files = new Map<string, string>();
  const deleted = new Set<string>();
  for (const dir of layers) {
    const l = readLayer(dir);
    for (const d of l.deleted) { files.delete(d); deleted.add(d); }
    for (const f of l.files) { files.set(f, path.join(l.dir, f)); deleted.delete(f); }
  }
  const out = path.join(root, `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}-merged`);
  const client = path.join(out, 'client');
  const made = new Set<string>();
  for (const [rel, from] of files) {
    const to = path.join(client, ...rel.split('/'));
    if (!made.has(path.dirname(to))) { fs.mkdirSync(path.dirname(to), { recursive: true }); made.add(path.dirname(to)); }
    linkOrCopy(from, to);
  }
  fs.mkdirSync(client, { recursive: true });
  fs.writeFileSync(path.join(out, 'layer.json'), JSON.stringify({ files: [...files.keys()].sort(), deleted: [...deleted].sort() }));
  log('site', `gộp ${layers.length} lớp cập nhật thành một (${files.size} tệp)`);
  return out;
}

/**
 * Renders pages with a full build's prerender bundle, in worker threads (each has its own module
 * cache, so the templates read this snapshot and nothing cached from another).
 */
export async function renderPages(prerender: string, snapshot: string, pages: PageRef[]): Promise<Map<string, Buffer>> {
  const { entry, init } = JSON.parse(fs.readFileSync(path.join(prerender, 'render-init.json'), 'utf8')) as { entry: string; init: WorkerInit };
  const count = Math.max(1, Math.min(pages.length > 200 ? 4 : 1, os.availableParallelism()));
  const workers = await Promise.all(Array.from({ length: count }, () => startRenderer(path.join(prerender, entry), init, snapshot)));
  const out = new Map<string, Buffer>();
  try {
    const unknown = workers[0]!.routes.filter((r) => !(ROUTES as readonly string[]).includes(r));
    if (unknown.length) throw new Error(`the site has pages the partial update does not know: ${unknown.join(', ')}`);
    let next = 0;
    await Promise.all(workers.map(async (w) => {
      while (next < pages.length) {
        const p = pages[next++]!;
        out.set(p.url, await w.render(p));
      }
    }));
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
  return out;
}

type Renderer = { worker: Worker; routes: string[]; render: (p: PageRef) => Promise<Buffer> };

async function startRenderer(entry: string, init: WorkerInit, snapshot: string): Promise<Renderer> {
  const worker = new Worker(new URL('./prerender-worker.ts', import.meta.url), { workerData: { entry, init }, env: { ...process.env, PORTAL_SNAPSHOT_DIR: snapshot } });
  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  let next = 0;
  const routes = await new Promise<string[]>((resolve, reject) => {
    worker.once('message', (m: { ready?: boolean; routes?: string[]; error?: string }) => (m.ready ? resolve(m.routes ?? []) : reject(new Error(m.error))));
    worker.once('error', reject);
  });
  worker.on('message', (m: { id: number; status: number; body: ArrayBuffer | null; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else if (m.status >= 300 && m.status !== 404) p.reject(new Error(`page answered ${m.status}`));
    else p.resolve(Buffer.from(m.body ?? new ArrayBuffer(0)));
  });
  worker.on('error', (err) => { for (const p of pending.values()) p.reject(err); pending.clear(); });
  return {
    worker, routes,
    render: (p) => new Promise<Buffer>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, url: `http://localhost${p.url}`, route: p.route });
    }),
  };
}
