import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { parseDataPackage } from '../catalog/metadata.ts';
import { publishVersion, saveDataset, upsertOrganization, type Actor, type OrganizationInput } from '../catalog/datasets.ts';
import { log } from '../log.ts';

export interface SeedResult {
  folder: string;
  status: 'published' | 'no-change' | 'failed';
  message: string;
}

const SEED_ACTOR: Actor = { accountId: null, label: 'seed' };

/**
 * Loads the demo catalogue (datasets/): organizations.json, then one folder per dataset with a
 * datapackage.json and its data files, through the same publish path a unit's upload takes.
 * A broken folder stops only that dataset; the message names the file and the reason.
 */
export async function loadDemoCatalog(db: Db, store: BlobStore, datasetsDir: string): Promise<SeedResult[]> {
  const orgFile = path.join(datasetsDir, 'organizations.json');
  const orgs = JSON.parse(fs.readFileSync(orgFile, 'utf8')) as OrganizationInput[];
  for (const org of orgs) await upsertOrganization(db, org, SEED_ACTOR);

  const folders = fs.readdirSync(datasetsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const results: SeedResult[] = [];
  for (const [i, folder] of folders.entries()) {
    const prefix = `[${i + 1}/${folders.length}] ${folder}`;
    const result = await loadOne(db, store, path.join(datasetsDir, folder), folder).catch((err: Error) => ({ folder, status: 'failed' as const, message: err.message }));
    results.push(result);
    log('seed', `${prefix}: ${result.status === 'failed' ? 'LỖI — ' : ''}${result.message}`);
  }
  return results;
}

async function loadOne(db: Db, store: BlobStore, dir: string, folder: string): Promise<SeedResult> {
  const metaFile = path.join(dir, 'datapackage.json');
  const fail = (message: string): SeedResult => ({ folder, status: 'failed', message });
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(metaFile, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    return fail(`${path.join(folder, 'datapackage.json')}: không đọc được siêu dữ liệu (${(err as Error).message})`);
  }
  const { metadata, resources, problems } = parseDataPackage(raw);
  if (!metadata) return fail(`${path.join(folder, 'datapackage.json')}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  for (const r of resources) {
    if (!fs.existsSync(path.join(dir, r.path))) return fail(`${path.join(folder, r.path)}: không tìm thấy tệp dữ liệu`);
  }
  const [existing] = await db.select({ id: schema.datasets.id }).from(schema.datasets).where(eq(schema.datasets.slug, metadata.slug));
  const created = !existing;
  if (existing) await saveDataset(db, metadata, SEED_ACTOR);
  const outcome = await publishVersion(db, store, {
    ...(existing ? { datasetId: existing.id } : { create: metadata }),
    uploads: resources.map((r) => ({ resourceName: r.name, title: r.title, description: r.description, filePath: path.join(dir, r.path), originalName: r.path })),
    note: created ? 'Công bố lần đầu (danh mục trình diễn)' : 'Cập nhật từ danh mục trình diễn',
    actor: SEED_ACTOR,
  });
  if (outcome.status === 'invalid') {
    const bad = outcome.reports.filter((r) => !r.valid).map((r) => `${path.join(folder, r.fileName)}: ${r.errors.map((e) => e.message).join('; ')}${r.errorCount > r.errors.length ? ` (và ${r.errorCount - r.errors.length} lỗi khác)` : ''}`);
    return fail(bad.join(' | '));
  }
  if (outcome.status === 'no-change') return { folder, status: 'no-change', message: `không thay đổi (phiên bản ${outcome.versionNumber})` };
  return { folder, status: 'published', message: `đã công bố phiên bản ${outcome.versionNumber}` };
}
