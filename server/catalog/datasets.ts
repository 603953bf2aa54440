import crypto from 'node:crypto';
import fs from 'node:fs';
import { and, desc, eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { ingestFile, type IngestProgress, type IngestReport, type TableSchema } from '../ingest/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import type { DatasetMetadata } from './metadata.ts';
import { CatalogError } from './errors.ts';
import { assertName } from './names.ts';

const { datasets, organizations, resources, datasetVersions, versionResources, auditEvents } = schema;

/** Who is acting. Authorisation of people comes with accounts; the seed and jobs act as the system. */
export interface Actor { accountId: string | null; label: string }
export const SYSTEM: Actor = { accountId: null, label: 'system' };

export { CatalogError };

export interface OrganizationInput {
  slug: string; title: string; titleEn?: string | null; description?: string; identifierCode?: string | null;
  parent?: string | null; contactEmail?: string | null; website?: string | null;
}

export async function upsertOrganization(db: Db, org: OrganizationInput, actor: Actor) {
  assertName('organization', org.slug);
  const parentId = org.parent ? (await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, org.parent)))[0]?.id ?? null : null;
  const values = {
    slug: org.slug, title: org.title, titleEn: org.titleEn ?? null, description: org.description ?? '',
    identifierCode: org.identifierCode ?? null, parentId, contactEmail: org.contactEmail ?? null, website: org.website ?? null,
  };
  const [existing] = await db.select().from(organizations).where(eq(organizations.slug, org.slug));
  if (existing) {
    const same = (Object.keys(values) as (keyof typeof values)[]).every((k) => existing[k] === values[k]);
    if (!same) await db.update(organizations).set(values).where(eq(organizations.id, existing.id));
    return { id: existing.id, created: false };
  }
  const [row] = await db.insert(organizations).values(values).returning({ id: organizations.id });
  await audit(db, actor, 'organization.create', 'organization', row!.id, null, null, { slug: org.slug });
  return { id: row!.id, created: true };
}

function datasetColumns(meta: DatasetMetadata, organizationId: string) {
  return {
    slug: meta.slug, organizationId, title: meta.title, notes: meta.notes, tags: meta.tags, topics: meta.topics,
    licenseId: meta.licenseId, accessLevel: meta.accessLevel, updateFrequency: meta.updateFrequency,
    frequencyReason: meta.frequencyReason, temporalStart: meta.temporalStart, temporalEnd: meta.temporalEnd,
    spatial: meta.spatial, contactName: meta.contactName, contactEmail: meta.contactEmail, source: meta.source,
    isSample: meta.isSample,
  };
}

/** Creates a draft dataset, or updates the metadata of an existing one. Data is added by publishVersion. */
async function organizationId(db: Db, slug: string): Promise<string> {
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug));
  if (!org) throw new CatalogError('organization-not-found', `Không có đơn vị "${slug}" trong danh mục đơn vị`);
  return org.id;
}

export async function saveDataset(db: Db, meta: DatasetMetadata, actor: Actor) {
  assertName('dataset', meta.slug);
  const org = { id: await organizationId(db, meta.organization) };
  const [existing] = await db.select().from(datasets).where(eq(datasets.slug, meta.slug));
  const cols = datasetColumns(meta, org.id);
  if (!existing) {
    const [row] = await db.insert(datasets).values(cols).returning({ id: datasets.id });
    await audit(db, actor, 'dataset.create', 'dataset', row!.id, null, hashJson(cols), { slug: meta.slug });
    return { id: row!.id, created: true };
  }
  if (existing.organizationId !== org.id) throw new CatalogError('dataset-owned-elsewhere', `Bộ dữ liệu "${meta.slug}" thuộc đơn vị khác`);
  const before = hashJson(datasetColumns(metadataOf(existing, meta.organization), existing.organizationId));
  const after = hashJson(cols);
  if (before !== after) {
    await db.update(datasets).set({ ...cols, modifiedAt: new Date() }).where(eq(datasets.id, existing.id));
    await audit(db, actor, 'dataset.update-metadata', 'dataset', existing.id, before, after, {});
  }
  return { id: existing.id, created: false };
}

type DatasetRow = typeof datasets.$inferSelect;

export function metadataOf(d: DatasetRow, organizationSlug: string): DatasetMetadata {
  return {
    slug: d.slug, title: d.title, notes: d.notes, organization: organizationSlug, tags: d.tags, topics: d.topics,
    licenseId: d.licenseId, accessLevel: d.accessLevel, updateFrequency: d.updateFrequency, frequencyReason: d.frequencyReason,
    temporalStart: d.temporalStart, temporalEnd: d.temporalEnd, spatial: d.spatial, contactName: d.contactName,
    contactEmail: d.contactEmail, source: d.source, isSample: d.isSample,
  };
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
}

export type PublishOutcome =
  | { status: 'published'; versionNumber: number; dataChanged: boolean; reports: IngestReport[] }
  | { status: 'no-change'; versionNumber: number; reports: IngestReport[] }
  | { status: 'invalid'; reports: IngestReport[] };

/**
 * Ingests the given files and, if all are valid, records a new immutable version of the dataset in
 * one transaction. Resources not uploaded carry over unchanged. Identical bytes and metadata make
 * no version ("no change"); identical bytes with new metadata make a version that does not count
 * as a data update.
 */
export interface PublishArgs {
  /** an existing dataset, or the metadata of one to create in the same transaction as its first version */
  datasetId?: string;
  create?: DatasetMetadata;
  uploads: ResourceUpload[];
  note: string;
  actor: Actor;
  /** 'keep-current' validates an update against the resource's published Table Schema */
  schemaPolicy?: 'keep-current' | 'infer';
  progress?: IngestProgress;
  signal?: AbortSignal;
}

export async function publishVersion(db: Db, store: BlobStore, args: PublishArgs): Promise<PublishOutcome> {
  // A file whose bytes equal the resource's current file is not ingested again.
  if (!args.datasetId === !args.create) throw new CatalogError('usage', 'publishVersion needs datasetId or create');
  // names reach paths and addresses: checked before a byte is read or a row stored
  if (args.create) assertName('dataset', args.create.slug);
  for (const up of args.uploads) assertName('resource', up.resourceName);
  if (args.create) await organizationId(db, args.create.organization); // fail fast, before reading the file
  const currentByName = args.datasetId ? await currentFilesByResourceName(db, args.datasetId) : new Map<string, typeof versionResources.$inferSelect>();
  const ingested: { up: ResourceUpload; result: Awaited<ReturnType<typeof ingestFile>> }[] = [];
  const reused = new Map<string, typeof versionResources.$inferSelect>();
  for (const up of args.uploads) {
    const existing = currentByName.get(up.resourceName);
    if (existing && existing.sha256 === (await sha256File(up.filePath))) { reused.set(up.resourceName, existing); continue; }
    // an update keeps the published columns and types unless the unit gives a schema or asks to re-infer
    const schema = up.schema ?? (args.schemaPolicy === 'keep-current' && existing ? (existing.schema as unknown as TableSchema) : undefined);
    const result = await ingestFile(up.filePath, { store, originalName: up.originalName, schema, sheetName: up.sheetName, encoding: up.encoding, progress: args.progress, signal: args.signal });
    ingested.push({ up, result });
  }
  const reports = [...ingested.map((i) => i.result.report), ...[...reused.values()].map((r) => r.report as unknown as IngestReport)];
  if (ingested.some((i) => !i.result.outputs)) return { status: 'invalid', reports };

  return db.transaction(async (tx) => {
    // a new dataset exists only together with its first version: a failed upload leaves no trace
    const datasetId = args.create ? (await saveDataset(tx as unknown as Db, args.create, args.actor)).id : args.datasetId!;
    const [dataset] = await tx.select().from(datasets).where(eq(datasets.id, datasetId)).for('update');
    if (!dataset) throw new CatalogError('dataset-not-found', 'Không tìm thấy bộ dữ liệu');
    const [org] = await tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, dataset.organizationId));
    const [current] = await tx.select().from(datasetVersions).where(eq(datasetVersions.datasetId, dataset.id)).orderBy(desc(datasetVersions.number)).limit(1);
    const currentFiles = current ? await tx.select().from(versionResources).where(eq(versionResources.versionId, current.id)) : [];

    const rows: (typeof versionResources.$inferInsert)[] = [];
    const touched = new Set<string>();
    for (const [position, { up, result }] of ingested.entries()) {
      const o = result.outputs!;
      let [res] = await tx.select().from(resources).where(and(eq(resources.datasetId, dataset.id), eq(resources.name, up.resourceName)));
      if (!res) {
        [res] = await tx.insert(resources).values({ datasetId: dataset.id, name: up.resourceName, title: up.title, description: up.description, position }).returning();
      } else if (res.title !== up.title || res.description !== up.description) {
        await tx.update(resources).set({ title: up.title, description: up.description }).where(eq(resources.id, res.id));
      }
      touched.add(res!.id);
      rows.push({
        versionId: '', resourceId: res!.id, originalName: result.report.fileName, format: o.format, mediaType: o.mediaType,
        encoding: o.encoding, size: o.original.size, sha256: o.original.sha256, csvSha256: o.csv.sha256, csvSize: o.csv.size,
        jsonSha256: o.json.sha256, jsonSize: o.json.size, rowCount: o.rowCount, schema: o.schema as unknown as Record<string, unknown>,
        report: result.report as unknown as Record<string, unknown>,
      });
    }
    for (const up of args.uploads) {
      const r = reused.get(up.resourceName);
      if (r) { touched.add(r.resourceId); rows.push({ ...r, versionId: '' }); }
    }
    for (const f of currentFiles) if (!touched.has(f.resourceId)) rows.push({ ...f, versionId: '' });

    const metadata = metadataOf(dataset, org!.slug) as unknown as Record<string, unknown>;
    const dataKey = (r: { resourceId: string; sha256: string }[]) => r.map((x) => `${x.resourceId}:${x.sha256}`).sort().join(',');
    const dataChanged = !current || dataKey(rows) !== dataKey(currentFiles);
    const metadataChanged = !current || hashJson(current.metadata) !== hashJson(metadata);
    if (current && !dataChanged && !metadataChanged && dataset.state === 'published') {
      return { status: 'no-change' as const, versionNumber: current.number, reports };
    }
    const number = (current?.number ?? 0) + 1;
    const now = new Date();
    const [version] = await tx.insert(datasetVersions).values({
      datasetId: dataset.id, number, note: args.note, publishedBy: args.actor.accountId, publishedAt: now, metadata,
    }).returning();
    await tx.insert(versionResources).values(rows.map((r) => ({ ...r, versionId: version!.id })));
    await tx.update(datasets).set({
      state: 'published', publishedAt: dataset.publishedAt ?? now, modifiedAt: now,
      ...(dataChanged ? { lastUpdatedAt: now } : {}),
    }).where(eq(datasets.id, dataset.id));
    await audit(tx as unknown as Db, args.actor, 'dataset.publish-version', 'dataset', dataset.id,
      current ? hashJson({ m: current.metadata, d: dataKey(currentFiles) }) : null, hashJson({ m: metadata, d: dataKey(rows) }),
      { version: number, note: args.note, dataChanged });
    return { status: 'published' as const, versionNumber: number, dataChanged, reports };
  });
}

async function currentFilesByResourceName(db: Db, datasetId: string) {
  const [current] = await db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, datasetId)).orderBy(desc(datasetVersions.number)).limit(1);
  const byName = new Map<string, typeof versionResources.$inferSelect>();
  if (!current) return byName;
  const rows = await db.select({ vr: versionResources, name: resources.name }).from(versionResources)
    .innerJoin(resources, eq(resources.id, versionResources.resourceId)).where(eq(versionResources.versionId, current.id));
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

export async function audit(db: Db, actor: Actor, action: string, objectType: string, objectId: string, beforeHash: string | null, afterHash: string | null, details: Record<string, unknown>) {
  await db.insert(auditEvents).values({ actorId: actor.accountId, actorLabel: actor.label, action, objectType, objectId, beforeHash, afterHash, details });
}

/** A stable hash of JSON data (keys sorted), for "did anything change" and audit before/after. */
export function hashJson(value: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
    return v;
  };
  return crypto.createHash('sha256').update(JSON.stringify(canon(value))).digest('hex');
}
