import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotCatalog, SnapshotDataset } from '../../server/contract/snapshot.ts';
import { isValidName } from '../../server/contract/names.ts';
import { datasetDocPath } from '../../server/publish/snapshot-files.ts';

/** The site reads only the publication snapshot (never the database). */
function snapshotDir(): string {
  return path.resolve(process.env.PORTAL_SNAPSHOT_DIR ?? '.data/publish');
}

let catalog: SnapshotCatalog | undefined;

export function loadCatalog(): SnapshotCatalog {
  catalog ??= withSafeNames(JSON.parse(fs.readFileSync(path.join(snapshotDir(), 'catalog.json'), 'utf8')) as SnapshotCatalog);
  return catalog;
}

/**
 * Page addresses come from these names, and Astro writes each page under its address: a record whose
 * name breaks the rule (a snapshot made elsewhere, or by hand) is left out and reported, never built.
 */
function withSafeNames(c: SnapshotCatalog): SnapshotCatalog {
  const keep = <T>(list: T[], name: (x: T) => string, what: string) => list.filter((x) => {
    if (isValidName(name(x))) return true;
    console.warn(`[site] BỎ QUA ${what} có tên không hợp lệ: ${JSON.stringify(name(x)).slice(0, 120)}`);
    return false;
  });
  const organizations = keep(c.organizations, (o) => o.slug, 'đơn vị');
  const orgs = new Set(organizations.map((o) => o.slug));
  return {
    ...c,
    organizations,
    datasets: keep(c.datasets, (d) => d.slug, 'bộ dữ liệu').filter((d) => orgs.has(d.organization)),
    withdrawn: c.withdrawn && keep(c.withdrawn, (w) => w.slug, 'bộ dữ liệu đã rút').filter((w) => orgs.has(w.organization.slug)),
  };
}

let summaries: Map<string, SnapshotCatalog['datasets'][number]> | undefined;
export function loadDataset(slug: string): SnapshotDataset {
  if (!isValidName(slug)) throw new Error(`invalid dataset name: ${slug}`);
  const c = loadCatalog();
  summaries ??= new Map(c.datasets.map((d) => [d.slug, d]));
  const summary = summaries.get(slug);
  if (!summary) throw new Error(`not in the catalogue: ${slug}`);
  return JSON.parse(fs.readFileSync(datasetDocPath(snapshotDir(), c, summary)!, 'utf8')) as SnapshotDataset;
}

const collator = new Intl.Collator('vi');
/** Vietnamese alphabetical order; one collator for the whole build (localeCompare makes one per call). */
export const byTitle = (a: { title: string }, b: { title: string }) => collator.compare(a.title, b.title);

let sorted: SnapshotCatalog['datasets'] | undefined;
export function datasetsByTitle(): SnapshotCatalog['datasets'] {
  sorted ??= [...loadCatalog().datasets].sort(byTitle);
  return sorted;
}
