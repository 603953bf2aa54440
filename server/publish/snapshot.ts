import fs from 'node:fs';
import path from 'node:path';
import { asc, eq, inArray } from 'drizzle-orm';
import Papa from 'papaparse';
import { schema, type Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../catalog/vocabularies.ts';
import { slugify } from '../contract/text.ts';
import { DATASET_FIELDS, defaults, type DatasetMetadata } from '../catalog/fields.ts';
import { log } from '../log.ts';
import { insideFolder, isValidName, nameProblem } from '../catalog/names.ts';
import { writeSearchData } from './search-index.ts';
import { freshnessStatus, nextDueDate } from '../freshness/due.ts';
import type { SnapshotCatalog, SnapshotDataset, SnapshotFile, SnapshotLink, SnapshotResource, SnapshotVersion } from '../contract/snapshot.ts';

export type * from '../contract/snapshot.ts';

const { datasets, organizations, resources, datasetVersions, versionResources, versionLinks } = schema;
export const SNAPSHOT_FORMAT = 1;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function fileEntry(url: string, sha256: string, size: number, mediaType: string, format: string): SnapshotFile {
  return { url, sha256, size, mediaType, format };
}

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

/** Download addresses follow CKAN's /dataset/<name>/resource/<id>/download/<file>. */
function resourceFiles(base: string, resourceName: string, vr: typeof versionResources.$inferSelect) {
  const dot = vr.originalName.lastIndexOf('.');
  const ext = dot > 0 ? vr.originalName.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, '') : '';
  const originalSlug = `${slugify(dot > 0 ? vr.originalName.slice(0, dot) : vr.originalName) || resourceName}${ext ? '.' + ext : ''}`;
  return {
    original: fileEntry(`${base}/download/original/${originalSlug}`, vr.sha256, vr.size, vr.mediaType, vr.format),
    csv: fileEntry(`${base}/download/${resourceName}.csv`, vr.csvSha256, vr.csvSize, 'text/csv', 'CSV'),
    json: fileEntry(`${base}/download/${resourceName}.json`, vr.jsonSha256, vr.jsonSize, 'application/json', 'JSON'),
  };
}

/** Reads the published, open part of the catalogue: what the public may see. */
/** A record the snapshot left out because a name in it could reach a path or an address unsafely. */
export interface SkippedRecord { kind: 'organization' | 'dataset'; name: string; reason: string }

export async function readPublishedCatalog(db: Db, store: BlobStore, siteUrl: string): Promise<{ catalog: SnapshotCatalog; datasets: SnapshotDataset[]; skipped: SkippedRecord[] }> {
  const skipped: SkippedRecord[] = [];
  // Names are checked when stored; a row that slipped in before (or by hand) is left out and
  // reported here, so it can neither write outside the snapshot nor stop the others.
  const orgs = (await db.select().from(organizations).orderBy(asc(organizations.title))).filter((o) => {
    const problem = nameProblem('organization', o.slug);
    if (problem) skipped.push({ kind: 'organization', name: o.slug, reason: problem });
    return !problem;
  });
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const publishable = (d: typeof datasets.$inferSelect) => {
    const problem = nameProblem('dataset', d.slug) ?? (orgById.has(d.organizationId) ? null : 'đơn vị của bộ dữ liệu có tên định danh không hợp lệ');
    if (problem) skipped.push({ kind: 'dataset', name: d.slug, reason: problem });
    return !problem;
  };
  const rows = (await db.select().from(datasets).where(eq(datasets.state, 'published')).orderBy(asc(datasets.slug))).filter(publishable);
  const withdrawnRows = (await db.select().from(datasets).where(eq(datasets.state, 'withdrawn')).orderBy(asc(datasets.slug))).filter((d) => d.accessLevel === 'open').filter(publishable);
  const lastVersions = withdrawnRows.length ? await db.select().from(datasetVersions).where(inArray(datasetVersions.datasetId, withdrawnRows.map((d) => d.id))).orderBy(asc(datasetVersions.number)) : [];
  const open = rows.filter((d) => d.accessLevel === 'open');
  const ids = open.map((d) => d.id);
  const versions = ids.length ? await db.select().from(datasetVersions).where(inArray(datasetVersions.datasetId, ids)).orderBy(asc(datasetVersions.number)) : [];
  const vIds = versions.map((v) => v.id);
  const files = vIds.length ? await db.select().from(versionResources).where(inArray(versionResources.versionId, vIds)) : [];
  const links = vIds.length ? await db.select().from(versionLinks).where(inArray(versionLinks.versionId, vIds)).orderBy(asc(versionLinks.position)) : [];
  const linksOf = (versionId: string): SnapshotLink[] => links.filter((l) => l.versionId === versionId)
    .map((l) => ({ name: l.name, title: l.title, description: l.description, url: l.url, format: l.format, mediaType: l.mediaType, size: l.size, hash: l.hash }));
  const res = ids.length ? await db.select().from(resources).where(inArray(resources.datasetId, ids)).orderBy(asc(resources.position)) : [];
  const resById = new Map(res.map((r) => [r.id, r]));

  const now = new Date();
  const full: SnapshotDataset[] = [];
  for (const d of open) {
    const org = orgById.get(d.organizationId)!;
    const dv = versions.filter((v) => v.datasetId === d.id);
    if (dv.length === 0) continue;
    const badResource = res.find((r) => r.datasetId === d.id && !isValidName(r.name));
    if (badResource) {
      skipped.push({ kind: 'dataset', name: d.slug, reason: nameProblem('resource', badResource.name)! });
      continue;
    }
    const snapVersions: SnapshotVersion[] = dv.map((v) => ({
      id: v.id, number: v.number, note: v.note, publishedAt: iso(v.publishedAt)!, links: linksOf(v.id),
      resources: files.filter((f) => f.versionId === v.id).map((f) => {
        const r = resById.get(f.resourceId)!;
        return { id: r.id, name: r.name, ...resourceFiles(`/dataset/${d.slug}/version/${v.number}/resource/${r.id}`, r.name, f) };
      }),
    })).reverse();
    const latest = dv[dv.length - 1]!;
    const latestFiles = files.filter((f) => f.versionId === latest.id);
    const snapResources: SnapshotResource[] = latestFiles
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
    full.push({
      // every metadata field of the field table, as published in the latest version
      ...publicFields(m),
      id: d.id, slug: d.slug,
      organization: { id: org.id, slug: org.slug, title: org.title },
      createdAt: iso(d.createdAt)!, modifiedAt: iso(d.modifiedAt)!, publishedAt: iso(d.publishedAt), lastUpdatedAt: iso(d.lastUpdatedAt),
      version: latest.number, resources: snapResources, links: linksOf(latest.id), versions: snapVersions,
      nextDueDate: due, freshness: freshnessStatus(due, now),
    });
  }
  const catalog: SnapshotCatalog = {
    format: SNAPSHOT_FORMAT,
    generatedAt: new Date().toISOString(),
    siteUrl,
    organizations: orgs.map((o) => ({
      id: o.id, createdAt: iso(o.createdAt)!,
      slug: o.slug, title: o.title, titleEn: o.titleEn, description: o.description, identifierCode: o.identifierCode,
      parent: o.parentId ? orgById.get(o.parentId)?.slug ?? null : null, contactEmail: o.contactEmail, website: o.website,
      datasetCount: full.filter((d) => d.organization.slug === o.slug).length,
    })),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES,
    withdrawn: withdrawnRows.flatMap((d) => {
      const last = lastVersions.filter((v) => v.datasetId === d.id).at(-1);
      const org = orgById.get(d.organizationId)!;
      return last ? [{
        id: d.id, slug: d.slug, title: (last.metadata as unknown as DatasetMetadata).title, organization: { id: org.id, slug: org.slug, title: org.title },
        reason: d.withdrawnReason ?? '', withdrawnAt: iso(d.modifiedAt)!, lastVersion: last.number,
      }] : [];
    }),
    datasets: full.map((d) => ({
      id: d.id, createdAt: d.createdAt,
      slug: d.slug, title: d.title, notes: d.notes.slice(0, 300), organization: d.organization.slug, tags: d.tags, topics: d.topics,
      formats: [...new Set([...d.resources.map((r) => r.format), ...(d.links ?? []).map((l) => l.format.toUpperCase()).filter(Boolean)])], licenseId: d.licenseId, updateFrequency: d.updateFrequency,
      modifiedAt: d.modifiedAt, lastUpdatedAt: d.lastUpdatedAt, publishedAt: d.publishedAt, isSample: d.isSample,
      nextDueDate: d.nextDueDate, freshness: d.freshness,
    })),
  };
  return { catalog, datasets: full, skipped };
}

/**
 * Writes the publication snapshot to a new folder and switches the `publish` link to it in one
 * rename, so readers see the old snapshot or the new one, never half of one.
 */
export async function writeSnapshot(db: Db, store: BlobStore, opts: { dataDir: string; siteUrl: string }): Promise<{ dir: string; datasetCount: number; fileCount: number; skipped: SkippedRecord[] }> {
  const buildsDir = path.join(opts.dataDir, 'publish-builds');
  fs.mkdirSync(buildsDir, { recursive: true });
  const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`;
  const dir = path.join(buildsDir, id);
  const tmp = `${dir}.partial`;
  fs.mkdirSync(path.join(tmp, 'datasets'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'files'), { recursive: true });

  const { catalog, datasets: full, skipped } = await readPublishedCatalog(db, store, opts.siteUrl);
  for (const s of skipped) log('publish', `BỎ QUA ${s.kind === 'dataset' ? 'bộ dữ liệu' : 'đơn vị'} "${s.name}": ${s.reason}`);
  const hashes = new Set<string>();
  for (const d of full) {
    fs.writeFileSync(insideFolder(path.join(tmp, 'datasets'), `${d.slug}.json`), JSON.stringify(d));
    for (const v of d.versions) for (const r of v.resources) for (const f of [r.original, r.csv, r.json]) hashes.add(f.sha256);
  }
  let linked = 0;
  for (const sha of hashes) {
    // hard links: the snapshot costs no extra space, and a blob can never be edited in place (0444)
    linkOrCopy(store.pathOf(sha), path.join(tmp, 'files', sha));
    if (++linked % 500 === 0) log('publish', `${linked}/${hashes.size} tệp`);
  }
  fs.writeFileSync(path.join(tmp, 'catalog.json'), JSON.stringify(catalog));
  writeSearchData(catalog, path.join(tmp, 'search'));
  fs.renameSync(tmp, dir);
  switchLink(path.join(opts.dataDir, 'publish'), dir);
  pruneOld(buildsDir, dir, 2);
  log('publish', `ảnh chụp công bố: ${full.length} bộ dữ liệu, ${hashes.size} tệp → ${dir}`);
  return { dir, datasetCount: full.length, fileCount: hashes.size, skipped };
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
