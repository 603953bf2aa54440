import crypto from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { CatalogError } from '../catalog/errors.ts';
import type { Recorder } from '../catalog/audit.ts';
import { hashPassword } from './passwords.ts';

const { accounts, apiTokens, memberships, organizations } = schema;

/** Who is signed in: the account, its province-wide role, and the units it may edit or read. */
export interface Principal {
  accountId: string;
  username: string;
  role: 'admin' | 'user';
  editorOf: Set<string>; // organization ids
  memberOf: Set<string>;
}

export async function createAccount(db: Db, input: { username: string; displayName: string; password: string; role?: 'admin' | 'user'; email?: string | null }, rec: Recorder) {
  if (!/^[a-z0-9][a-z0-9._-]{2,39}$/.test(input.username)) throw new CatalogError('invalid-username', 'Tên đăng nhập gồm 3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới', { field: 'name' });
  if (input.password.length < 12) throw new CatalogError('weak-password', 'Mật khẩu phải có ít nhất 12 ký tự', { field: 'password' });
  const [taken] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.username, input.username));
  if (taken) throw new CatalogError('username-taken', `Tên đăng nhập "${input.username}" đã được dùng`, { field: 'name' });
  const [row] = await db.insert(accounts).values({
    username: input.username, displayName: input.displayName.normalize('NFC'), email: input.email ?? null,
    passwordHash: await hashPassword(input.password), role: input.role ?? 'user',
  }).returning({ id: accounts.id });
  rec.audit({ action: 'account.create', objectType: 'account', objectId: row!.id, details: { username: input.username, role: input.role ?? 'user' } });
  return row!.id;
}

/** Makes an account the editor (or member) of a unit; one row per account and unit. */
export async function setMembership(db: Db, accountId: string, organizationSlug: string, role: 'editor' | 'member', rec: Recorder) {
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, organizationSlug));
  if (!org) throw new CatalogError('organization-not-found', `Không có đơn vị "${organizationSlug}"`, { field: 'id' });
  await db.delete(memberships).where(and(eq(memberships.accountId, accountId), eq(memberships.organizationId, org.id)));
  await db.insert(memberships).values({ accountId, organizationId: org.id, role });
  rec.audit({ action: 'membership.set', objectType: 'account', objectId: accountId, details: { organization: organizationSlug, role } });
}

export async function removeMembership(db: Db, accountId: string, organizationSlug: string, rec: Recorder) {
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, organizationSlug));
  if (!org) throw new CatalogError('organization-not-found', `Không có đơn vị "${organizationSlug}"`, { field: 'id' });
  await db.delete(memberships).where(and(eq(memberships.accountId, accountId), eq(memberships.organizationId, org.id)));
  rec.audit({ action: 'membership.remove', objectType: 'account', objectId: accountId, details: { organization: organizationSlug } });
}

export async function principalOf(db: Db, accountId: string): Promise<Principal | null> {
  const [a] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!a || a.disabledAt) return null;
  const ms = await db.select().from(memberships).where(eq(memberships.accountId, accountId));
  return {
    accountId: a.id, username: a.username, role: a.role,
    editorOf: new Set(ms.filter((m) => m.role === 'editor').map((m) => m.organizationId)),
    memberOf: new Set(ms.map((m) => m.organizationId)),
  };
}

const TOKEN_PREFIX = 'cdl_';
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** A new API token for scripted uploads: returned once, stored only as its sha256. */
export async function createApiToken(db: Db, accountId: string, name: string, rec: Recorder): Promise<string> {
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const [row] = await db.insert(apiTokens).values({ accountId, name, tokenHash: hashToken(token) }).returning({ id: apiTokens.id });
  rec.audit({ action: 'token.create', objectType: 'api-token', objectId: row!.id, details: { accountId, name } });
  return token;
}

/** The principal behind an `Authorization: <token>` header (CKAN style, "Bearer " also accepted), or null. */
export async function authenticateToken(db: Db, header: string | undefined): Promise<Principal | null> {
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  if (!token?.startsWith(TOKEN_PREFIX)) return null;
  const [t] = await db.select().from(apiTokens).where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!t) return null;
  await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, t.id));
  return principalOf(db, t.accountId);
}

export async function revokeApiToken(db: Db, tokenId: string, rec: Recorder) {
  await db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, tokenId));
  rec.audit({ action: 'token.revoke', objectType: 'api-token', objectId: tokenId, details: {} });
}
