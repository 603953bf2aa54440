import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotCatalog, SnapshotDataset, SnapshotDatasetSummary } from '../contract/snapshot.ts';
import { isValidName } from '../contract/names.ts';

/**
 * Where a snapshot keeps things. A snapshot folder holds catalog.json and the search data; the
 * datasets' documents are content-addressed in the folder `catalog.objects` names (shared by every
 * snapshot: a publish writes only the documents that changed), and the data files are the blob
 * store's (`catalog.blobs`). Snapshots written without them (the benchmarks' synthetic ones) keep
 * `datasets/<slug>.json` and `files/<sha>` in the snapshot folder itself; both are read.
 */
export function readCatalog(snapshot: string): SnapshotCatalog {
  return JSON.parse(fs.readFileSync(path.join(snapshot, 'catalog.json'), 'utf8')) as SnapshotCatalog;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** The snapshot's real folder: `catalog.objects` and `catalog.blobs` are relative to it, not to a link naming it. */
function real(snapshot: string): string {
  try {
    return fs.realpathSync(snapshot);
  } catch {
    return snapshot;
  }
}

/** The file of a document in an objects folder. */
export function objectPath(objects: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return path.join(objects, sha256.slice(0, 2), `${sha256}.json`);
}

/** The document of a dataset the catalogue lists, or null when its name breaks the rule. */
export function datasetDocPath(snapshot: string, catalog: Pick<SnapshotCatalog, 'objects'>, summary: Pick<SnapshotDatasetSummary, 'slug' | 'doc'>): string | null {
  if (!isValidName(summary.slug)) return null;
  if (catalog.objects && summary.doc) return objectPath(path.join(real(snapshot), catalog.objects), summary.doc);
  return path.join(snapshot, 'datasets', `${summary.slug}.json`);
}

export function readDatasetDoc(snapshot: string, catalog: Pick<SnapshotCatalog, 'objects'>, summary: Pick<SnapshotDatasetSummary, 'slug' | 'doc'>): SnapshotDataset | null {
  const p = datasetDocPath(snapshot, catalog, summary);
  if (!p) return null;
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as SnapshotDataset;
  } catch {
    return null;
  }
}

/** A data file by its sha256: in the blob store the catalogue points to, or in the snapshot's own files/. */
export function blobPath(snapshot: string, catalog: Pick<SnapshotCatalog, 'blobs'>, sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return catalog.blobs ? path.join(real(snapshot), catalog.blobs, sha256.slice(0, 2), sha256) : path.join(snapshot, 'files', sha256);
}

/** A published dataset of a snapshot by name, or null (tools and tests). */
export function publishedDataset(snapshot: string, slug: string): SnapshotDataset | null {
  const catalog = readCatalog(snapshot);
  const summary = catalog.datasets.find((d) => d.slug === slug);
  return summary ? readDatasetDoc(snapshot, catalog, summary) : null;
}

/** The summary of a dataset that catalog.json lists (and the search data and the list pages read). */
export function summaryOf(d: SnapshotDataset, doc?: string): SnapshotDatasetSummary {
  return {
    id: d.id, createdAt: d.createdAt, ...(doc ? { doc } : {}),
    slug: d.slug, title: d.title, notes: d.notes.slice(0, 300), organization: d.organization.slug, tags: d.tags, topics: d.topics,
    formats: [...new Set([...d.resources.map((r) => r.format), ...(d.links ?? []).map((l) => l.format.toUpperCase()).filter(Boolean)])], licenseId: d.licenseId, updateFrequency: d.updateFrequency,
    modifiedAt: d.modifiedAt, lastUpdatedAt: d.lastUpdatedAt, publishedAt: d.publishedAt, isSample: d.isSample,
    nextDueDate: d.nextDueDate, freshness: d.freshness,
  };
}
