import { asc, eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { CatalogError } from './errors.ts';
import { nameProblem } from './names.ts';
import { hashJson, type Recorder } from './audit.ts';
import { text } from './fields.ts';
import { organizationByRef } from './datasets.ts';

const { organizations } = schema;

/** A unit as the admin (or organizations.json) describes it. */
export interface OrganizationInput {
  slug: string; title: string; titleEn?: string | null; description?: string; identifierCode?: string | null;
  parent?: string | null; contactEmail?: string | null; website?: string | null;
}

export interface Problem { field: string; code: string; message: string }

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks a unit: its name (the one rule for names), its title, its electronic identifier code (mã định
 * danh điện tử of QĐ 20/2020/QĐ-TTg: letters, digits and dots, e.g. 000.00.12.H41 or H41.12), its parent.
 */
export async function checkOrganization(db: Db, raw: Record<string, unknown>): Promise<{ value?: OrganizationInput; problems: Problem[] }> {
  const problems: Problem[] = [];
  const title = text(raw.title);
  if (!title) problems.push({ field: 'title', code: 'title-required', message: 'Cần nhập tên đơn vị.' });
  const slug = typeof raw.slug === 'string' ? raw.slug.trim() : raw.slug;
  const slugProblem = nameProblem('organization', slug);
  if (slugProblem) problems.push({ field: 'name', code: 'invalid-name', message: slugProblem });
  const code = text(raw.identifierCode);
  if (code && !/^[A-Z0-9][A-Z0-9.]{1,30}$/.test(code)) problems.push({ field: 'identifier_code', code: 'invalid-identifier-code', message: 'Mã định danh điện tử gồm chữ in hoa, chữ số và dấu chấm (ví dụ 000.00.12.H41 hoặc H41.12).' });
  const email = text(raw.contactEmail);
  if (email && !EMAIL.test(email)) problems.push({ field: 'email', code: 'invalid-email', message: `Địa chỉ thư "${email.slice(0, 60)}" không hợp lệ.` });
  const parent = text(raw.parent);
  if (parent && !(await organizationByRef(db, parent))) problems.push({ field: 'parent', code: 'parent-not-found', message: 'Đơn vị cấp trên không tồn tại.' });
  if (problems.length) return { problems };
  return {
    problems,
    value: {
      slug: slug as string, title: title!, titleEn: text(raw.titleEn), description: text(raw.description) ?? '', identifierCode: code,
      parent, contactEmail: email, website: text(raw.website),
    },
  };
}

function columns(org: OrganizationInput, parentId: string | null) {
  return {
    slug: org.slug, title: org.title, titleEn: org.titleEn ?? null, description: org.description ?? '', identifierCode: org.identifierCode ?? null,
    parentId, contactEmail: org.contactEmail ?? null, website: org.website ?? null,
  };
}

export async function createOrganization(db: Db, org: OrganizationInput, rec: Recorder): Promise<{ id: string }> {
  if (await organizationByRef(db, org.slug)) throw new CatalogError('organization-exists', `Đơn vị "${org.slug}" đã có.`, { field: 'name' });
  const parentId = org.parent ? (await organizationByRef(db, org.parent))?.id ?? null : null;
  const cols = columns(org, parentId);
  const [row] = await db.insert(organizations).values(cols).returning({ id: organizations.id });
  rec.audit({ action: 'organization.create', objectType: 'organization', objectId: row!.id, beforeHash: null, afterHash: hashJson(cols), details: { slug: org.slug } });
  return { id: row!.id };
}

export async function updateOrganization(db: Db, id: string, org: OrganizationInput, rec: Recorder): Promise<{ changed: boolean }> {
  const [existing] = await db.select().from(organizations).where(eq(organizations.id, id));
  if (!existing) throw new CatalogError('organization-not-found', 'Không có đơn vị này.', { field: 'id' });
  if (existing.slug !== org.slug) throw new CatalogError('name-change', 'Không đổi được tên định danh của đơn vị.', { field: 'name' });
  const parentId = org.parent ? (await organizationByRef(db, org.parent))?.id ?? null : null;
  if (parentId === id) throw new CatalogError('parent-loop', 'Đơn vị không thể là cấp trên của chính nó.', { field: 'parent' });
  const cols = columns(org, parentId);
  const { id: _id, createdAt: _c, ...before } = existing;
  if (hashJson(before) === hashJson(cols)) return { changed: false };
  await db.update(organizations).set(cols).where(eq(organizations.id, id));
  rec.audit({ action: 'organization.update', objectType: 'organization', objectId: id, beforeHash: hashJson(before), afterHash: hashJson(cols), details: {} });
  return { changed: true };
}

export async function listOrganizations(db: Db) {
  return db.select().from(organizations).orderBy(asc(organizations.title));
}
