import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { linkOrCopy } from './snapshot.ts';
import { isValidName } from '../catalog/names.ts';
import { log } from '../log.ts';
import { dataPackageOf } from '../formats/frictionless.ts';
import { eachDcatFile } from '../formats/files.ts';
import { linkSearchData } from './search-index.ts';
import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';

/**
 * Puts each dataset's download files (hard links to the snapshot's blobs) at their addresses, its
 * datapackage.json beside its page, and the DCAT-AP files (each dataset's, and the catalogue's pages)
 * in the site folder `client`. Safe to run while Astro writes the pages there: both only create
 * folders and distinct files. Each dataset is read once, as the DCAT pages need it.
 */
export function placeDownloads(snapshot: string, client: string, siteUrl: string): { files: number; datasets: number } {
  const made = new Set<string>(); // folders made and files placed: each saved syscall counts 10,000 times
  const placed = new Set<string>();
  const place = (url: string, sha256: string): number => {
    const segments = url.split('/').filter(Boolean);
    const dest = path.join(client, ...segments);
    // whatever the snapshot holds, nothing is written outside the site or over another address's name
    if (!dest.startsWith(client + path.sep) || segments.some((s) => s === '.' || s === '..' || s.includes('\\'))) {
      log('site', `BỎ QUA tệp tải về có địa chỉ không hợp lệ: ${url}`);
      return 0;
    }
    if (placed.has(dest)) return 0;
    placed.add(dest);
    const dir = path.dirname(dest);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    linkOrCopy(path.join(snapshot, 'files', sha256), dest);
    return 1;
  };
  let files = 0;
  let datasets = 0;
  const catalog = JSON.parse(fs.readFileSync(path.join(snapshot, 'catalog.json'), 'utf8')) as SnapshotCatalog;
  // only what the catalogue lists, by names that pass the rule (the DCAT pages leave out the rest too)
  const listed = catalog.datasets.filter((s) => {
    if (isValidName(s.slug)) return true;
    log('site', `BỎ QUA bộ dữ liệu có tên không hợp lệ trong ảnh chụp: ${JSON.stringify(s.slug).slice(0, 120)}`);
    return false;
  });
  const skipped = new Set<string>();
  const load = (slug: string): SnapshotDataset => {
    const d = JSON.parse(fs.readFileSync(path.join(snapshot, 'datasets', `${slug}.json`), 'utf8')) as SnapshotDataset;
    if (d.slug !== slug || d.resources.some((r) => !isValidName(r.name))) {
      log('site', `BỎ QUA bộ dữ liệu có tên không hợp lệ trong ảnh chụp: ${slug}`);
      skipped.add(slug);
      return d;
    }
    const pageDir = path.join(client, 'dataset', d.slug);
    if (!made.has(pageDir)) {
      fs.mkdirSync(pageDir, { recursive: true });
      made.add(pageDir);
    }
    fs.writeFileSync(path.join(pageDir, 'datapackage.json'), JSON.stringify(dataPackageOf(d, catalog, siteUrl), null, 2));
    for (const v of d.versions) for (const r of v.resources) for (const f of [r.original, r.csv, r.json]) files += place(f.url, f.sha256);
    for (const r of d.resources) for (const f of [r.downloads.original, r.downloads.csv, r.downloads.json]) files += place(f.url, f.sha256);
    datasets++;
    return d;
  };
  const dcatDir = path.join(client, 'catalog', 'page');
  fs.mkdirSync(dcatDir, { recursive: true });
  let dcat = 0;
  for (const f of eachDcatFile({ ...catalog, datasets: listed }, load, { siteUrl })) {
    if (skipped.has(f.path.replace(/^dataset\/|\.\w+$/g, ''))) continue;
    fs.writeFileSync(path.join(client, ...f.path.split('/')), f.body);
    dcat++;
  }
  linkSearchData(snapshot, client, linkOrCopy);
  return { files: files + dcat, datasets };
}

/** Runs placeDownloads in a worker thread, so it uses the second core while Astro renders on the first. */
export function placeDownloadsInWorker(snapshot: string, client: string, siteUrl: string): Promise<{ files: number; datasets: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./place-downloads-worker.ts', import.meta.url), { workerData: { snapshot, client, siteUrl } });
    worker.once('message', (m: { files: number; datasets: number } | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`download placement stopped (exit ${code})`)); });
  });
}
