import crypto from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { CatalogError } from '../catalog/errors.ts';
import type { Recorder } from '../catalog/audit.ts';
import { verifyPassword } from './passwords.ts';
import { principalOf, type Principal } from './accounts.ts';
import { takeSignInAttempt, recordSignInSuccess, type ThrottleRefusal } from './throttle.ts';
export { csrfMatches, SESSION_COOKIE } from './csrf.ts';
import { SESSION_COOKIE } from './csrf.ts';

const { accounts, sessions } = schema;

export const SESSION_HOURS = 8; // a working day; signing in again after that is cheap

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Refused before the password was checked; the page answers 429 with Retry-After. */
export class TooManyAttempts extends CatalogError {
  readonly retryAfterSeconds: number;
  constructor(refusal: ThrottleRefusal) {
    const s = refusal.retryAfterSeconds;
    const wait = s >= 90 ? `${Math.ceil(s / 60)} phút` : `${s} giây`;
    super('too-many-attempts', refusal.scope === 'account'
      ? `Tài khoản này vừa bị thử đăng nhập sai nhiều lần. Vui lòng chờ ${wait} rồi thử lại.`
      : `Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau ${wait}.`);
    this.retryAfterSeconds = s;
  }
}

export interface SessionInfo { principal: Principal; csrfToken: string; sessionId: string }

/**
 * Checks a username and password against the sign-in limits (counted before the check, outside any
 * transaction, so a failed attempt stays counted). Returns the account when the password is right.
 */
export async function checkCredentials(db: Db, input: { username: string; password: string; ip: string }): Promise<{ id: string; username: string }> {
  const username = input.username.trim().toLowerCase().slice(0, 100);
  const [account] = await db.select().from(accounts).where(eq(accounts.username, username));
  const refused = await takeSignInAttempt(db, username, input.ip, account?.id ?? null);
  if (refused) throw new TooManyAttempts(refused);
  // verify even for unknown users so that timing does not reveal which usernames exist
  const ok = await verifyPassword(input.password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !ok || account.disabledAt) throw new CatalogError('bad-credentials', 'Tên đăng nhập hoặc mật khẩu không đúng.', { field: 'password' });
  await recordSignInSuccess(db, username, account.id, input.ip);
  return { id: account.id, username: account.username };
}

/** Opens a session for an account; the returned token goes only into an HTTP-only cookie. */
export async function openSession(db: Db, account: { id: string; username: string }, ip: string, rec: Recorder): Promise<{ token: string; expiresAt: Date; principal: Principal }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.insert(sessions).values({ tokenHash: sha256(token), accountId: account.id, csrfToken: crypto.randomBytes(24).toString('base64url'), expiresAt });
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  rec.audit({ action: 'session.sign-in', objectType: 'account', objectId: account.id, details: { ip }, actor: { accountId: account.id, label: account.username } });
  return { token, expiresAt, principal: (await principalOf(db, account.id))! };
}

// A valid scrypt hash of a random password, so unknown usernames cost as much as known ones.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export async function sessionFromToken(db: Db, token: string | undefined): Promise<SessionInfo | null> {
  if (!token || token.length > 100) return null;
  const [s] = await db.select().from(sessions).where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, new Date())));
  if (!s) return null;
  const principal = await principalOf(db, s.accountId);
  return principal ? { principal, csrfToken: s.csrfToken, sessionId: s.id } : null;
}

export async function signOut(db: Db, token: string | undefined) {
  if (token) await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
}

/** The Set-Cookie value for a session; Secure unless explicitly turned off for plain-HTTP test setups. */
export function sessionCookie(token: string, expiresAt: Date | null, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (secure) parts.push('Secure');
  parts.push(expiresAt ? `Expires=${expiresAt.toUTCString()}` : 'Max-Age=0');
  return parts.join('; ');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
