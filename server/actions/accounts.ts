import { and, asc, desc, eq } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { defineAction } from './dispatcher.ts';
import { rules } from './auth.ts';
import { NotAuthorized, ValidationError } from './errors.ts';
import { ref, str, z } from './params.ts';
import { createAccount, createApiToken, revokeApiToken, setMembership } from '../auth/accounts.ts';
import { checkCredentials, openSession, signOut } from '../auth/sessions.ts';
import { currentSignInLocks, liftSignInLock } from '../auth/throttle.ts';
import { organizationByRef } from '../catalog/datasets.ts';

/** Accounts, API tokens, sessions and sign-in locks (CKAN: user_create, user_list, api_token_*). */

export const userCreate = defineAction({
  name: 'user_create', write: true, auth: rules.admin,
  help: 'Tạo tài khoản (name, fullname, email, password ≥ 12 ký tự, sysadmin), có thể gán luôn làm biên tập viên (organization, capacity). Chỉ quản trị cổng. / Create an account (admin).',
  input: z.object({
    name: z.string({ error: 'Thiếu tên đăng nhập (name).' }).trim().toLowerCase().max(40),
    fullname: str(200, 'Họ tên').optional(),
    email: z.string().trim().max(200).optional(),
    password: z.string({ error: 'Thiếu mật khẩu.' }).max(200),
    sysadmin: z.preprocess((v) => v === true || v === 'true' || v === 'admin', z.boolean()).optional(),
    organization: z.string().max(100).optional(),
    capacity: z.enum(['editor', 'member']).optional(),
  }).strict(),
  async handler(run, input) {
    const id = await createAccount(run.db, {
      username: input.name, displayName: input.fullname || input.name, password: input.password, email: input.email || null,
      role: input.sysadmin ? 'admin' : 'user',
    }, run);
    if (input.organization) {
      const org = await organizationByRef(run.db, input.organization);
      if (!org) throw ValidationError.of('organization', 'organization-not-found', `Không có đơn vị "${input.organization.slice(0, 60)}".`);
      await setMembership(run.db, id, org.slug, input.capacity ?? 'editor', run);
    }
    return { id, name: input.name, fullname: input.fullname || input.name, sysadmin: !!input.sysadmin, state: 'active' };
  },
});

export const userList = defineAction({
  name: 'user_list', write: false, auth: rules.admin,
  help: 'Các tài khoản và đơn vị của từng tài khoản. Chỉ quản trị cổng. / Accounts with their units (admin).',
  input: z.object({}).strict(),
  async handler(run) {
    const list = await run.db.select().from(schema.accounts).orderBy(asc(schema.accounts.username));
    const ms = await run.db.select({ accountId: schema.memberships.accountId, role: schema.memberships.role, unit: schema.organizations.title, slug: schema.organizations.slug })
      .from(schema.memberships).innerJoin(schema.organizations, eq(schema.organizations.id, schema.memberships.organizationId));
    return list.map((a) => ({
      id: a.id, name: a.username, fullname: a.displayName, email: a.email, sysadmin: a.role === 'admin', state: a.disabledAt ? 'disabled' : 'active',
      units: ms.filter((m) => m.accountId === a.id).map((m) => ({ name: m.slug, title: m.unit, capacity: m.role })),
    }));
  },
});

export const apiTokenCreate = defineAction({
  name: 'api_token_create', write: true, auth: rules.signedIn,
  help: 'Tạo mã truy cập API cho tài khoản đang đăng nhập (name). Mã chỉ được trả về một lần; cổng chỉ lưu mã băm. / Create an API token for yourself; shown once.',
  input: z.object({ name: z.string({ error: 'Hãy đặt tên cho mã truy cập.' }).transform((s) => s.trim().normalize('NFC')).pipe(z.string().min(1, { error: 'Hãy đặt tên cho mã truy cập (ví dụ: "Máy chủ đồng bộ của Sở").' }).max(100)), user: z.string().max(100).optional() }).strict(),
  async handler(run, input) {
    const user = run.caller.user;
    if (!user) throw new NotAuthorized('Mã truy cập thuộc về một tài khoản: hãy đăng nhập.', false);
    return { token: await createApiToken(run.db, user.accountId, input.name, run) };
  },
});

export const apiTokenList = defineAction({
  name: 'api_token_list', write: false, auth: rules.signedIn,
  help: 'Các mã truy cập của tài khoản đang đăng nhập (tên và ngày, không bao giờ là mã). / Your API tokens (names and dates only).',
  input: z.object({ user: z.string().max(100).optional() }).strict(),
  async handler(run) {
    const user = run.caller.user;
    if (!user) return [];
    const t = schema.apiTokens;
    return run.db.select({ id: t.id, name: t.name, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt })
      .from(t).where(eq(t.accountId, user.accountId)).orderBy(desc(t.createdAt));
  },
});

export const apiTokenRevoke = defineAction({
  name: 'api_token_revoke', write: true, auth: rules.signedIn,
  help: 'Thu hồi một mã truy cập của chính tài khoản này (jti: mã số của mã truy cập). / Revoke one of your tokens.',
  input: z.object({ jti: ref('jti') }).strict(),
  async handler(run, input) {
    const user = run.caller.user;
    const t = schema.apiTokens;
    const [row] = user && /^[0-9a-f-]{36}$/.test(input.jti) ? await run.db.select().from(t).where(and(eq(t.id, input.jti), eq(t.accountId, user.accountId))) : [];
    if (!row) throw new NotAuthorized('Mã truy cập không thuộc tài khoản của bạn.', true);
    await revokeApiToken(run.db, row.id, run);
    return null;
  },
});

export const sessionCreate = defineAction({
  name: 'session_create', write: true, internal: true, auth: rules.anyone,
  help: 'Đăng nhập khu làm việc (username, password); mỗi lần thử được đếm trước khi kiểm tra mật khẩu. / Sign in to the workspace.',
  input: z.object({ username: z.string().max(200), password: z.string().max(1000), address: z.string().max(100) }).strict(),
  // the password check and the attempt count happen outside the transaction: a refusal must stay counted
  prepare: (run, input) => checkCredentials(run.db, { username: input.username, password: input.password, ip: input.address }),
  async handler(run, input, account) {
    return openSession(run.db, account, input.address, run);
  },
});

export const sessionDelete = defineAction({
  name: 'session_delete', write: true, internal: true, auth: rules.anyone,
  help: 'Đăng xuất (token của phiên). / Sign out.',
  input: z.object({ token: z.string().max(200).optional() }).strict(),
  async handler(run, input) {
    await signOut(run.db, input.token);
    run.audit({ action: 'session.sign-out', objectType: 'session', objectId: '-', details: {} });
    return null;
  },
});

export const signInLockList = defineAction({
  name: 'sign_in_lock_list', write: false, auth: rules.admin,
  help: 'Các giới hạn đăng nhập đang có hiệu lực (tài khoản, địa chỉ). Chỉ quản trị cổng. / Current sign-in locks (admin).',
  input: z.object({}).strict(),
  handler: (run) => currentSignInLocks(run.db, run.now),
});

export const signInLockDelete = defineAction({
  name: 'sign_in_lock_delete', write: true, auth: rules.admin,
  help: 'Gỡ một khóa đăng nhập (key). Chỉ quản trị cổng. / Lift a sign-in lock (admin).',
  input: z.object({ key: z.string().min(1).max(300) }).strict(),
  async handler(run, input) {
    const lifted = await liftSignInLock(run.db, input.key);
    if (lifted) run.audit({ action: 'sign-in-lock.lift', objectType: 'sign-in-lock', objectId: input.key, details: {} });
    return { lifted };
  },
});

/** A new portal's first admin account (the province's IT department); only the starting process runs this. */
export const adminEnsure = defineAction({
  name: 'admin_ensure', write: true, internal: true,
  auth: (caller) => {
    if (!caller.system) throw new NotAuthorized('Chỉ tiến trình khởi động cổng dùng thao tác này.', !!caller.user);
  },
  help: 'Tạo tài khoản quản trị đầu tiên khi cơ sở dữ liệu còn trống (nội bộ). / Create the first admin account (internal).',
  input: z.object({ password: z.string().min(12).max(200) }).strict(),
  async handler(run, input) {
    const [admin] = await run.db.select({ id: schema.accounts.id }).from(schema.accounts).where(eq(schema.accounts.role, 'admin')).limit(1);
    if (admin) return { created: false };
    await createAccount(run.db, { username: 'admin', displayName: 'Sở Khoa học và Công nghệ (quản trị)', password: input.password, role: 'admin' }, run);
    return { created: true };
  },
});
