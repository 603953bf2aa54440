import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotCatalog, SnapshotDataset } from '../../server/publish/types.ts';

/** The site reads only the publication snapshot (never the database). */
function snapshotDir(): string {
  return path.resolve(process.env.PORTAL_SNAPSHOT_DIR ?? '.data/publish');
}

let catalog: SnapshotCatalog | undefined;

export function loadCatalog(): SnapshotCatalog {
  catalog ??= JSON.parse(fs.readFileSync(path.join(snapshotDir(), 'catalog.json'), 'utf8')) as SnapshotCatalog;
  return catalog;
}

export function loadDataset(slug: string): SnapshotDataset {
  return JSON.parse(fs.readFileSync(path.join(snapshotDir(), 'datasets', `${slug}.json`), 'utf8')) as SnapshotDataset;
}

const collator = new Intl.Collator('vi');
/** Vietnamese alphabetical order; one collator for the whole build (localeCompare makes one per call). */
export const byTitle = (a: { title: string }, b: { title: string }) => collator.compare(a.title, b.title);

let sorted: SnapshotCatalog['datasets'] | undefined;
export function datasetsByTitle(): SnapshotCatalog['datasets'] {
  sorted ??= [...loadCatalog().datasets].sort(byTitle);
  return sorted;
}
