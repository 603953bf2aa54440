import crypto from 'node:crypto';
import fs from 'node:fs';
import { and, asc, desc, eq, or } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { ingestFile, type IngestProgress, type IngestReport, type IngestResult, type ReceivedFile, type TableSchema } from '../ingest/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { DATASET_FIELDS, type DatasetMetadata } from './fields.ts';
import { CatalogError } from './errors.ts';
import { assertName } from './names.ts';
import { hashJson, type Recorder } from './audit.ts';

export { CatalogError };
export { hashJson };
export type { Actor, Recorder } from './audit.ts';

const { datasets, organizations, resources, datasetVersions, versionResources, versionLinks } = schema;

type DatasetRow = typeof datasets.$inferSelect;
type FileRow = typeof versionResources.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A dataset by id or name (CKAN accepts both), or null. */
export async function datasetByRef(db: Db, ref: string): Promise<DatasetRow | null> {
  if (!ref || ref.length > 100) return null;
  const [row] = await db.select().from(datasets).where(UUID.test(ref) ? or(eq(datasets.id, ref), eq(datasets.slug, ref)) : eq(datasets.slug, ref));
  return row ?? null;
}

export async function requireDataset(db: Db, ref: string): Promise<DatasetRow> {
  const d = await datasetByRef(db, ref);
  if (!d) throw new CatalogError('dataset-not-found', `Không tìm thấy bộ dữ liệu "${ref.slice(0, 100)}".`, { field: 'id' });
  return d;
}

/** A unit by id or name. */
export async function organizationByRef(db: Db, ref: string) {
  if (!ref || ref.length > 100) return null;
  const [row] = await db.select().from(organizations).where(UUID.test(ref) ? or(eq(organizations.id, ref), eq(organizations.slug, ref)) : eq(organizations.slug, ref));
  return row ?? null;
}

export async function requireOrganization(db: Db, ref: string, field = 'owner_org') {
  const o = await organizationByRef(db, ref);
  if (!o) throw new CatalogError('organization-not-found', `Không có đơn vị "${ref.slice(0, 100)}" trong danh mục đơn vị.`, { field });
  return o;
}

// —— the database mapping, derived from the field table ——

/** The dataset table's columns for some metadata (every field but the unit, which is a reference). */
export function columnsOf(meta: DatasetMetadata, organizationId: string) {
  const cols: Record<string, unknown> = { organizationId };
  for (const f of DATASET_FIELDS) if (f.key !== 'organization') cols[f.key] = meta[f.key];
  return cols as Omit<typeof datasets.$inferInsert, 'id'> & { slug: string; title: string; licenseId: string };
}

/** A dataset row's metadata, as the field table defines it. */
export function metadataOf(d: DatasetRow, organizationSlug: string): DatasetMetadata {
  const m: Record<string, unknown> = { organization: organizationSlug };
  for (const f of DATASET_FIELDS) if (f.key !== 'organization') m[f.key] = (d as Record<string, unknown>)[f.key];
  return m as unknown as DatasetMetadata;
}

/**
 * Creates a dataset (a draft until its first version) or saves new metadata for an existing one. The
 * unit of an existing dataset never changes here. Audited with before/after hashes.
 */
export async function saveDataset(db: Db, meta: DatasetMetadata, rec: Recorder, existingId?: string): Promise<{ id: string; created: boolean; changed: boolean }> {
  assertName('dataset', meta.slug);
  const org = await requireOrganization(db, meta.organization);
  const [existing] = existingId ? await db.select().from(datasets).where(eq(datasets.id, existingId)) : await db.select().from(datasets).where(eq(datasets.slug, meta.slug));
  const cols = columnsOf({ ...meta, organization: org.slug }, org.id);
  if (!existing) {
    const [row] = await db.insert(datasets).values(cols).returning({ id: datasets.id });
    rec.audit({ action: 'dataset.create', objectType: 'dataset', objectId: row!.id, beforeHash: null, afterHash: hashJson(cols), details: { slug: meta.slug } });
    return { id: row!.id, created: true, changed: true };
  }
  if (existing.organizationId !== org.id) throw new CatalogError('dataset-owned-elsewhere', `Bộ dữ liệu "${existing.slug}" thuộc đơn vị khác; không đổi được đơn vị.`, { field: 'owner_org' });
  if (existing.slug !== meta.slug) throw new CatalogError('name-change', 'Không đổi được tên định danh (địa chỉ) của bộ dữ liệu đã có.', { field: 'name' });
  const before = hashJson(columnsOf(metadataOf(existing, org.slug), existing.organizationId));
  const after = hashJson(cols);
  if (before === after) return { id: existing.id, created: false, changed: false };
  await db.update(datasets).set({ ...cols, modifiedAt: new Date() }).where(eq(datasets.id, existing.id));
  rec.audit({ action: 'dataset.update-metadata', objectType: 'dataset', objectId: existing.id, beforeHash: before, afterHash: after, details: {} });
  return { id: existing.id, created: false, changed: true };
}

export interface ResourceUpload {
  resourceName: string;
  title: string;
  description: string;
  filePath: string;
  originalName: string;
  schema?: TableSchema;
  sheetName?: string;
  encoding?: string;
  /** the unit's word: false when the file has no header row; detected when absent */
  header?: boolean;
  /** live figures of this file's ingest, for a progress display */
  progress?: IngestProgress;
  /** the file is the server's own temporary file, hashed as it was received (see UploadedFile) */
  received?: ReceivedFile;
}

/** Uploads read and checked before the transaction: each ingested anew, or the current file again (same bytes). */
export interface PreparedUploads {
  items: { up: ResourceUpload; result?: IngestResult; reused?: FileRow }[];
  reports: IngestReport[];
  valid: boolean;
}

/**
 * Reads each uploaded file through the ingest (outside any transaction: a large file takes a while).
 * A file whose bytes equal the resource's current file is not read again. An update is checked
 * against the resource's published Table Schema unless the unit gives one or asks to infer anew.
 */
export async function ingestUploads(db: Db, store: BlobStore, datasetId: string | null, uploads: ResourceUpload[], opts: { schemaPolicy?: 'keep-current' | 'infer'; signal?: AbortSignal } = {}): Promise<PreparedUploads> {
  for (const up of uploads) assertName('resource', up.resourceName);
  const current = datasetId ? await currentFilesByResourceName(db, datasetId) : new Map<string, FileRow>();
  const items: PreparedUploads['items'] = [];
  for (const up of uploads) {
    const existing = current.get(up.resourceName);
    if (existing && existing.sha256 === (up.received?.sha256 ?? await sha256File(up.filePath))) { items.push({ up, reused: existing }); continue; }
    const schemaToUse = up.schema ?? (opts.schemaPolicy !== 'infer' && existing ? (existing.schema as unknown as TableSchema) : undefined);
    const result = await ingestFile(up.filePath, { store, originalName: up.originalName, schema: schemaToUse, sheetName: up.sheetName, encoding: up.encoding, header: up.header, progress: up.progress, received: up.received, signal: opts.signal });
    items.push({ up, result });
  }
  const reports = items.map((i) => i.result?.report ?? (i.reused!.report as unknown as IngestReport));
  return { items, reports, valid: items.every((i) => i.reused || i.result?.outputs) };
}

/** A resource that is a link to data held elsewhere: not read, not checked; its size and hash are as given. */
export interface LinkSpec {
  name: string;
  title: string;
  description: string;
  url: string;
  format: string;
  mediaType: string | null;
  size: number | null;
  hash: string | null;
}

export type VersionOutcome =
  | { status: 'published'; versionNumber: number; dataChanged: boolean; reports: IngestReport[]; datasetId: string }
  | { status: 'no-change'; versionNumber: number; reports: IngestReport[]; datasetId: string };

/**
 * Records a new immutable version of a dataset from prepared uploads (resources not uploaded carry
 * over unchanged), in the caller's transaction. Identical files and metadata make no version ("no
 * change"); identical files with new metadata make a version that does not count as a data update.
 * A withdrawn dataset takes no version: it must be reinstated first.
 */
export async function recordVersion(tx: Db, datasetId: string, prepared: PreparedUploads, note: string, rec: Recorder, opts: { links?: LinkSpec[] } = {}): Promise<VersionOutcome> {
  if (!prepared.valid) throw new CatalogError('validation-failed', 'Tệp không hợp lệ; phiên bản đang công bố được giữ nguyên.', { field: 'upload' });
  const [dataset] = await tx.select().from(datasets).where(eq(datasets.id, datasetId)).for('update');
  if (!dataset) throw new CatalogError('dataset-not-found', 'Không tìm thấy bộ dữ liệu.', { field: 'id' });
  if (dataset.state === 'withdrawn') throw new CatalogError('dataset-withdrawn', 'Bộ dữ liệu đã bị rút; quản trị cổng phải khôi phục trước khi công bố phiên bản mới.', { field: 'id' });
  const [org] = await tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, dataset.organizationId));
  const [current] = await tx.select().from(datasetVersions).where(eq(datasetVersions.datasetId, dataset.id)).orderBy(desc(datasetVersions.number)).limit(1);
  const currentFiles = current ? await tx.select().from(versionResources).where(eq(versionResources.versionId, current.id)) : [];

  const rows: (typeof versionResources.$inferInsert)[] = [];
  const touched = new Set<string>();
  const existingResources = await tx.select().from(resources).where(eq(resources.datasetId, dataset.id));
  let position = existingResources.reduce((m, r) => Math.max(m, r.position + 1), 0);
  for (const { up, result, reused } of prepared.items) {
    let res = existingResources.find((r) => r.name === up.resourceName);
    if (!res) {
      [res] = await tx.insert(resources).values({ datasetId: dataset.id, name: up.resourceName, title: up.title, description: up.description, position: position++ }).returning();
    } else if (res.title !== up.title || res.description !== up.description) {
      await tx.update(resources).set({ title: up.title, description: up.description }).where(eq(resources.id, res.id));
    }
    touched.add(res!.id);
    if (reused) { rows.push({ ...reused, versionId: '' }); continue; }
    const o = result!.outputs!;
    rows.push({
      versionId: '', resourceId: res!.id, originalName: result!.report.fileName, format: o.format, mediaType: o.mediaType,
      encoding: o.encoding, size: o.original.size, sha256: o.original.sha256, csvSha256: o.csv.sha256, csvSize: o.csv.size,
      jsonSha256: o.json.sha256, jsonSize: o.json.size, rowCount: o.rowCount, schema: o.schema as unknown as Record<string, unknown>,
      report: result!.report as unknown as Record<string, unknown>,
    });
  }
  for (const f of currentFiles) if (!touched.has(f.resourceId)) rows.push({ ...f, versionId: '' });
  const currentLinks: LinkSpec[] = current ? (await tx.select().from(versionLinks).where(eq(versionLinks.versionId, current.id)).orderBy(asc(versionLinks.position)))
    .map(({ versionId: _v, position: _p, ...l }) => l) : [];
  const links = opts.links ?? currentLinks;
  if (rows.length === 0 && links.length === 0) throw new CatalogError('upload-required', 'Phiên bản đầu tiên cần ít nhất một tệp dữ liệu.', { field: 'upload' });

  const metadata = metadataOf(dataset, org!.slug) as unknown as Record<string, unknown>;
  const linkKey = (l: LinkSpec[]) => l.map((x) => `link:${x.url}:${x.hash ?? ''}:${x.size ?? ''}:${x.title}`);
  const dataKey = (r: { resourceId: string; sha256: string }[], l: LinkSpec[]) => [...r.map((x) => `${x.resourceId}:${x.sha256}`).sort(), ...linkKey(l)].join(',');
  const dataChanged = !current || dataKey(rows as { resourceId: string; sha256: string }[], links) !== dataKey(currentFiles, currentLinks);
  const metadataChanged = !current || hashJson(current.metadata) !== hashJson(metadata);
  if (current && !dataChanged && !metadataChanged && dataset.state === 'published') {
    return { status: 'no-change', versionNumber: current.number, reports: prepared.reports, datasetId: dataset.id };
  }
  const number = (current?.number ?? 0) + 1;
  const now = new Date();
  const [version] = await tx.insert(datasetVersions).values({
    datasetId: dataset.id, number, note, publishedBy: rec.actor.accountId, publishedAt: now, metadata,
  }).returning();
  if (rows.length) await tx.insert(versionResources).values(rows.map((r) => ({ ...r, versionId: version!.id })));
  if (links.length) await tx.insert(versionLinks).values(links.map((l, position) => ({ ...l, versionId: version!.id, position })));
  await tx.update(datasets).set({
    state: 'published', publishedAt: dataset.publishedAt ?? now, modifiedAt: now,
    ...(dataChanged ? { lastUpdatedAt: now } : {}),
  }).where(eq(datasets.id, dataset.id));
  rec.audit({
    action: 'dataset.publish-version', objectType: 'dataset', objectId: dataset.id,
    beforeHash: current ? hashJson({ m: current.metadata, d: dataKey(currentFiles, currentLinks) }) : null,
    afterHash: hashJson({ m: metadata, d: dataKey(rows as { resourceId: string; sha256: string }[], links) }),
    details: { version: number, note, dataChanged },
  });
  return { status: 'published', versionNumber: number, dataChanged, reports: prepared.reports, datasetId: dataset.id };
}

/** Withdraws a published dataset from the public catalogue with a reason; its versions stay in the history. */
export async function withdrawDataset(tx: Db, d: DatasetRow, reason: string, rec: Recorder): Promise<void> {
  if (d.state === 'withdrawn') throw new CatalogError('already-withdrawn', 'Bộ dữ liệu đã được rút trước đó.', { field: 'id' });
  const org = await requireOrganization(tx, d.organizationId);
  const before = hashJson({ state: d.state, m: metadataOf(d, org.slug) });
  await tx.update(datasets).set({ state: 'withdrawn', withdrawnReason: reason, modifiedAt: new Date() }).where(eq(datasets.id, d.id));
  rec.audit({ action: 'dataset.withdraw', objectType: 'dataset', objectId: d.id, beforeHash: before, afterHash: hashJson({ state: 'withdrawn', m: metadataOf(d, org.slug) }), details: { reason } });
}

/** Puts a withdrawn dataset back (the admin's decision, with a reason): public again with its last version. */
export async function reinstateDataset(tx: Db, d: DatasetRow, reason: string, rec: Recorder): Promise<void> {
  if (d.state !== 'withdrawn') throw new CatalogError('not-withdrawn', 'Chỉ khôi phục được bộ dữ liệu đã rút.', { field: 'id' });
  const [last] = await tx.select({ id: datasetVersions.id }).from(datasetVersions).where(eq(datasetVersions.datasetId, d.id)).limit(1);
  await tx.update(datasets).set({ state: last ? 'published' : 'draft', withdrawnReason: null, modifiedAt: new Date() }).where(eq(datasets.id, d.id));
  rec.audit({ action: 'dataset.reinstate', objectType: 'dataset', objectId: d.id, beforeHash: null, afterHash: null, details: { reason, previousReason: d.withdrawnReason } });
}

/** The dataset's resources in order, with the files of the current version. */
export async function resourcesWithFiles(db: Db, datasetId: string) {
  const res = await db.select().from(resources).where(eq(resources.datasetId, datasetId)).orderBy(asc(resources.position));
  const [current] = await db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.number)).limit(1);
  const files = current ? await db.select().from(versionResources).where(eq(versionResources.versionId, current.id)) : [];
  return res.map((r) => ({ ...r, file: files.find((f) => f.resourceId === r.id) ?? null }));
}

/** The links of the dataset's current version, in order. */
export async function currentLinks(db: Db, datasetId: string): Promise<LinkSpec[]> {
  const [current] = await db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.number)).limit(1);
  if (!current) return [];
  return (await db.select().from(versionLinks).where(eq(versionLinks.versionId, current.id)).orderBy(asc(versionLinks.position))).map(({ versionId: _v, position: _p, ...l }) => l);
}

async function currentFilesByResourceName(db: Db, datasetId: string) {
  const [current] = await db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.number)).limit(1);
  const byName = new Map<string, FileRow>();
  if (!current) return byName;
  const rows = await db.select({ vr: versionResources, name: resources.name }).from(versionResources)
    .innerJoin(resources, eq(resources.id, versionResources.resourceId)).where(and(eq(versionResources.versionId, current.id)));
  for (const r of rows) byName.set(r.name, r.vr);
  return byName;
}

async function sha256File(filePath: string): Promise<string | null> {
  const hash = crypto.createHash('sha256');
  try {
    for await (const chunk of fs.createReadStream(filePath)) hash.update(chunk as Buffer);
  } catch {
    return null; // unreadable: ingest will report why
  }
  return hash.digest('hex');
}
