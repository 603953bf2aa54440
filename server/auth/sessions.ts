import crypto from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { audit, CatalogError } from '../catalog/datasets.ts';
import { verifyPassword } from './passwords.ts';
import { principalOf, type Principal } from './accounts.ts';
export { csrfMatches, SESSION_COOKIE } from './csrf.ts';
import { SESSION_COOKIE } from './csrf.ts';

const { accounts, sessions } = schema;

export const SESSION_HOURS = 8; // a working day; signing in again after that is cheap

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export interface SessionInfo { principal: Principal; csrfToken: string; sessionId: string }

/**
 * Sign-in attempts per client address and per username, kept in memory: five failures in
 * fifteen minutes lock that address (or that username) out for the rest of the window.
 */
export class SignInLimiter {
  private failures = new Map<string, number[]>();
  readonly maxFailures: number;
  readonly windowMs: number;
  constructor(maxFailures = 5, windowMs = 15 * 60_000) {
    this.maxFailures = maxFailures;
    this.windowMs = windowMs;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.failures.set(key, list); else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait before trying again, or 0. */
  retryAfter(ip: string, username: string, now = Date.now()): number {
    let wait = 0;
    for (const key of [`ip:${ip}`, `user:${username}`]) {
      const list = this.recent(key, now);
      if (list.length >= this.maxFailures) wait = Math.max(wait, Math.ceil((list[0]! + this.windowMs - now) / 1000));
    }
    return wait;
  }

  fail(ip: string, username: string, now = Date.now()) {
    for (const key of [`ip:${ip}`, `user:${username}`]) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(ip: string, username: string) {
    this.failures.delete(`ip:${ip}`);
    this.failures.delete(`user:${username}`);
  }
}

/** Checks the password and opens a session; the returned token goes only into an HTTP-only cookie. */
export async function signIn(db: Db, limiter: SignInLimiter, input: { username: string; password: string; ip: string }): Promise<{ token: string; expiresAt: Date; principal: Principal }> {
  const username = input.username.trim().toLowerCase();
  const wait = limiter.retryAfter(input.ip, username);
  if (wait > 0) throw new CatalogError('too-many-attempts', `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${Math.ceil(wait / 60)} phút.`);
  const [account] = await db.select().from(accounts).where(eq(accounts.username, username));
  // verify even for unknown users so that timing does not reveal which usernames exist
  const ok = await verifyPassword(input.password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !ok || account.disabledAt) {
    limiter.fail(input.ip, username);
    throw new CatalogError('bad-credentials', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  }
  limiter.succeed(input.ip, username);
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.insert(sessions).values({ tokenHash: sha256(token), accountId: account.id, csrfToken: crypto.randomBytes(24).toString('base64url'), expiresAt });
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  await audit(db, { accountId: account.id, label: account.username }, 'session.sign-in', 'account', account.id, null, null, { ip: input.ip });
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
