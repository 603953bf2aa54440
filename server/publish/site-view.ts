import fs from 'node:fs';
import path from 'node:path';
import { switchLink } from './snapshot.ts';

/**
 * What the public site is at a moment: a full build (a folder of static files, as Astro wrote it) and,
 * above it, the layers that publishes since then added — each only the files a change touched, and the
 * files it removed. A publish at 100,000 datasets then writes a few hundred files instead of linking two
 * million, and switches to the new view atomically (one symlink rename). A full build folds the layers
 * back into one folder (when the site's code changes, and in the background when layers pile up);
 * `npm run export-site` writes the view as one plain folder for any static host.
 *
 *   DATA_DIR/site → site-builds/<id>            a full build: <id>/client/…
 *   DATA_DIR/site → site-views/<id>             a full build with layers: view.json
 *       view.json  { base: "<abs>/site-builds/<b>/client", layers: ["<abs>/site-layers/<l1>", …] }  (oldest first)
 *       site-layers/<l>/client/…  the layer's files;  site-layers/<l>/layer.json  { files: [...], deleted: [...] }
 */
export interface Layer { dir: string; files: Set<string>; deleted: Set<string>; dirs: Set<string> }
export interface SiteView { id: string; base: string; layers: Layer[] }

const cache = new Map<string, SiteView>();

/** The current view behind the `site` link (cached per target: a switch is a new target), or null before the first build. */
export function currentView(siteLink: string): SiteView | null {
  let target: string;
  try {
    target = fs.realpathSync(siteLink);
  } catch {
    return null;
  }
  const hit = cache.get(target);
  if (hit) return hit;
  const viewFile = path.join(target, 'view.json');
  let view: SiteView;
  if (fs.existsSync(viewFile)) {
    const v = JSON.parse(fs.readFileSync(viewFile, 'utf8')) as { base: string; layers: string[] };
    view = { id: target, base: v.base, layers: v.layers.map(readLayer) };
  } else {
    view = { id: target, base: path.join(target, 'client'), layers: [] };
  }
  cache.clear(); // one view is current at a time
  cache.set(target, view);
  return view;
}

export function readLayer(dir: string): Layer {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'layer.json'), 'utf8')) as { files: string[]; deleted: string[] };
  const dirs = new Set<string>();
  for (const f of m.files) for (let i = f.indexOf('/'); i !== -1; i = f.indexOf('/', i + 1)) dirs.add(f.slice(0, i));
  return { dir: path.join(dir, 'client'), files: new Set(m.files), deleted: new Set(m.deleted), dirs };
}

export type Resolved = { kind: 'file'; path: string; size: number; mtimeMs: number } | { kind: 'dir' } | null;

/**
 * A path of the site (segments joined by '/', '' for the root) in the view: the newest layer that has
 * it or removed it decides, else the full build.
 */
export function resolveInView(view: SiteView, rel: string): Resolved {
  for (let i = view.layers.length - 1; i >= 0; i--) {
    const l = view.layers[i]!;
    if (l.files.has(rel)) {
      const st = fs.statSync(path.join(l.dir, rel), { throwIfNoEntry: false });
      return st ? { kind: 'file', path: path.join(l.dir, rel), size: st.size, mtimeMs: st.mtimeMs } : null;
    }
    if (l.deleted.has(rel)) return null;
    if (rel === '' || l.dirs.has(rel)) return { kind: 'dir' };
  }
  const file = rel ? path.join(view.base, rel) : view.base;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return null;
  return st.isDirectory() ? { kind: 'dir' } : st.isFile() ? { kind: 'file', path: file, size: st.size, mtimeMs: st.mtimeMs } : null;
}

/** Every file of the view, relative, and where it is (for export and for tests that compare builds). */
export function listView(view: SiteView): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (root: string, dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(root, p);
      else if (e.isFile()) out.set(path.relative(root, p).split(path.sep).join('/'), p);
    }
  };
  walk(view.base, view.base);
  for (const l of view.layers) {
    for (const d of l.deleted) out.delete(d);
    for (const f of l.files) out.set(f, path.join(l.dir, f));
  }
  return out;
}

/** Switches the site to a full build with these layers over it (a new view folder, then the link). */
export function switchToView(dataDir: string, base: string, layers: string[]): string {
  if (!layers.length) {
    switchLink(path.join(dataDir, 'site'), path.dirname(base));
    return path.dirname(base);
  }
  const views = path.join(dataDir, 'site-views');
  fs.mkdirSync(views, { recursive: true });
  const dir = path.join(views, `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`);
  fs.mkdirSync(`${dir}.partial`);
  fs.writeFileSync(path.join(`${dir}.partial`, 'view.json'), JSON.stringify({ base, layers }));
  fs.renameSync(`${dir}.partial`, dir);
  switchLink(path.join(dataDir, 'site'), dir);
  return dir;
}

/** Writes the view as one plain folder (hard links): what to copy to any static host. */
export function exportView(view: SiteView, out: string): number {
  let n = 0;
  for (const [rel, from] of listView(view)) {
    const to = path.join(out, ...rel.split('/'));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
    n++;
  }
  return n;
}
