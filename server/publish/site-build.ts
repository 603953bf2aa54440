import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../config.ts';
import { log } from '../log.ts';
import { pruneOld, switchLink } from './snapshot.ts';
import { placeDownloadsInWorker } from './place-downloads.ts';
import { prerenderPool } from './prerender-pool.ts';
import { precompress } from './compress.ts';
import { contentSecurityPolicy } from '../http/headers.ts';
import { siteBuildKey } from './build-key.ts';
import type { ViewMeta } from './site-view.ts';

/**
 * Builds the static site from the current publication snapshot into a new folder, adds the
 * download files (hard links to the snapshot's blobs), then switches the `site` link to it at once.
 */
export async function buildSite(opts: { dataDir: string; siteUrl: string; frameAncestors?: string; key?: string }): Promise<{ dir: string; pages: number; files: number; ms: number; serverEntry: string }> {
  const started = Date.now();
  const snapshot = fs.realpathSync(path.join(opts.dataDir, 'publish'));
  const key = opts.key ?? siteBuildKey();
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
  const workClient = path.join(work, 'client');
  // Downloads and data packages are placed by a second thread while Astro renders (they only add
  // files beside the pages); pages are rendered by a pool of threads (bench:site: one thread left
  // the other core idle).
  let placing: Promise<{ files: number }> | undefined;
  const startPlacing = () => {
    placing ??= placeDownloadsInWorker(snapshot, workClient, opts.siteUrl);
    placing.catch(() => {}); // awaited below; an early failure must not crash the process meanwhile
  };
  const pool = prerenderPool({ workers: renderWorkers(), onRenderStart: startPlacing });
  let files: number;
  try {
    fs.mkdirSync(path.dirname(work), { recursive: true });
    fs.writeFileSync(building, '');
    const { build } = await import('astro');
    await build({ root: projectRoot, outDir: work, site: opts.siteUrl, logLevel: 'warn', mode: 'production', integrations: [pool.integration] });
    log('site', `astro build: ${pool.stats.htmlPages} trang, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    startPlacing();
    ({ files } = await placing!);
    log('site', `tệp tải về: ${files} liên kết (đặt song song), xong sau ${((Date.now() - started) / 1000).toFixed(1)} s`);
    writeHostHeaders(workClient, opts.frameAncestors);
    const z = await precompress(workClient);
    log('site', `nén sẵn ${z.files} tệp (brotli, gzip): ${(z.bytes / 1048576).toFixed(1)} → ${(z.compressedBytes / 1048576).toFixed(1)} MB, xong sau ${((Date.now() - started) / 1000).toFixed(1)} s`);
    fs.mkdirSync(tmp, { recursive: true });
    moveDir(workClient, path.join(tmp, 'client'));
    // the templates as built, for the publishes that follow to render only what they change (site-update.ts)
    const prerender = path.join(work, 'prerender');
    let kept: string | null = null;
    if (fs.existsSync(path.join(prerender, 'render-init.json'))) {
      fs.cpSync(prerender, path.join(tmp, 'prerender'), { recursive: true });
      // its imports resolve from the project's packages
      fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(tmp, 'node_modules'));
      kept = path.join(dir, 'prerender');
    }
    fs.writeFileSync(path.join(tmp, 'build.json'), JSON.stringify({ key, snapshot, prerender: kept } satisfies ViewMeta));
  } catch (err) {
    await placing?.catch(() => {}); // let the placing thread finish before its folder goes
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(building, { force: true });
    throw err;
  }
  fs.rmSync(building, { force: true });
  pruneServerBuilds(work);

  const pages = pool.stats.htmlPages;
  fs.renameSync(tmp, dir);
  switchLink(path.join(opts.dataDir, 'site'), dir);
  pruneOld(buildsDir, dir, 2);
  const ms = Date.now() - started;
  log('site', `xong: ${pages} trang, ${files} tệp tải về, ${(ms / 1000).toFixed(1)} s → ${dir}`);
  return { dir, pages, files, ms, serverEntry: path.join(work, 'server', 'entry.mjs') };
}

/**
 * The portal's own server sends these headers itself; this `_headers` file (the format Netlify and
 * Cloudflare Pages read) carries the same policy when the site is copied to another static host.
 */
function writeHostHeaders(client: string, frameAncestors?: string): void {
  const policy = contentSecurityPolicy(frameAncestors);
  fs.writeFileSync(path.join(client, '_headers'), [
    '/*',
    `  Content-Security-Policy: ${policy}`,
    '  Referrer-Policy: strict-origin-when-cross-origin',
    '  X-Content-Type-Options: nosniff',
    '  Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    '/_astro/*',
    '  Cache-Control: public, max-age=31536000, immutable',
    '',
  ].join('\n'));
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

function moveDir(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.cpSync(from, to, { recursive: true });
  }
}

/** Rendering threads: PORTAL_RENDER_THREADS, else one per core up to 4 (1 renders on Astro's own thread). */
function renderWorkers(): number {
  const set = Number(process.env.PORTAL_RENDER_THREADS);
  if (Number.isInteger(set) && set >= 1) return set;
  return Math.min(4, os.availableParallelism());
}
