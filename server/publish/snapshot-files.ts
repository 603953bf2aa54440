import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotCatalog, SnapshotDataset, SnapshotDatasetSummary } from '../contract/snapshot.ts';
import { isValidName } from '../contract/names.ts';

/**
 * Where a snapshot keeps things. A snapshot folder holds catalog.json and the search data; the
 * datasets' documents are content-addressed in `objects/` beside the snapshot folders, shared by every
 * snapshot (a publish writes only the documents that changed), and the data files are the blob store's.
 * Older snapshots (and synthetic ones in the benchmarks) keep `datasets/<slug>.json` and `files/<sha>`
 * in the snapshot folder itself; both are read.
 */
export function readCatalog(snapshot: string): SnapshotCatalog {
  return JSON.parse(fs.readFileSync(path.join(snapshot, 'catalog.json'), 'utf8')) as SnapshotCatalog;
}

/** The document of a dataset the catalogue lists, or null when its name breaks the rule. */
export function datasetDocPath(snapshot: string, summary: Pick<SnapshotDatasetSummary, 'slug' | 'doc'>): string | null {
  if (!isValidName(summary.slug)) return null;
  if (summary.doc && /^[0-9a-f]{64}$/.test(summary.doc)) return path.join(snapshot, '..', 'objects', summary.doc.slice(0, 2), `${summary.doc}.json`);
  return path.join(snapshot, 'datasets', `${summary.slug}.json`);
}

export function readDatasetDoc(snapshot: string, summary: Pick<SnapshotDatasetSummary, 'slug' | 'doc'>): SnapshotDataset | null {
  const p = datasetDocPath(snapshot, summary);
  if (!p) return null;
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as SnapshotDataset;
  } catch {
    return null;
  }
}

/** A data file by its sha256: in the blob store the catalogue points to, or in the snapshot's own files/. */
export function blobPath(snapshot: string, catalog: Pick<SnapshotCatalog, 'blobs'>, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return catalog.blobs ? path.join(snapshot, catalog.blobs, sha256.slice(0, 2), sha256) : path.join(snapshot, 'files', sha256);
}
