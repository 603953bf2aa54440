import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.ts';
import { log } from '../log.ts';
import { linkOrCopy, pruneOld, switchLink } from './snapshot.ts';
import type { SnapshotCatalog, SnapshotDataset } from './types.ts';
import { dataPackageOf } from './datapackage.ts';

/**
 * Builds the static site from the current publication snapshot into a new folder, adds the
 * download files (hard links to the snapshot's blobs), then switches the `site` link to it at once.
 */
export async function buildSite(opts: { dataDir: string; siteUrl: string }): Promise<{ dir: string; pages: number; files: number; ms: number; serverEntry: string }> {
  const started = Date.now();
  const snapshot = fs.realpathSync(path.join(opts.dataDir, 'publish'));
  const buildsDir = path.join(opts.dataDir, 'site-builds');
  fs.mkdirSync(buildsDir, { recursive: true });
  const dir = path.join(buildsDir, `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`);
  const tmp = `${dir}.partial`;

  process.env.PORTAL_SNAPSHOT_DIR = snapshot;
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  log('site', `dựng trang tĩnh từ ${snapshot}`);
  // Astro's prerender step imports packages from the output folder, so it must build inside the
  // project (where node_modules resolves); only the finished static files move to the data directory.
  // The build's server part (the workspace's on-demand pages) stays there, for the HTTP server to load.
  const work = path.join(projectRoot, '.build', path.basename(dir));
  const building = `${work}.building.${process.pid}`; // keeps a concurrent build from pruning this one
  try {
    fs.mkdirSync(path.dirname(work), { recursive: true });
    fs.writeFileSync(building, '');
    const { build } = await import('astro');
    await build({ root: projectRoot, outDir: work, site: opts.siteUrl, logLevel: 'warn', mode: 'production' });
    log('site', `astro build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    fs.mkdirSync(tmp, { recursive: true });
    moveDir(path.join(work, 'client'), path.join(tmp, 'client'));
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(building, { force: true });
    throw err;
  }
  fs.rmSync(building, { force: true });
  pruneServerBuilds(work);

  const client = path.join(tmp, 'client');
  const placing = Date.now();
  let files = 0;
  const catalog = JSON.parse(fs.readFileSync(path.join(snapshot, 'catalog.json'), 'utf8')) as SnapshotCatalog;
  for (const name of fs.readdirSync(path.join(snapshot, 'datasets'))) {
    const d = JSON.parse(fs.readFileSync(path.join(snapshot, 'datasets', name), 'utf8')) as SnapshotDataset;
    const pageDir = path.join(client, 'dataset', d.slug); // made by Astro (the dataset page)
    fs.writeFileSync(path.join(pageDir, 'datapackage.json'), JSON.stringify(dataPackageOf(d, catalog, opts.siteUrl), null, 2));
    for (const v of d.versions) for (const r of v.resources) for (const f of [r.original, r.csv, r.json]) files += place(snapshot, client, f.url, f.sha256);
    for (const r of d.resources) for (const f of [r.downloads.original, r.downloads.csv, r.downloads.json]) files += place(snapshot, client, f.url, f.sha256);
  }
  for (const f of ['search-index.json', 'search-docs.json']) linkOrCopy(path.join(snapshot, f), path.join(client, f));
  made.clear();
  placed.clear();
  log('site', `tệp tải về: ${files} liên kết, ${((Date.now() - placing) / 1000).toFixed(1)} s`);
  const pages = countHtml(client);
  fs.renameSync(tmp, dir);
  switchLink(path.join(opts.dataDir, 'site'), dir);
  pruneOld(buildsDir, dir, 2);
  const ms = Date.now() - started;
  log('site', `xong: ${pages} trang, ${files} tệp tải về, ${(ms / 1000).toFixed(1)} s → ${dir}`);
  return { dir, pages, files, ms, serverEntry: path.join(work, 'server', 'entry.mjs') };
}

/**
 * Marks a build's server part as loaded by this process, so later builds do not delete the code it
 * imports lazily (one marker file per process; a dead process's marker no longer protects it).
 */
export function markServerBuildInUse(serverEntry: string, pid = process.pid): void {
  fs.writeFileSync(`${path.dirname(path.dirname(serverEntry))}.in-use.${pid}`, '');
}

function pruneServerBuilds(current: string): void {
  const root = path.dirname(current);
  const names = fs.readdirSync(root);
  const markers = names.map((n) => /^(.+)\.(?:in-use|building)\.(\d+)$/.exec(n)).filter((m) => m !== null);
  const live = new Set(markers.filter((m) => alive(Number(m[2]))).map((m) => m[1]));
  for (const m of markers) if (!live.has(m[1]!)) fs.rmSync(path.join(root, m[0]), { force: true });
  for (const name of names) {
    const dir = path.join(root, name);
    if (dir === current || live.has(name) || /\.(?:in-use|building)\.\d+$/.test(name)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The newest build's server entry, for `npm run serve` (which does not build). */
export function latestServerEntry(): string | null {
  const root = path.join(projectRoot, '.build');
  if (!fs.existsSync(root)) return null;
  const entries = fs.readdirSync(root).filter((n) => !n.includes('.')).sort().reverse().map((n) => path.join(root, n, 'server', 'entry.mjs'));
  return entries.find((e) => fs.existsSync(e)) ?? null;
}

// Folders already made and files already placed in this build: at 10,000 datasets each saved
// syscall is 60,000 fewer (the placing step is disk-bound, bench:site).
const made = new Set<string>();
const placed = new Set<string>();

function place(snapshot: string, client: string, url: string, sha256: string): number {
  const dest = path.join(client, ...url.split('/').filter(Boolean));
  if (!dest.startsWith(client + path.sep)) throw new Error(`download URL escapes the site: ${url}`);
  if (placed.has(dest)) return 0;
  placed.add(dest);
  const dir = path.dirname(dest);
  if (!made.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  linkOrCopy(path.join(snapshot, 'files', sha256), dest);
  return 1;
}

function moveDir(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.cpSync(from, to, { recursive: true });
  }
}

function countHtml(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith('.html')) n++;
  return n;
}
