import fs from 'node:fs';
import path from 'node:path';
import { parseDataPackage } from '../catalog/metadata.ts';
import { DATASET_FIELDS } from '../catalog/fields.ts';
import { ActionError, systemCaller, UploadedFile, ValidationError, type Dispatcher } from '../actions/index.ts';
import { log } from '../log.ts';

export interface SeedResult {
  folder: string;
  status: 'published' | 'no-change' | 'kept' | 'failed';
  message: string;
}

const SEED = systemCaller('seed');

/**
 * Loads the demo catalogue (datasets/): organizations.json, then one folder per dataset with a
 * datapackage.json and its data files — through the same actions a unit's upload takes. A unit that
 * exists is never changed; a dataset a unit changed in the portal is kept as the unit left it
 * (package_seed decides). A broken folder stops only that dataset; the message names the file and why.
 */
export async function loadDemoCatalog(actions: Dispatcher, datasetsDir: string): Promise<SeedResult[]> {
  const orgFile = path.join(datasetsDir, 'organizations.json');
  const orgs = JSON.parse(fs.readFileSync(orgFile, 'utf8')) as Record<string, unknown>[];
  const known = new Set<string>(await actions.call('organization_list', SEED, { limit: 1000 }));
  for (const org of orgs) {
    if (known.has(String(org.slug))) continue;
    try {
      await actions.call('organization_create', SEED, {
        name: org.slug, title: org.title, title_en: org.titleEn ?? undefined, description: org.description ?? undefined,
        identifier_code: org.identifierCode ?? undefined, parent: org.parent ?? undefined, email: org.contactEmail ?? undefined, website: org.website ?? undefined,
      });
    } catch (err) {
      if (!(err instanceof ActionError) || err.code !== 'organization-exists') log('seed', `${orgFile}: đơn vị "${String(org.slug)}" — LỖI — ${describe(err)}`);
    }
  }

  const folders = fs.readdirSync(datasetsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const results: SeedResult[] = [];
  for (const [i, folder] of folders.entries()) {
    const prefix = `[${i + 1}/${folders.length}] ${folder}`;
    const result = await loadOne(actions, path.join(datasetsDir, folder), folder).catch((err: Error) => ({ folder, status: 'failed' as const, message: describe(err) }));
    results.push(result);
    log('seed', `${prefix}: ${result.status === 'failed' ? 'LỖI — ' : ''}${result.message}`);
  }
  return results;
}

function describe(err: unknown): string {
  if (err instanceof ValidationError) {
    const reports = (err.data?.reports ?? []) as { fileName: string; valid: boolean; errors: { message: string }[]; errorCount: number }[];
    const bad = reports.filter((r) => !r.valid).map((r) => `${r.fileName}: ${r.errors.map((e) => e.message).join('; ')}${r.errorCount > r.errors.length ? ` (và ${r.errorCount - r.errors.length} lỗi khác)` : ''}`);
    return bad.length ? bad.join(' | ') : err.list().map((p) => `${p.field}: ${p.message}`).join('; ');
  }
  return (err as Error).message;
}

async function loadOne(actions: Dispatcher, dir: string, folder: string): Promise<SeedResult> {
  const metaFile = path.join(dir, 'datapackage.json');
  const fail = (message: string): SeedResult => ({ folder, status: 'failed', message });
  let raw: Record<string, unknown>;
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
  // the package's metadata under the actions' (CKAN's) names, from the one field table
  const input: Record<string, unknown> = {};
  for (const f of DATASET_FIELDS) input[f.ckan.name] = metadata[f.key];
  input.resources = resources.map((r) => ({ upload: new UploadedFile(path.join(dir, r.path), r.path), resource_name: r.name, name: r.title, description: r.description }));
  try {
    const out = await actions.call<{ status: 'published' | 'no-change' | 'kept'; by: string | null; version: number }>('package_seed', SEED, input);
    if (out.status === 'kept') return { folder, status: 'kept', message: `đã được thay đổi trong cổng (${out.by}): giữ nguyên` };
    if (out.status === 'no-change') return { folder, status: 'no-change', message: `không thay đổi (phiên bản ${out.version})` };
    return { folder, status: 'published', message: `đã công bố phiên bản ${out.version}` };
  } catch (err) {
    if (err instanceof ActionError) return fail(`${folder}: ${describe(err)}`);
    throw err;
  }
}
