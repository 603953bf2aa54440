import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../catalog/vocabularies.ts';
import { log } from '../log.ts';
import { freshnessStatus } from '../freshness/due.ts';
import { updateSearchData, writeSearchData } from './search-index.ts';
import { objectPath, readCatalog, summaryOf } from './snapshot-files.ts';
import type { SkippedRecord } from './snapshot-read.ts';
import type { SnapshotCatalog, SnapshotDataset, SnapshotDatasetSummary, SnapshotOrganization, SnapshotWithdrawn } from '../contract/snapshot.ts';
import { viCollator } from '../contract/text.ts';

export type * from '../contract/snapshot.ts';
export type { SkippedRecord } from './snapshot-read.ts';

/**
 * The publication snapshot: what the public site, the public API and the mirror read, never the
 * database. A publish goes in two steps:
 *
 * 1. `prepareDelta` (the server's process, the only step that reads the database): the datasets the
 *    pending changes name — or all of them — are read, their documents written once each into the
 *    shared objects folder (content-addressed), and their summaries into a delta file.
 * 2. `assembleSnapshot` (files only, run in a child process by the server): the previous snapshot's
 *    catalogue plus the delta, statuses recomputed for the day, is written to a new folder with its
 *    search data, and the `publish` link switched to it in one rename.
 *
 * Both steps give the same catalogue whether the delta holds everything or only what changed
 * (test/publish-incremental.test.ts).
 */
export const SNAPSHOT_FORMAT = 2;

const bySlug = (a: { slug: string }, b: { slug: string }) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);

export function snapshotPaths(dataDir: string) {
  return {
    link: path.join(dataDir, 'publish'),
    builds: path.join(dataDir, 'publish-builds'),
    objects: path.join(dataDir, 'publish-objects'),
  };
}

/** Writes a document into the objects folder under its sha256 (once: the same bytes are the same file). */
export function writeObject(objects: string, doc: SnapshotDataset): string {
  const text = JSON.stringify(doc);
  const sha = crypto.createHash('sha256').update(text).digest('hex');
  const file = objectPath(objects, sha);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  return sha;
}

type DeltaLine =
  | { kind: 'header'; full: boolean; siteUrl: string; blobs: string }
  | { kind: 'organization'; value: SnapshotOrganization }
  | { kind: 'dataset'; value: SnapshotDatasetSummary }
  | { kind: 'withdrawn'; value: SnapshotWithdrawn }
  | { kind: 'absent'; id: string }
  | { kind: 'skipped'; value: SkippedRecord };

/** The current snapshot's small description (read without parsing its catalogue), or null. */
export function currentSnapshotInfo(dataDir: string): { dir: string; format: number; datasets: number } | null {
  try {
    const dir = fs.realpathSync(snapshotPaths(dataDir).link);
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8')) as { format: number; datasets: number };
    return { dir, format: info.format, datasets: info.datasets };
  } catch {
    return null;
  }
}

/**
 * Step 1: reads from the database what the snapshot must change — the datasets of `datasetIds`, or
 * every dataset when `full` or when there is no current snapshot of this format — and writes the
 * delta file. Units are read whole every time (their pages show their counts).
 */
export async function prepareDelta(db: Db, store: BlobStore, opts: { dataDir: string; siteUrl: string; datasetIds: string[]; full?: boolean; file?: string }): Promise<{ file: string; full: boolean; datasets: number; skipped: SkippedRecord[] }> {
  const paths = snapshotPaths(opts.dataDir);
  const info = currentSnapshotInfo(opts.dataDir);
  const full = opts.full === true || info?.format !== SNAPSHOT_FORMAT;
  const file = opts.file ?? store.tempPath('.delta.ndjson');
  // read here, not at the top: the publish job's child imports this module and never reads the database
  // (drizzle's modules alone took 1.5–3 s to load there)
  const { readOrganizations, readPublishedDatasets } = await import('./snapshot-read.ts');
  const fd = fs.openSync(file, 'w');
  const write = (line: DeltaLine) => fs.writeSync(fd, `${JSON.stringify(line)}\n`);
  const skipped: SkippedRecord[] = [];
  let count = 0;
  try {
    write({ kind: 'header', full, siteUrl: opts.siteUrl, blobs: store.root });
    const orgs = await readOrganizations(db, skipped);
    for (const o of orgs.list) write({ kind: 'organization', value: o });
    const t0 = Date.now();
    await readPublishedDatasets(db, store, orgs.byId, full ? 'all' : opts.datasetIds, skipped, (chunk) => {
      for (const d of chunk.datasets) write({ kind: 'dataset', value: summaryOf(d, writeObject(paths.objects, d)) });
      for (const w of chunk.withdrawn) write({ kind: 'withdrawn', value: w });
      for (const id of chunk.absent) write({ kind: 'absent', id });
      count += chunk.datasets.length + chunk.withdrawn.length + chunk.absent.length;
      if (full && count % 5000 < chunk.datasets.length + chunk.withdrawn.length) log('publish', `đọc CSDL: ${count} bộ dữ liệu (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    });
    for (const s of skipped) write({ kind: 'skipped', value: s });
  } finally {
    fs.closeSync(fd);
  }
  return { file, full, datasets: count, skipped };
}

async function readDelta(file: string) {
  const delta = { full: true, siteUrl: '', blobs: '', organizations: [] as SnapshotOrganization[], datasets: [] as SnapshotDatasetSummary[], withdrawn: [] as SnapshotWithdrawn[], absent: [] as string[], skipped: [] as SkippedRecord[] };
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (!text) continue;
    const line = JSON.parse(text) as DeltaLine;
    switch (line.kind) {
      case 'header': Object.assign(delta, { full: line.full, siteUrl: line.siteUrl, blobs: line.blobs }); break;
      case 'organization': delta.organizations.push(line.value); break;
      case 'dataset': delta.datasets.push(line.value); break;
      case 'withdrawn': delta.withdrawn.push(line.value); break;
      case 'absent': delta.absent.push(line.id); break;
      case 'skipped': delta.skipped.push(line.value); break;
    }
  }
  return delta;
}

export interface AssembledSnapshot {
  dir: string;
  catalog: SnapshotCatalog;
  /** the snapshot this one follows (null for a full one) */
  previous: { dir: string; catalog: SnapshotCatalog } | null;
  full: boolean;
  skipped: SkippedRecord[];
  /** documents rewritten here without a database read: a unit renamed, a status moved with the day */
  patched: number;
}

/**
 * Step 2: the new catalogue from the previous one and the delta, written to a new snapshot folder,
 * then the `publish` link switched to it.
 */
export async function assembleSnapshot(dataDir: string, deltaFile: string, now = new Date()): Promise<AssembledSnapshot> {
  const paths = snapshotPaths(dataDir);
  const delta = await readDelta(deltaFile);
  for (const s of delta.skipped) log('publish', `BỎ QUA ${s.kind === 'dataset' ? 'bộ dữ liệu' : 'đơn vị'} "${s.name}": ${s.reason}`);
  const info = delta.full ? null : currentSnapshotInfo(dataDir);
  if (!delta.full && info?.format !== SNAPSHOT_FORMAT) throw new Error('a partial delta needs a current snapshot of this format');
  const previous = info ? { dir: info.dir, catalog: readCatalog(info.dir) } : null;

  // the datasets: the previous snapshot's, then what the delta says of each
  const datasets = new Map<string, SnapshotDatasetSummary>();
  const withdrawn = new Map<string, SnapshotWithdrawn>();
  if (previous) {
    for (const s of previous.catalog.datasets) datasets.set(s.id, s);
    for (const w of previous.catalog.withdrawn ?? []) withdrawn.set(w.id, w);
  }
  for (const s of delta.datasets) { datasets.set(s.id, s); withdrawn.delete(s.id); }
  for (const w of delta.withdrawn) { withdrawn.set(w.id, w); datasets.delete(w.id); }
  for (const id of delta.absent) { datasets.delete(id); withdrawn.delete(id); }

  // a unit renamed (or removed) since the previous snapshot: its datasets' documents name it
  const orgById = new Map(delta.organizations.map((o) => [o.id, o]));
  const orgBySlug = new Map(delta.organizations.map((o) => [o.slug, o]));
  const prevOrgs = new Map((previous?.catalog.organizations ?? []).map((o) => [o.slug, o]));
  const objects = paths.objects;
  const fromDelta = new Set(delta.datasets.map((s) => s.id));
  let patched = 0;
  const patch = (s: SnapshotDatasetSummary, change: (d: SnapshotDataset) => void): SnapshotDatasetSummary => {
    const d = JSON.parse(fs.readFileSync(objectPath(objects, s.doc!), 'utf8')) as SnapshotDataset;
    change(d);
    patched++;
    return { ...summaryOf(d, writeObject(objects, d)) };
  };
  for (const [id, s] of datasets) {
    if (fromDelta.has(id)) continue;
    const was = prevOrgs.get(s.organization);
    const now = was ? orgById.get(was.id) : undefined;
    if (!now) { datasets.delete(id); continue; } // its unit is gone from the published units
    if (now.slug !== was!.slug || now.title !== was!.title) datasets.set(id, patch(s, (d) => { d.organization = { id: now.id, slug: now.slug, title: now.title }; }));
  }
  for (const [id, w] of withdrawn) {
    const now = orgById.get(w.organization.id);
    if (!now) withdrawn.delete(id);
    else if (now.slug !== w.organization.slug || now.title !== w.organization.title) withdrawn.set(id, { ...w, organization: { id: now.id, slug: now.slug, title: now.title } });
  }
  // statuses move with the calendar: the day's status, in the summary and the document alike
  for (const [id, s] of datasets) {
    const status = freshnessStatus(s.nextDueDate, now);
    if (status !== s.freshness) datasets.set(id, patch(s, (d) => { d.freshness = status; }));
  }

  const list = [...datasets.values()].filter((s) => orgBySlug.has(s.organization)).sort(bySlug);
  const counts = new Map<string, number>();
  for (const s of list) counts.set(s.organization, (counts.get(s.organization) ?? 0) + 1);
  const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`;
  const dir = path.join(paths.builds, id);
  const catalog: SnapshotCatalog = {
    format: SNAPSHOT_FORMAT,
    blobs: path.relative(dir, delta.blobs),
    objects: path.relative(dir, objects),
    generatedAt: now.toISOString(),
    siteUrl: delta.siteUrl,
    organizations: delta.organizations
      .map((o) => ({ ...o, datasetCount: counts.get(o.slug) ?? 0 }))
      .sort((a, b) => viCollator().compare(a.title, b.title) || (a.slug < b.slug ? -1 : 1)),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES,
    withdrawn: [...withdrawn.values()].sort(bySlug),
    datasets: list,
  };
  const search = writeSnapshotFolder(dataDir, dir, catalog, previous);
  log('publish', `ảnh chụp công bố${delta.full ? ' (toàn bộ)' : ''}: ${list.length} bộ dữ liệu (${delta.datasets.length + delta.withdrawn.length + delta.absent.length} đọc lại từ CSDL${patched ? `, ${patched} tài liệu cập nhật trạng thái hoặc đơn vị` : ''}; ${search}) → ${dir}`);
  return { dir, catalog, previous, full: delta.full, skipped: delta.skipped, patched };
}

/**
 * Writes catalog.json and the search data to a new folder, then switches the `publish` link to it.
 * After a previous snapshot, the search data is brought up to date from its own (the files the change
 * touches written, the others linked); without one, built whole.
 */
export function writeSnapshotFolder(dataDir: string, dir: string, catalog: SnapshotCatalog, previous: { dir: string; catalog: SnapshotCatalog } | null = null): string {
  const paths = snapshotPaths(dataDir);
  const tmp = `${dir}.partial`;
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'catalog.json'), JSON.stringify(catalog));
  const prevSearch = previous ? path.join(previous.dir, 'search') : null;
  let search: string;
  if (previous && prevSearch && fs.existsSync(path.join(prevSearch, 'meta.json'))) {
    const u = updateSearchData(prevSearch, previous.catalog, catalog, path.join(tmp, 'search'));
    search = `tìm kiếm: ${u.full ? 'dựng lại toàn bộ' : 'cập nhật'} ${u.written} tệp ghi, ${u.linked} tệp giữ nguyên, ${u.ms.toFixed(0)} ms`;
  } else {
    const t = performance.now();
    const w = writeSearchData(catalog, path.join(tmp, 'search'));
    search = `tìm kiếm: dựng toàn bộ ${w.files} tệp, ${(performance.now() - t).toFixed(0)} ms`;
  }
  fs.writeFileSync(path.join(tmp, 'snapshot.json'), JSON.stringify({ format: catalog.format, generatedAt: catalog.generatedAt, datasets: catalog.datasets.length }));
  fs.renameSync(tmp, dir);
  switchLink(paths.link, dir);
  pruneOld(paths.builds, dir, 2);
  return search;
}

/**
 * Removes the documents no kept snapshot names (after a publish, now and then: a document is small,
 * and reading the kept catalogues costs a second at 100,000 datasets).
 */
export function pruneObjects(dataDir: string, opts: { minIntervalMs?: number } = {}): number {
  const paths = snapshotPaths(dataDir);
  if (!fs.existsSync(paths.objects)) return 0;
  const stamp = path.join(paths.objects, '.pruned');
  const last = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (Date.now() - last < (opts.minIntervalMs ?? 3_600_000)) return 0;
  const keep = new Set<string>();
  for (const name of fs.readdirSync(paths.builds)) {
    if (name.endsWith('.partial')) continue;
    const catalogFile = path.join(paths.builds, name, 'catalog.json');
    if (!fs.existsSync(catalogFile)) continue;
    for (const s of (JSON.parse(fs.readFileSync(catalogFile, 'utf8')) as SnapshotCatalog).datasets) if (s.doc) keep.add(s.doc);
  }
  let removed = 0;
  const cutoff = Date.now() - 600_000; // a document written for a publish still being assembled elsewhere
  for (const sub of fs.readdirSync(paths.objects)) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue;
    for (const name of fs.readdirSync(path.join(paths.objects, sub))) {
      const sha = name.slice(0, 64);
      if (keep.has(sha)) continue;
      const file = path.join(paths.objects, sub, name);
      if ((fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) > cutoff) continue;
      fs.rmSync(file, { force: true });
      removed++;
    }
  }
  fs.writeFileSync(stamp, '');
  return removed;
}

/**
 * The whole snapshot step in this process (tests, `npm run publish`): the datasets the pending
 * changes name (a superset is harmless) or all of them.
 */
export async function writeSnapshot(db: Db, store: BlobStore, opts: { dataDir: string; siteUrl: string; datasetIds?: string[]; full?: boolean }): Promise<AssembledSnapshot & { datasetCount: number }> {
  const ids = opts.datasetIds ?? (await import('../catalog/publish-queue.ts').then((m) => m.pendingChanges(db))).datasetIds;
  const delta = await prepareDelta(db, store, { dataDir: opts.dataDir, siteUrl: opts.siteUrl, datasetIds: ids, full: opts.full });
  try {
    const snap = await assembleSnapshot(opts.dataDir, delta.file);
    return { ...snap, datasetCount: snap.catalog.datasets.length };
  } finally {
    fs.rmSync(delta.file, { force: true });
  }
}

/** The whole published catalogue in memory, read from the database (tests and tools; the publish streams it). */
export async function readPublishedCatalog(db: Db, store: BlobStore, siteUrl: string): Promise<{ catalog: SnapshotCatalog; datasets: SnapshotDataset[]; skipped: SkippedRecord[] }> {
  const { readOrganizations, readPublishedDatasets } = await import('./snapshot-read.ts');
  const skipped: SkippedRecord[] = [];
  const orgs = await readOrganizations(db, skipped);
  const all: SnapshotDataset[] = [];
  const withdrawn: SnapshotWithdrawn[] = [];
  await readPublishedDatasets(db, store, orgs.byId, 'all', skipped, (c) => { all.push(...c.datasets); withdrawn.push(...c.withdrawn); });
  const counts = new Map<string, number>();
  for (const d of all) counts.set(d.organization.slug, (counts.get(d.organization.slug) ?? 0) + 1);
  const catalog: SnapshotCatalog = {
    format: SNAPSHOT_FORMAT, generatedAt: new Date().toISOString(), siteUrl,
    organizations: orgs.list.map((o) => ({ ...o, datasetCount: counts.get(o.slug) ?? 0 })).sort((a, b) => viCollator().compare(a.title, b.title) || (a.slug < b.slug ? -1 : 1)),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES,
    withdrawn: withdrawn.sort(bySlug),
    datasets: all.sort(bySlug).map((d) => summaryOf(d)),
  };
  return { catalog, datasets: all, skipped };
}

/** Hard-links a file (no extra space, same immutable bytes); copies across filesystems or past the link limit. */
export function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (err) {
    // another filesystem, or a blob already linked 65,000 times (ext4's limit: one file served by many datasets)
    if (!['EXDEV', 'EMLINK'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    fs.copyFileSync(from, to);
  }
}

/** Points `link` at `target` atomically (a symlink renamed over the old one). */
export function switchLink(link: string, target: string): void {
  const tmpLink = `${link}.${process.pid}.tmp`;
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(target, tmpLink);
  fs.renameSync(tmpLink, link);
}

/** Keeps the newest `keep` builds besides the current one; leftovers of crashed runs go too. */
export function pruneOld(buildsDir: string, current: string, keep: number): void {
  const entries = fs.readdirSync(buildsDir).map((n) => path.join(buildsDir, n)).filter((p) => p !== current).sort();
  const stale = entries.filter((p) => p.endsWith('.partial')).concat(entries.filter((p) => !p.endsWith('.partial')).slice(0, -keep || undefined));
  // removed in the background: the new build is already live, and a 10k-dataset site is 50,000 files
  for (const p of new Set(stale)) {
    const trash = `${p}.partial`; // renamed first so a crash mid-removal leaves a name the next prune takes
    try { if (!p.endsWith('.partial')) fs.renameSync(p, trash); } catch { continue; }
    fs.promises.rm(p.endsWith('.partial') ? p : trash, { recursive: true, force: true }).catch(() => {});
  }
}
