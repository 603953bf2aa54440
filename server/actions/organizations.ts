import { eq } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { defineAction } from './dispatcher.ts';
import { rules } from './auth.ts';
import { NotFound, ValidationError } from './errors.ts';
import { ref, z } from './params.ts';
import { checkOrganization, createOrganization, updateOrganization } from '../catalog/organizations.ts';
import { organizationByRef } from '../catalog/datasets.ts';
import { removeMembership, setMembership } from '../auth/accounts.ts';
import { slugify } from '../contract/text.ts';

/** CKAN's organization and member actions: units and who works for them, the admin's to manage. */

const unitFields = {
  name: z.string().max(100).optional(),
  title: z.string().max(300).optional(),
  title_en: z.string().max(300).optional(),
  description: z.string().max(5000).optional(),
  identifier_code: z.string().max(40).optional(),
  parent: z.string().max(100).optional(),
  email: z.string().max(200).optional(),
  website: z.string().max(500).optional(),
  // keys of an organization dict sent back as organization_show gave it
  id: z.string().max(100).optional(), display_name: z.unknown().optional(), type: z.unknown().optional(), image_url: z.unknown().optional(),
  image_display_url: z.unknown().optional(), created: z.unknown().optional(), is_organization: z.unknown().optional(), approval_status: z.unknown().optional(),
  state: z.unknown().optional(), package_count: z.unknown().optional(), url: z.unknown().optional(), users: z.unknown().optional(), extras: z.unknown().optional(),
};

async function checked(db: Parameters<typeof checkOrganization>[0], input: z.infer<z.ZodObject<typeof unitFields>>) {
  const title = input.title?.trim();
  const { value, problems } = await checkOrganization(db, {
    slug: input.name?.trim() || slugify(title ?? ''), title, titleEn: input.title_en, description: input.description,
    identifierCode: input.identifier_code?.trim().toUpperCase(), parent: input.parent, contactEmail: input.email, website: input.website,
  });
  if (!value) {
    const fields: Record<string, { code: string; message: string }[]> = {};
    for (const p of problems) (fields[p.field] ??= []).push({ code: p.code, message: p.message });
    throw new ValidationError(fields);
  }
  return value;
}

export const organizationCreate = defineAction({
  name: 'organization_create', write: true, auth: rules.admin,
  help: 'Tạo đơn vị (name, title, identifier_code — mã định danh điện tử, parent, email). Chỉ quản trị cổng. / Create a unit (admin).',
  input: z.object(unitFields).strict(),
  async handler(run, input) {
    const value = await checked(run.db, input);
    const { id } = await createOrganization(run.db, value, run);
    run.changed(`đơn vị mới ${value.slug}`);
    return { id, name: value.slug, title: value.title, identifier_code: value.identifierCode, is_organization: true, state: 'active' };
  },
});

export const organizationUpdate = defineAction({
  name: 'organization_update', write: true, auth: rules.admin,
  help: 'Sửa thông tin một đơn vị (id hoặc name). Tên định danh không đổi được. Chỉ quản trị cổng. / Update a unit (admin).',
  input: z.object(unitFields).strict(),
  async handler(run, input) {
    const existing = await organizationByRef(run.db, input.id ?? input.name ?? '');
    if (!existing) throw new NotFound('Not found: Organization', 'organization-not-found');
    const value = await checked(run.db, { ...input, name: existing.slug });
    const { changed } = await updateOrganization(run.db, existing.id, value, run);
    if (changed) run.changed(`đơn vị ${value.slug}`);
    return { id: existing.id, name: value.slug, title: value.title, identifier_code: value.identifierCode, is_organization: true, state: 'active' };
  },
});

const memberInput = z.object({
  id: ref('id (đơn vị)'),
  object: ref('object (tài khoản)'),
  object_type: z.literal('user', { error: 'object_type phải là "user".' }).optional(),
  capacity: z.enum(['editor', 'member'], { error: 'capacity phải là editor (biên tập, cập nhật dữ liệu) hoặc member (chỉ xem).' }).optional(),
}).strict();

export const memberCreate = defineAction({
  name: 'member_create', write: true, auth: rules.admin,
  help: 'Gán tài khoản (object: tên đăng nhập) vào đơn vị (id) với quyền capacity = editor hoặc member. Chỉ quản trị cổng. / Make an account an editor or member of a unit (admin).',
  input: memberInput,
  async handler(run, input) {
    const [account] = await run.db.select().from(schema.accounts).where(eq(schema.accounts.username, input.object));
    if (!account) throw ValidationError.of('object', 'account-not-found', `Không có tài khoản "${input.object.slice(0, 60)}".`);
    const org = await organizationByRef(run.db, input.id);
    if (!org) throw new NotFound('Not found: Organization', 'organization-not-found');
    await setMembership(run.db, account.id, org.slug, input.capacity ?? 'editor', run);
    return { group_id: org.id, table_name: 'user', table_id: account.id, capacity: input.capacity ?? 'editor', state: 'active' };
  },
});

export const memberDelete = defineAction({
  name: 'member_delete', write: true, auth: rules.admin,
  help: 'Bỏ quyền của tài khoản (object) với đơn vị (id). Chỉ quản trị cổng. / Remove an account from a unit (admin).',
  input: memberInput.omit({ capacity: true }),
  async handler(run, input) {
    const [account] = await run.db.select().from(schema.accounts).where(eq(schema.accounts.username, input.object));
    if (!account) throw ValidationError.of('object', 'account-not-found', `Không có tài khoản "${input.object.slice(0, 60)}".`);
    const org = await organizationByRef(run.db, input.id);
    if (!org) throw new NotFound('Not found: Organization', 'organization-not-found');
    await removeMembership(run.db, account.id, org.slug, run);
    return null;
  },
});

