import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { isValidName } from '../contract/names.ts';
import { datasetDocPath } from './snapshot-files.ts';

export interface LoadedSnapshot {
  /** the snapshot folder (each publish writes a new one): caches are keyed by it */
  dir: string;
  catalog: SnapshotCatalog;
  /** the catalogue's summaries by dataset name and id */
  bySlug: Map<string, SnapshotCatalog['datasets'][number]>;
  byId: Map<string, SnapshotCatalog['datasets'][number]>;
}

/**
 * Reads the publication snapshot for the public reads of the Action API: the same folder the site is
 * built from, so the API and the site never disagree, and a copy of it serves the same answers
 * elsewhere. The current folder is looked up on every call (a publish switches it atomically); the
 * catalogue is parsed once per folder and full datasets are kept in a small cache.
 */
export class SnapshotReader {
  private readonly link: string;
  private loaded: LoadedSnapshot | null = null;
  private readonly datasets = new Map<string, SnapshotDataset>();
  private readonly maxCached: number;

  constructor(dataDir: string, opts: { maxCachedDatasets?: number } = {}) {
    this.link = path.join(dataDir, 'publish');
    this.maxCached = opts.maxCachedDatasets ?? 2000;
  }

  /** The current snapshot, or null before the first publish. */
  current(): LoadedSnapshot | null {
    let dir: string;
    try {
      dir = fs.realpathSync(this.link);
    } catch {
      return null;
    }
    if (this.loaded?.dir === dir) return this.loaded;
    const catalog = JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')) as SnapshotCatalog;
    this.loaded = {
      dir, catalog,
      bySlug: new Map(catalog.datasets.map((d) => [d.slug, d])),
      byId: new Map(catalog.datasets.map((d) => [d.id, d])),
    };
    this.datasets.clear();
    return this.loaded;
  }

  /** A published dataset in full, by name or id, or null. */
  dataset(ref: string): SnapshotDataset | null {
    const snap = this.current();
    if (!snap) return null;
    const summary = snap.bySlug.get(ref) ?? snap.byId.get(ref);
    if (!summary || !isValidName(summary.slug)) return null;
    const key = `${snap.dir}\u0000${summary.slug}`;
    let d = this.datasets.get(key);
    if (d) {
      // most recently used last
      this.datasets.delete(key);
      this.datasets.set(key, d);
      return d;
    }
    d = JSON.parse(fs.readFileSync(datasetDocPath(snap.dir, snap.catalog, summary)!, 'utf8')) as SnapshotDataset;
    this.datasets.set(key, d);
    if (this.datasets.size > this.maxCached) this.datasets.delete(this.datasets.keys().next().value!);
    return d;
  }
}
