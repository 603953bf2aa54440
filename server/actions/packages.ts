import { and, asc, eq, ne } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { defineAction, type ActionRun } from './dispatcher.ts';
import { rules } from './auth.ts';
import { NotAuthorized, NotFound, ValidationError } from './errors.ts';
import { bool, ref, str, z } from './params.ts';
import { UploadedFile, uploadParam } from './upload.ts';
import { draftPackageDict } from './drafts.ts';
import {
  datasetByRef, ingestUploads, metadataOf, recordVersion, reinstateDataset, requireDataset, requireOrganization, saveDataset, withdrawDataset,
  type LinkSpec, type PreparedUploads, type ResourceUpload,
} from '../catalog/datasets.ts';
import { checkMetadata, DATASET_FIELDS, fromCkanDict, type DatasetMetadata, type MetadataProblem } from '../catalog/fields.ts';
import { nameProblem } from '../catalog/names.ts';
import { slugify } from '../contract/text.ts';
import type { TableSchema } from '../ingest/index.ts';

/**
 * CKAN's write actions on datasets and resources (ckan/logic/action/create.py, update.py, patch.py,
 * delete.py), with this portal's rules: a dataset is public only with a valid version; every
 * publication is a new immutable version with a note; a file is checked by the ingest before anything
 * is stored; a withdrawn dataset takes no new version until the admin reinstates it.
 */

// Keys package_show answers with: a client that sends a package dict back (show, change, update) is fine.
const READ_ONLY = new Set([
  'id', 'type', 'state', 'private', 'metadata_created', 'metadata_modified', 'creator_user_id', 'num_resources', 'num_tags', 'organization',
  'relationships_as_subject', 'relationships_as_object', 'isopen', 'license_title', 'license_url', 'url', 'version', 'author', 'author_email',
  'resources', 'versions', 'version_number', 'next_due_date', 'freshness', 'last_data_update', 'published', 'withdrawn_reason', 'extras',
]);
const METADATA_KEYS = new Set(DATASET_FIELDS.map((f) => f.ckan.name));
const UPLOAD_KEYS = ['upload', 'note', 'resource_name', 'resource_title', 'resource_description', 'sheet', 'encoding', 'header', 'schema', 'schema_policy'];

/** The metadata given in a CKAN-style dict, the upload and its options; unknown keys are refused. */
function packageInput(opts: { id: boolean }) {
  return z.custom<Record<string, unknown>>((v) => !!v && typeof v === 'object' && !Array.isArray(v)).transform((raw, ctx) => {
    for (const k of Object.keys(raw)) {
      if (METADATA_KEYS.has(k) || READ_ONLY.has(k) || UPLOAD_KEYS.includes(k)) continue;
      ctx.addIssue({ code: 'custom', path: [k], message: `Tham số "${k.slice(0, 60)}" không được hỗ trợ.`, params: { code: 'unknown-parameter' } });
    }
    // resources: uploads handed over by a local adapter (the seed, the command line), and links (a url): the
    // dataset's links become exactly these; entries naming one of the dataset's own files are left as they are
    const uploads: ResourceFile[] = [];
    let links: LinkEntry[] | undefined;
    if (raw.resources !== undefined) {
      if (!Array.isArray(raw.resources)) ctx.addIssue({ code: 'custom', path: ['resources'], message: 'resources phải là một danh sách.', params: { code: 'invalid-type' } });
      else {
        links = [];
        raw.resources.forEach((r, i) => {
          if (!r || typeof r !== 'object') return ctx.addIssue({ code: 'custom', path: ['resources', i], message: 'Mỗi tài nguyên phải là một đối tượng.', params: { code: 'invalid-type' } });
          if ((r as { upload?: unknown }).upload instanceof UploadedFile) return void uploads.push(r as ResourceFile);
          const link = linkEntry.safeParse(r);
          if (link.success) return void links!.push(link.data);
          for (const issue of link.error.issues) ctx.addIssue({ code: 'custom', path: ['resources', i, ...issue.path], message: issue.message, params: { code: 'invalid-link' } });
        });
      }
    }
    if (opts.id && (typeof raw.id !== 'string' || !raw.id)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'Thiếu id (mã hoặc tên định danh của bộ dữ liệu).', params: { code: 'id-required' } });
    const upload = uploadOptions.safeParse(Object.fromEntries(UPLOAD_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]])));
    if (!upload.success) for (const i of upload.error.issues) ctx.addIssue({ ...i, code: 'custom', path: i.path, message: i.message } as never);
    return { id: typeof raw.id === 'string' ? raw.id : '', given: fromCkanDict(raw), files: uploads, links, ...(upload.success ? upload.data : {}) } as {
      id: string; given: Partial<Record<keyof DatasetMetadata, unknown>>; files: ResourceFile[]; links: LinkEntry[] | undefined } & z.infer<typeof uploadOptions>;
  });
}

/**
 * A resource given by its address (CKAN's `url`): kept as a link, not read or checked. What a national
 * portal receives from a province's mirror; copies of this portal's own files (their id or their address
 * here) are recognised and left out.
 */
const linkEntry = z.object({
  url: z.string({ error: 'Thiếu địa chỉ (url) của tài nguyên.' }).trim().max(2000).refine((u) => /^https?:\/\/[^\s]+$/i.test(u), { error: 'Địa chỉ tài nguyên phải bắt đầu bằng http:// hoặc https://.' }),
  id: z.string().max(100).optional(),
  name: z.string().max(300).optional(),
  description: z.string().max(5000).optional().nullable(),
  format: z.string().max(50).optional().nullable(),
  mimetype: z.string().max(100).optional().nullable(),
  size: z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v) : v), z.number().int().min(0).optional()),
  hash: z.string().max(200).optional().nullable(),
}).passthrough();
type LinkEntry = z.infer<typeof linkEntry>;

/** The links of an input, without copies of the dataset's own files. */
function linksOf(entries: LinkEntry[], ownFiles: { ids: Set<string>; urlPrefix: string }): LinkSpec[] {
  return entries.filter((e) => !(e.id && ownFiles.ids.has(e.id)) && !e.url.startsWith(ownFiles.urlPrefix)).map((e, i) => {
    const title = (e.name ?? '').trim().normalize('NFC') || `Liên kết ${i + 1}`;
    return {
      name: slugify(title) || `lien-ket-${i + 1}`, title, description: (e.description ?? '').trim().normalize('NFC'), url: e.url,
      format: (e.format ?? '').trim(), mediaType: e.mimetype?.trim() || null, size: e.size ?? null, hash: e.hash?.trim() || null,
    };
  });
}

const uploadOptions = z.object({
  upload: uploadParam.optional(),
  note: str(1000, 'Ghi chú').optional(),
  resource_name: z.string().max(100).optional(),
  resource_title: str(300, 'Tên tài nguyên').optional(),
  resource_description: str(5000, 'Mô tả tài nguyên').optional(),
  sheet: str(100, 'Trang tính').optional(),
  encoding: str(40, 'Bảng mã').optional(),
  // Table Dialect `header`: false when the file has no header row (columns named cot_1 … cot_n); detected when absent
  header: bool.optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  schema_policy: z.enum(['keep-current', 'infer']).optional(),
});

type UploadOptions = z.infer<typeof uploadOptions>;

/** One of several files of a first version (the demo catalogue's datasets have up to two). */
export interface ResourceFile { upload: UploadedFile; resource_name: string; name?: string; description?: string }

/** The uploads of a package input: its `upload`, or its `resources` files. */
function uploadsOf(input: { upload?: UploadedFile; files: ResourceFile[]; resource_name?: string; resource_title?: string; resource_description?: string } & UploadOptions, title: string): ResourceUpload[] {
  if (input.upload) return [uploadOf(input, input.upload, resourceNameOf(input.resource_name, input.upload), input.resource_title ?? title, input.resource_description ?? '')];
  const seen = new Set<string>();
  return input.files.map((f, i) => {
    const name = resourceNameOf(f.resource_name, f.upload);
    if (seen.has(name)) throw ValidationError.of(`resources.${i}.resource_name`, 'duplicate-name', `Tên tài nguyên "${name}" bị trùng.`);
    seen.add(name);
    return uploadOf(input, f.upload, name, f.name ?? name, f.description ?? '');
  });
}

const toProblems = (problems: MetadataProblem[]) => {
  const byCkan = new Map(DATASET_FIELDS.map((f) => [f.key as string, f.ckan.name]));
  const fields: Record<string, { code: string; message: string }[]> = {};
  for (const p of problems) (fields[byCkan.get(p.field) ?? p.field] ??= []).push({ code: p.code, message: p.message });
  return new ValidationError(fields);
};

/** A resource name from the uploaded file's name when none is given (the data file's base name). */
function resourceNameOf(given: string | undefined, upload: UploadedFile): string {
  if (given !== undefined) {
    const problem = nameProblem('resource', given);
    if (problem) throw ValidationError.of('resource_name', 'invalid-name', problem);
    return given;
  }
  return slugify(upload.originalName.replace(/\.[^.]+$/, '')) || 'du-lieu';
}

function uploadOf(o: UploadOptions, upload: UploadedFile, resourceName: string, title: string, description: string): ResourceUpload {
  return {
    resourceName, title, description, filePath: upload.path, originalName: upload.originalName, progress: upload.progress, received: upload.received,
    schema: o.schema as TableSchema | undefined, sheetName: o.sheet, encoding: o.encoding, header: o.header,
  };
}

/** A rejected file: 409 with the ingest's reports (rows, columns, Frictionless codes), nothing stored. */
function invalidFile(prepared: PreparedUploads): ValidationError {
  const errors = prepared.reports.flatMap((r) => r.errors).slice(0, 20);
  return new ValidationError({
    upload: [{ code: 'validation-failed', message: 'Tệp không hợp lệ; không có gì được công bố.' }, ...errors.map((e) => ({ code: e.type, message: e.message }))],
  }, { reports: prepared.reports });
}

async function versionResult(run: ActionRun, datasetId: string, outcome: { status: string; versionNumber: number; dataChanged?: boolean; reports: unknown[] }) {
  return { ...(await draftPackageDict(run.db, datasetId, run.services.siteUrl)), result: { status: outcome.status, version: outcome.versionNumber, data_changed: outcome.dataChanged ?? false, reports: outcome.reports } };
}

export const packageCreate = defineAction({
  name: 'package_create', write: true, auth: rules.editorOfOrganization('owner_org'),
  help: 'Tạo bộ dữ liệu (name, title, owner_org, notes, tags, groups, license_id, frequency, …). Kèm tệp (multipart, trường upload) thì công bố luôn phiên bản 1; không kèm tệp thì là bản nháp chưa công khai. / Create a dataset; with an upload, version 1 is published at once.',
  input: packageInput({ id: false }),
  async prepare(run, input) {
    const given = { ...input.given };
    if ((given.slug === undefined || given.slug === '') && typeof given.title === 'string') given.slug = slugify(given.title).slice(0, 100);
    const { metadata, problems } = checkMetadata(given);
    if (!metadata) throw toProblems(problems);
    const org = await requireOrganization(run.db, metadata.organization);
    metadata.organization = org.slug;
    if (await datasetByRef(run.db, metadata.slug)) throw ValidationError.of('name', 'name-taken', `Tên định danh "${metadata.slug}" đã được dùng; hãy chọn tên khác.`);
    const uploads = uploadsOf(input, metadata.title);
    const links = linksOf(input.links ?? [], { ids: new Set(), urlPrefix: `${run.services.siteUrl}/dataset/${metadata.slug}/` });
    if (!uploads.length && !links.length) return { metadata, prepared: null, links };
    const prepared = uploads.length ? await ingestUploads(run.db, run.services.store, null, uploads, { schemaPolicy: input.schema_policy }) : { items: [], reports: [], valid: true };
    if (!prepared.valid) throw invalidFile(prepared);
    return { metadata, prepared, links };
  },
  async handler(run, input, { metadata, prepared, links }) {
    const { id } = await saveDataset(run.db, metadata, run);
    if (!prepared) return versionResult(run, id, { status: 'draft', versionNumber: 0, reports: [] });
    const outcome = await recordVersion(run.db, id, prepared, input.note ?? 'Công bố lần đầu', run, { links });
    run.changed(`${metadata.slug} v${outcome.versionNumber}`, id);
    return versionResult(run, id, outcome);
  },
});

/** package_update (every field given or reset to its default) and package_patch (only what is given). */
function metadataChange(name: 'package_update' | 'package_patch', help: string) {
  return defineAction({
    name, write: true, auth: rules.editorOfDataset('id'), help,
    input: packageInput({ id: true }),
    async prepare(run, input) {
      const d = await requireDataset(run.db, input.id);
      const org = await requireOrganization(run.db, d.organizationId);
      const current = metadataOf(d, org.slug);
      // the address and the unit of a dataset do not change; a dict sent back as package_show gave it is fine
      const given = { ...input.given };
      for (const [key, ckan] of [['slug', 'name'], ['organization', 'owner_org']] as const) {
        if (given[key] !== undefined && given[key] !== current[key] && !(key === 'organization' && given[key] === org.id)) {
          throw ValidationError.of(ckan, 'immutable', key === 'slug' ? 'Không đổi được tên định danh (địa chỉ) của bộ dữ liệu.' : 'Không chuyển được bộ dữ liệu sang đơn vị khác.');
        }
        delete given[key];
      }
      const base = name === 'package_patch' ? current : { ...Object.fromEntries(DATASET_FIELDS.map((f) => [f.key, f.defaultValue()])), slug: current.slug, organization: current.organization, accessLevel: current.accessLevel, source: current.source, isSample: current.isSample } as DatasetMetadata;
      const { metadata, problems } = checkMetadata(given, base);
      if (!metadata) throw toProblems(problems);
      // links, when given, become the dataset's links; its own files are left as they are
      const fileIds = new Set((await run.db.select({ id: schema.resources.id }).from(schema.resources).where(eq(schema.resources.datasetId, d.id))).map((r) => r.id));
      const links = input.links && linksOf(input.links, { ids: fileIds, urlPrefix: `${run.services.siteUrl}/dataset/${d.slug}/` });
      return { dataset: d, metadata, links };
    },
    async handler(run, input, { dataset, metadata, links }) {
      if (dataset.state === 'withdrawn') throw ValidationError.of('id', 'dataset-withdrawn', 'Bộ dữ liệu đã bị rút; quản trị cổng phải khôi phục trước khi sửa.');
      await saveDataset(run.db, metadata, run, dataset.id);
      if (dataset.state !== 'published' && !links?.length) return versionResult(run, dataset.id, { status: 'draft', versionNumber: 0, reports: [] });
      // new metadata is published as a new version with the same files (never an edit in place)
      const outcome = await recordVersion(run.db, dataset.id, { items: [], reports: [], valid: true }, input.note ?? 'Cập nhật thông tin mô tả', run, { links });
      if (outcome.status === 'published') run.changed(`${dataset.slug} v${outcome.versionNumber} (thông tin mô tả)`, dataset.id);
      return versionResult(run, dataset.id, outcome);
    },
  });
}

export const packageUpdate = metadataChange('package_update', 'Thay toàn bộ thông tin mô tả của bộ dữ liệu (trường không gửi trở về mặc định); công bố thành phiên bản mới với cùng tệp. Tên định danh và đơn vị không đổi được. / Replace a dataset\'s metadata.');
export const packagePatch = metadataChange('package_patch', 'Sửa một số trường thông tin mô tả (trường không gửi giữ nguyên); công bố thành phiên bản mới với cùng tệp. / Change some of a dataset\'s metadata.');

export const packageDelete = defineAction({
  name: 'package_delete', write: true, auth: rules.editorOfDataset('id'),
  help: 'Rút bộ dữ liệu khỏi danh mục công khai. Bắt buộc có lý do: tham số reason (ít nhất 10 ký tự). Lịch sử phiên bản vẫn được giữ; địa chỉ công khai nói rõ đã rút và vì sao. / Withdraw a dataset; `reason` is required.',
  input: z.object({ id: ref('id'), reason: z.string({ error: 'Cần ghi rõ lý do rút bộ dữ liệu (tham số reason).' }).transform((s) => s.trim().normalize('NFC')).pipe(z.string().min(10, { error: 'Cần ghi rõ lý do rút bộ dữ liệu (ít nhất 10 ký tự).' }).max(2000)) }).strict(),
  async handler(run, input) {
    const d = await requireDataset(run.db, input.id);
    await withdrawDataset(run.db, d, input.reason, run);
    run.changed(`rút ${d.slug}`, d.id);
    return null;
  },
});

export const packageReinstate = defineAction({
  name: 'package_reinstate', write: true, auth: rules.admin,
  help: 'Khôi phục bộ dữ liệu đã rút (chỉ quản trị cổng), có lý do; bộ dữ liệu công khai trở lại với phiên bản cuối và nhận được phiên bản mới. / Reinstate a withdrawn dataset (admin).',
  input: z.object({ id: ref('id'), reason: str(2000, 'Lý do').pipe(z.string().min(10, { error: 'Lý do khôi phục cần ít nhất 10 ký tự.' })) }).strict(),
  async handler(run, input) {
    const d = await requireDataset(run.db, input.id);
    await reinstateDataset(run.db, d, input.reason, run);
    run.changed(`khôi phục ${d.slug}`, d.id);
    return draftPackageDict(run.db, d.id, run.services.siteUrl);
  },
});

const resourceFields = {
  upload: uploadParam.optional(),
  url: z.string().max(2000).optional(),
  name: str(300, 'Tên tài nguyên').optional(),
  description: str(5000, 'Mô tả tài nguyên').optional(),
  resource_name: z.string().max(100).optional(),
  format: z.string().max(50).optional(),
  note: str(1000, 'Ghi chú').optional(),
  sheet: str(100, 'Trang tính').optional(),
  encoding: str(40, 'Bảng mã').optional(),
  // Table Dialect `header`: false when the file has no header row (columns named cot_1 … cot_n); detected when absent
  header: bool.optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  schema_policy: z.enum(['keep-current', 'infer']).optional(),
  // keys of a resource dict sent back as resource_show gave it
  position: z.unknown().optional(), mimetype: z.unknown().optional(), size: z.unknown().optional(), hash: z.unknown().optional(),
  last_modified: z.unknown().optional(), created: z.unknown().optional(), url_type: z.unknown().optional(),
};
const linkRefused = (v: { url?: string; upload?: UploadedFile }, ctx: z.core.$RefinementCtx) => {
  if (v.url !== undefined && !v.upload) ctx.addIssue({ code: 'custom', path: ['url'], message: 'Cổng lưu và kiểm tra tệp dữ liệu: hãy gửi tệp (multipart, trường upload) thay vì đường dẫn.', params: { code: 'upload-required' } });
};
const resourceCreateInput = z.object({ package_id: ref('package_id'), ...resourceFields, upload: uploadParam }).strict().superRefine(linkRefused);
const resourceUpdateInput = z.object({ id: ref('id').optional(), package_id: ref('package_id').optional(), ...resourceFields }).strict().superRefine((v, ctx) => {
  linkRefused(v, ctx);
  if (!v.id && !v.package_id) ctx.addIssue({ code: 'custom', path: ['id'], message: 'Thiếu id của tài nguyên (hoặc package_id và resource_name).', params: { code: 'id-required' } });
});

async function resourceTarget(run: Omit<ActionRun, 'changed' | 'audit'>, input: { id?: string; package_id?: string; resource_name?: string }) {
  if (input.id) {
    const [r] = /^[0-9a-f-]{36}$/.test(input.id) ? await run.db.select().from(schema.resources).where(eq(schema.resources.id, input.id)) : [];
    if (!r) throw new NotFound('Not found: Resource', 'resource-not-found');
    const [d] = await run.db.select().from(schema.datasets).where(eq(schema.datasets.id, r.datasetId));
    return { dataset: d!, resource: r };
  }
  const d = await requireDataset(run.db, input.package_id!);
  const all = await run.db.select().from(schema.resources).where(eq(schema.resources.datasetId, d.id)).orderBy(asc(schema.resources.position));
  if (input.resource_name !== undefined) {
    const r = all.find((x) => x.name === input.resource_name);
    if (!r) throw ValidationError.of('resource_name', 'resource-not-found', `Bộ dữ liệu không có tài nguyên "${input.resource_name.slice(0, 100)}" (có: ${all.map((x) => x.name).join(', ')}).`);
    return { dataset: d, resource: r };
  }
  if (all.length !== 1) throw ValidationError.of('resource_name', 'resource-ambiguous', `Bộ dữ liệu có ${all.length} tài nguyên (${all.map((x) => x.name).join(', ')}); hãy chọn một bằng resource_name.`);
  return { dataset: d, resource: all[0]! };
}

/** Every new version of the data says why (an honest history); the seed and the command line have their own defaults. */
function requireNote(run: { caller: { system?: string } }, note: string | undefined) {
  if (!run.caller.system && !note) throw ValidationError.of('note', 'note-required', 'Cần ghi chú thay đổi cho phiên bản mới (tham số note, ví dụ: "Cập nhật số liệu quý 3").');
}

function refuseWithdrawn(state: string) {
  if (state === 'withdrawn') throw ValidationError.of('id', 'dataset-withdrawn', 'Bộ dữ liệu đã bị rút; quản trị cổng phải khôi phục trước khi công bố phiên bản mới.');
}

export const resourceCreate = defineAction({
  name: 'resource_create', write: true, auth: rules.editorOfDataset('package_id'),
  help: 'Thêm tài nguyên vào bộ dữ liệu từ một tệp (multipart: package_id, upload, name, note); tệp được kiểm tra rồi công bố thành phiên bản mới. / Add a resource from an uploaded file; published as a new version.',
  input: resourceCreateInput,
  async prepare(run, input) {
    const d = await requireDataset(run.db, input.package_id);
    refuseWithdrawn(d.state);
    requireNote(run, input.note);
    const resourceName = resourceNameOf(input.resource_name, input.upload);
    const existing = await run.db.select({ name: schema.resources.name }).from(schema.resources).where(eq(schema.resources.datasetId, d.id));
    if (existing.some((r) => r.name === resourceName)) {
      throw ValidationError.of('resource_name', 'resource-exists', `Bộ dữ liệu đã có tài nguyên "${resourceName}"; dùng resource_update để công bố tệp mới cho nó.`);
    }
    const prepared = await ingestUploads(run.db, run.services.store, d.id, [uploadOf(input, input.upload, resourceName, input.name ?? resourceName, input.description ?? '')], { schemaPolicy: input.schema_policy });
    if (!prepared.valid) throw invalidFile(prepared);
    return { dataset: d, prepared, resourceName };
  },
  async handler(run, input, { dataset, prepared, resourceName }) {
    const outcome = await recordVersion(run.db, dataset.id, prepared, input.note ?? `Thêm tài nguyên ${resourceName}`, run);
    if (outcome.status === 'published') run.changed(`${dataset.slug} v${outcome.versionNumber}`, dataset.id);
    return resourceResult(run, dataset.id, resourceName, outcome);
  },
});

export const resourceUpdate = defineAction({
  name: 'resource_update', write: true,
  auth: async (caller, input, look) => {
    // the rule of the dataset that owns the resource
    if (typeof input.id === 'string' && input.id) {
      const owner = await look.resourceDataset(input.id);
      return rules.editorOfDataset('id')(caller, { id: owner ?? input.id }, look);
    }
    return rules.editorOfDataset('package_id')(caller, input, look);
  },
  help: 'Công bố tệp mới cho một tài nguyên (multipart: id của tài nguyên — hoặc package_id và resource_name —, upload, note). Tệp giống hệt phiên bản hiện tại thì không tạo phiên bản mới ("no-change") và hạn cập nhật không đổi. / Publish a new file for a resource.',
  input: resourceUpdateInput,
  async prepare(run, input) {
    const { dataset, resource } = await resourceTarget(run, input);
    refuseWithdrawn(dataset.state);
    if (!input.upload) return { dataset, resource, prepared: null };
    requireNote(run, input.note);
    const prepared = await ingestUploads(run.db, run.services.store, dataset.id, [uploadOf(input, input.upload, resource.name, input.name ?? resource.title, input.description ?? resource.description)], { schemaPolicy: input.schema_policy ?? 'keep-current' });
    if (!prepared.valid) throw invalidFile(prepared);
    return { dataset, resource, prepared };
  },
  async handler(run, input, { dataset, resource, prepared }) {
    if (!prepared) {
      // only the resource's title or description: recorded, no new version of the data
      await run.db.update(schema.resources).set({ title: input.name ?? resource.title, description: input.description ?? resource.description }).where(eq(schema.resources.id, resource.id));
      run.audit({ action: 'resource.update', objectType: 'resource', objectId: resource.id, details: { name: input.name, description: input.description } });
      run.changed(`${dataset.slug}: tài nguyên ${resource.name}`, dataset.id);
      return resourceResult(run, dataset.id, resource.name, { status: 'no-change', versionNumber: 0, reports: [] });
    }
    const outcome = await recordVersion(run.db, dataset.id, prepared, input.note ?? `Cập nhật dữ liệu từ tệp ${input.upload!.originalName}`, run);
    if (outcome.status === 'published') run.changed(`${dataset.slug} v${outcome.versionNumber}`, dataset.id);
    return resourceResult(run, dataset.id, resource.name, outcome);
  },
});

async function resourceResult(run: ActionRun, datasetId: string, resourceName: string, outcome: { status: string; versionNumber: number; dataChanged?: boolean; reports: unknown[] }) {
  const pkg = await draftPackageDict(run.db, datasetId, run.services.siteUrl);
  const res = pkg.resources.find((r) => r.resource_name === resourceName);
  const [d] = await run.db.select({ slug: schema.datasets.slug }).from(schema.datasets).where(eq(schema.datasets.id, datasetId));
  return { ...res, package_name: d!.slug, result: { status: outcome.status, version: outcome.versionNumber, data_changed: outcome.dataChanged ?? false, reports: outcome.reports } };
}

/**
 * Loads a dataset of the demo catalogue (datasets/): creates it with all its files as version 1, or,
 * if only the seed has ever touched it, brings it up to date with the folder. A dataset a unit changed
 * in the portal — a version, an edit, a withdrawal — is left as the unit left it: the seed never
 * overwrites or resurrects it. Only the seed may run this.
 */
export const packageSeed = defineAction({
  name: 'package_seed', write: true, internal: true,
  auth: (caller) => {
    if (caller.system !== 'seed') throw new NotAuthorized('Chỉ bộ nạp danh mục trình diễn dùng thao tác này.', !!caller.user);
  },
  help: 'Nạp một bộ dữ liệu của danh mục trình diễn (chỉ dùng nội bộ khi khởi động). / Load a demo dataset (internal).',
  input: packageInput({ id: false }),
  async prepare(run, input) {
    const { metadata, problems } = checkMetadata(input.given);
    if (!metadata) throw toProblems(problems);
    metadata.organization = (await requireOrganization(run.db, metadata.organization)).slug;
    const existing = await datasetByRef(run.db, metadata.slug);
    if (existing) {
      const others = await run.db.select({ actor: schema.auditEvents.actorLabel }).from(schema.auditEvents)
        .where(and(eq(schema.auditEvents.objectType, 'dataset'), eq(schema.auditEvents.objectId, existing.id), ne(schema.auditEvents.actorLabel, 'seed'))).limit(1);
      if (others.length || existing.state !== 'published') return { kept: others[0]?.actor ?? existing.state, metadata, existing, prepared: null };
    }
    const prepared = await ingestUploads(run.db, run.services.store, existing?.id ?? null, uploadsOf(input, metadata.title));
    if (!prepared.valid) throw invalidFile(prepared);
    return { kept: null, metadata, existing, prepared };
  },
  async handler(run, input, { kept, metadata, existing, prepared }) {
    if (kept) return { status: 'kept' as const, by: kept, version: 0 };
    const { id } = await saveDataset(run.db, metadata, run, existing?.id);
    const outcome = await recordVersion(run.db, id, prepared!, input.note ?? (existing ? 'Cập nhật từ danh mục trình diễn' : 'Công bố lần đầu (danh mục trình diễn)'), run);
    if (outcome.status === 'published') run.changed(`${metadata.slug} v${outcome.versionNumber}`, id);
    return { status: outcome.status, by: null, version: outcome.versionNumber };
  },
});
