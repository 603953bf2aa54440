import fs from 'node:fs';
import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import Papa from 'papaparse';
import { schema, type Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { slugify } from '../contract/text.ts';
import { summaryOf } from './snapshot-files.ts';
export { summaryOf };
import { DATASET_FIELDS, defaults, type DatasetMetadata } from '../catalog/fields.ts';
import { isValidName, nameProblem } from '../catalog/names.ts';
import { freshnessStatus, nextDueDate } from '../freshness/due.ts';
import type {
  SnapshotDataset, SnapshotDatasetSummary, SnapshotFile, SnapshotLink, SnapshotOrganization, SnapshotResource, SnapshotVersion, SnapshotWithdrawn,
} from '../contract/snapshot.ts';

/**
 * Reads the published, open part of the catalogue from the database: what the public may see. The
 * only part of publishing that queries the database (the rest works on files, in a child process);
 * it reads in chunks of datasets and gives the event loop back between them, so a full read of
 * 100,000 datasets does not stall the server's answers.
 */

const { datasets, organizations, resources, datasetVersions, versionResources, versionLinks } = schema;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const CHUNK = 500;
/** every column of version_resources but the ingest report (large, and not public) */
const fileColumns = {
  versionId: versionResources.versionId, resourceId: versionResources.resourceId, originalName: versionResources.originalName, format: versionResources.format,
  mediaType: versionResources.mediaType, encoding: versionResources.encoding, size: versionResources.size, sha256: versionResources.sha256,
  csvSha256: versionResources.csvSha256, csvSize: versionResources.csvSize, jsonSha256: versionResources.jsonSha256, jsonSize: versionResources.jsonSize,
  rowCount: versionResources.rowCount, schema: versionResources.schema,
};

/** A record left out because a name in it could reach a path or an address unsafely. */
export interface SkippedRecord { kind: 'organization' | 'dataset'; name: string; reason: string }

export const PREVIEW_ROWS = 10;

/** The first rows of a published CSV, for the dataset page: read from its first 64 KB only. */
function previewOf(store: BlobStore, csvSha256: string): string[][] {
  const fd = fs.openSync(store.pathOf(csvSha256), 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    const complete = text.length < buf.length ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    return Papa.parse<string[]>(complete, { preview: PREVIEW_ROWS + 1, skipEmptyLines: true }).data;
  } finally {
    fs.closeSync(fd);
  }
}

/** The metadata the public sees: every field of the field table but the unit (an object here), the name and the access level. */
function publicFields(m: DatasetMetadata) {
  const out: Record<string, unknown> = {};
  for (const f of DATASET_FIELDS) if (f.key !== 'organization' && f.key !== 'slug' && f.key !== 'accessLevel') out[f.key] = m[f.key];
  return out as Omit<DatasetMetadata, 'organization' | 'slug' | 'accessLevel'>;
}

type FileRow = Omit<typeof versionResources.$inferSelect, 'report'>;

/** Download addresses follow CKAN's /dataset/<name>/resource/<id>/download/<file>. */
function resourceFiles(base: string, resourceName: string, vr: FileRow) {
  const dot = vr.originalName.lastIndexOf('.');
  const ext = dot > 0 ? vr.originalName.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, '') : '';
  const originalSlug = `${slugify(dot > 0 ? vr.originalName.slice(0, dot) : vr.originalName) || resourceName}${ext ? '.' + ext : ''}`;
  const file = (url: string, sha256: string, size: number, mediaType: string, format: string): SnapshotFile => ({ url, sha256, size, mediaType, format });
  return {
    original: file(`${base}/download/original/${originalSlug}`, vr.sha256, vr.size, vr.mediaType, vr.format),
    csv: file(`${base}/download/${resourceName}.csv`, vr.csvSha256, vr.csvSize, 'text/csv', 'CSV'),
    json: file(`${base}/download/${resourceName}.json`, vr.jsonSha256, vr.jsonSize, 'application/json', 'JSON'),
  };
}

function groupBy<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

async function inChunks<T>(ids: string[], size: number, query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(...(await query(ids.slice(i, i + size))));
  return out;
}

/** The units, all of them (a few thousand at most): their dataset counts are the assembler's. */
export async function readOrganizations(db: Db, skipped: SkippedRecord[]): Promise<{ list: SnapshotOrganization[]; byId: Map<string, typeof organizations.$inferSelect> }> {
  const rows = (await db.select().from(organizations).orderBy(asc(organizations.slug))).filter((o) => {
    // names are checked when stored; a row that slipped in before (or by hand) is left out and reported
    const problem = nameProblem('organization', o.slug);
    if (problem) skipped.push({ kind: 'organization', name: o.slug, reason: problem });
    return !problem;
  });
  const byId = new Map(rows.map((o) => [o.id, o]));
  const list = rows.map((o): SnapshotOrganization => ({
    id: o.id, createdAt: iso(o.createdAt)!,
    slug: o.slug, title: o.title, titleEn: o.titleEn, description: o.description, identifierCode: o.identifierCode,
    parent: o.parentId ? byId.get(o.parentId)?.slug ?? null : null, contactEmail: o.contactEmail, website: o.website,
    datasetCount: 0,
  }));
  return { list, byId };
}

export interface PublishedChunk {
  datasets: SnapshotDataset[];
  withdrawn: SnapshotWithdrawn[];
  /** datasets asked for by id that the public may not see (drafts, shared data, unknown ids) */
  absent: string[];
}

/**
 * The published and withdrawn open datasets, a chunk at a time: every one (`'all'`, by name) or
 * those of these ids. `onChunk` runs for each chunk before the next is read.
 */
export async function readPublishedDatasets(
  db: Db, store: BlobStore, orgsById: Map<string, { id: string; slug: string; title: string }>, which: 'all' | string[], skipped: SkippedRecord[],
  onChunk: (chunk: PublishedChunk) => void | Promise<void>,
): Promise<void> {
  const now = new Date();
  const visible = or(eq(datasets.state, 'published'), eq(datasets.state, 'withdrawn'));
  let after = '';
  for (let i = 0; ; i += CHUNK) {
    let rows: (typeof datasets.$inferSelect)[];
    let asked: string[] = [];
    if (which === 'all') {
      rows = await db.select().from(datasets).where(and(visible, gt(datasets.slug, after), eq(datasets.accessLevel, 'open'))).orderBy(asc(datasets.slug)).limit(CHUNK);
      if (!rows.length) return;
      after = rows[rows.length - 1]!.slug;
    } else {
      asked = which.slice(i, i + CHUNK);
      if (!asked.length) return;
      rows = await db.select().from(datasets).where(and(inArray(datasets.id, asked), visible, eq(datasets.accessLevel, 'open')));
    }
    const chunk: PublishedChunk = { datasets: [], withdrawn: [], absent: [] };
    const publishable = rows.filter((d) => {
      const problem = nameProblem('dataset', d.slug) ?? (orgsById.has(d.organizationId) ? null : 'đơn vị của bộ dữ liệu có tên định danh không hợp lệ');
      if (problem) skipped.push({ kind: 'dataset', name: d.slug, reason: problem });
      return !problem;
    });
    const ids = publishable.map((d) => d.id);
    const versions = ids.length ? await db.select().from(datasetVersions).where(inArray(datasetVersions.datasetId, ids)).orderBy(asc(datasetVersions.number)) : [];
    const versionsOf = groupBy(versions, (v) => v.datasetId);
    const published = new Set(publishable.filter((d) => d.state === 'published').map((d) => d.id));
    const vIds = versions.filter((v) => published.has(v.datasetId)).map((v) => v.id);
    const files = await inChunks(vIds, 1000, (c) => db.select(fileColumns).from(versionResources).where(inArray(versionResources.versionId, c)));
    const filesOf = groupBy(files as FileRow[], (f) => f.versionId);
    const links = await inChunks(vIds, 1000, (c) => db.select().from(versionLinks).where(inArray(versionLinks.versionId, c)).orderBy(asc(versionLinks.position)));
    const linksOf = groupBy(links, (l) => l.versionId);
    const res = ids.length ? await db.select().from(resources).where(inArray(resources.datasetId, ids)).orderBy(asc(resources.position)) : [];
    const resById = new Map(res.map((r) => [r.id, r]));
    const resOf = groupBy(res, (r) => r.datasetId);
    const linkList = (versionId: string): SnapshotLink[] => (linksOf.get(versionId) ?? [])
      .map((l) => ({ name: l.name, title: l.title, description: l.description, url: l.url, format: l.format, mediaType: l.mediaType, size: l.size, hash: l.hash }));

    for (const d of publishable) {
      const org = orgsById.get(d.organizationId)!;
      const dv = versionsOf.get(d.id) ?? [];
      if (dv.length === 0) continue;
      if (d.state === 'withdrawn') {
        const last = dv[dv.length - 1]!;
        chunk.withdrawn.push({
          id: d.id, slug: d.slug, title: (last.metadata as unknown as DatasetMetadata).title, organization: { id: org.id, slug: org.slug, title: org.title },
          reason: d.withdrawnReason ?? '', withdrawnAt: iso(d.modifiedAt)!, lastVersion: last.number,
          publishedAt: iso(d.publishedAt), topics: (last.metadata as unknown as DatasetMetadata).topics ?? [],
        });
        continue;
      }
      const badResource = (resOf.get(d.id) ?? []).find((r) => !isValidName(r.name));
      if (badResource) {
        skipped.push({ kind: 'dataset', name: d.slug, reason: nameProblem('resource', badResource.name)! });
        continue;
      }
      const snapVersions: SnapshotVersion[] = dv.map((v) => ({
        id: v.id, number: v.number, note: v.note, publishedAt: iso(v.publishedAt)!, links: linkList(v.id),
        resources: (filesOf.get(v.id) ?? []).map((f) => {
          const r = resById.get(f.resourceId)!;
          return { id: r.id, name: r.name, ...resourceFiles(`/dataset/${d.slug}/version/${v.number}/resource/${r.id}`, r.name, f) };
        }),
      })).reverse();
      const latest = dv[dv.length - 1]!;
      const snapResources: SnapshotResource[] = (filesOf.get(latest.id) ?? [])
        .map((f) => ({ f, r: resById.get(f.resourceId)! }))
        .sort((a, b) => a.r.position - b.r.position)
        .map(({ f, r }) => ({
          id: r.id, name: r.name, title: r.title, description: r.description, format: f.format, mediaType: f.mediaType,
          encoding: f.encoding, size: f.size, sha256: f.sha256, rowCount: f.rowCount, schema: f.schema, originalName: f.originalName,
          downloads: resourceFiles(`/dataset/${d.slug}/resource/${r.id}`, r.name, f),
          preview: previewOf(store, f.csvSha256),
        }));
      // what the public sees is what was published: the latest version's metadata, not unpublished edits
      const m = { ...defaults(), ...(latest.metadata as unknown as Partial<DatasetMetadata>) };
      const due = nextDueDate(d.lastUpdatedAt ?? d.publishedAt ?? latest.publishedAt, m.updateFrequency);
      chunk.datasets.push({
        // every metadata field of the field table, as published in the latest version
        ...publicFields(m),
        id: d.id, slug: d.slug,
        organization: { id: org.id, slug: org.slug, title: org.title },
        createdAt: iso(d.createdAt)!, modifiedAt: iso(d.modifiedAt)!, publishedAt: iso(d.publishedAt), lastUpdatedAt: iso(d.lastUpdatedAt),
        version: latest.number, resources: snapResources, links: linkList(latest.id), versions: snapVersions,
        nextDueDate: due, freshness: freshnessStatus(due, now),
      });
    }
    if (which !== 'all') {
      const seen = new Set([...chunk.datasets.map((d) => d.id), ...chunk.withdrawn.map((w) => w.id)]);
      chunk.absent = asked.filter((id) => !seen.has(id));
    }
    await onChunk(chunk);
    // give the event loop back: a full read is hundreds of chunks
    await new Promise((resolve) => setImmediate(resolve));
  }
}
