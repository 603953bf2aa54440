import { and, eq, gt, inArray, like, lt, or, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';

const { signInThrottle, knownSignInAddresses } = schema;

/**
 * The sign-in limits (OWASP's Authentication Cheat Sheet: limit per account and per address, and
 * prefer delays to lock-outs an attacker can trigger against someone else):
 * - one account from one address: five attempts per window, then wait for the window to end;
 * - one address, any accounts: a larger budget, against spraying many usernames;
 * - one account, any address: after five attempts in the window, each further attempt must wait a
 *   delay that doubles up to a minute — a slowdown, never a lock — and addresses the account has
 *   signed in from before skip it, so a stranger cannot keep its owner out.
 */
export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  perAccountAndAddress: 5,
  perAddress: 30,
  accountFreeAttempts: 5,
  accountMaxDelaySeconds: 60,
  knownAddressDays: 90,
};

export type ThrottleRefusal = { retryAfterSeconds: number; scope: 'pair' | 'address' | 'account' };

const keys = (username: string, address: string) => ({
  pair: `pair:${username}|${address}`,
  address: `address:${address}`,
  account: `account:${username}`,
});

/**
 * Counts one attempt against each limit before the password is checked, in single atomic upserts:
 * two parallel attempts can never both take the last allowed slot. Returns the refusal, or null when
 * the password may be checked. A refused attempt changes no count, so refusals cannot grow a delay.
 */
export async function takeSignInAttempt(db: Db, username: string, address: string, knownAccountId: string | null, now = new Date()): Promise<ThrottleRefusal | null> {
  const k = keys(username, address);
  const L = SIGN_IN_LIMITS;
  const windowEnds = (start: Date) => Math.max(1, Math.ceil((start.getTime() + L.windowSeconds * 1000 - now.getTime()) / 1000));

  const refusedPair = await take(db, k.pair, now, sql`t.attempts < ${L.perAccountAndAddress}`);
  if (refusedPair) return { scope: 'pair', retryAfterSeconds: windowEnds(refusedPair.windowStart) };
  const refusedAddress = await take(db, k.address, now, sql`t.attempts < ${L.perAddress}`);
  if (refusedAddress) return { scope: 'address', retryAfterSeconds: windowEnds(refusedAddress.windowStart) };
  if (knownAccountId && await isKnownAddress(db, knownAccountId, address, now)) return null;
  // delay = 2^(attempts − free) seconds, at most accountMaxDelaySeconds, counted from the last attempt
  const delay = sql`least(${L.accountMaxDelaySeconds}, power(2, t.attempts - ${L.accountFreeAttempts}))`;
  const refusedAccount = await take(db, k.account, now, sql`(t.attempts < ${L.accountFreeAttempts} or t.last_attempt_at <= ${now.toISOString()}::timestamptz - make_interval(secs => ${delay}))`);
  if (refusedAccount) {
    const wait = Math.min(L.accountMaxDelaySeconds, 2 ** (refusedAccount.attempts - L.accountFreeAttempts));
    return { scope: 'account', retryAfterSeconds: Math.max(1, Math.ceil((refusedAccount.lastAttemptAt.getTime() + wait * 1000 - now.getTime()) / 1000)) };
  }
  return null;
}

/** One atomic "count an attempt if allowed" on a key; returns the row as it stands when refused. */
async function take(db: Db, key: string, now: Date, allowed: ReturnType<typeof sql>) {
  const at = now.toISOString();
  const windowOver = sql`t.window_start <= ${at}::timestamptz - make_interval(secs => ${SIGN_IN_LIMITS.windowSeconds})`;
  const rows = await db.execute(sql`
    insert into sign_in_throttle as t (key, attempts, window_start, last_attempt_at)
    values (${key}, 1, ${at}::timestamptz, ${at}::timestamptz)
    on conflict (key) do update set
      attempts = case when ${windowOver} then 1 else t.attempts + 1 end,
      window_start = case when ${windowOver} then ${at}::timestamptz else t.window_start end,
      last_attempt_at = ${at}::timestamptz
    where ${windowOver} or ${allowed}
    returning t.attempts`);
  if (rowsOf(rows).length) return null;
  const [row] = await db.select().from(signInThrottle).where(eq(signInThrottle.key, key));
  return row ?? { attempts: 0, windowStart: now, lastAttemptAt: now };
}

/** drizzle's execute returns the driver's result: an array (postgres.js) or { rows } (PGlite). */
function rowsOf(result: unknown): unknown[] {
  return Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
}

async function isKnownAddress(db: Db, accountId: string, address: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - SIGN_IN_LIMITS.knownAddressDays * 86400_000);
  const [row] = await db.select().from(knownSignInAddresses)
    .where(and(eq(knownSignInAddresses.accountId, accountId), eq(knownSignInAddresses.address, address), gt(knownSignInAddresses.lastSuccessAt, since)));
  return !!row;
}

/** After a right password: this account's counts start again, and the address becomes known. */
export async function recordSignInSuccess(db: Db, username: string, accountId: string, address: string, now = new Date()): Promise<void> {
  const k = keys(username, address);
  await db.delete(signInThrottle).where(inArray(signInThrottle.key, [k.pair, k.account]));
  await db.insert(knownSignInAddresses).values({ accountId, address, lastSuccessAt: now })
    .onConflictDoUpdate({ target: [knownSignInAddresses.accountId, knownSignInAddresses.address], set: { lastSuccessAt: now } });
  // rows of windows long over (guesses at unknown usernames) are forgotten
  await db.delete(signInThrottle).where(lt(signInThrottle.lastAttemptAt, new Date(now.getTime() - 86400_000)));
}

export interface SignInLock { key: string; scope: 'pair' | 'address' | 'account'; username: string | null; address: string | null; attempts: number; since: Date; until: Date }

/** What the admin sees: every account, address or pair currently held back, and until when. */
export async function currentSignInLocks(db: Db, now = new Date()): Promise<SignInLock[]> {
  const L = SIGN_IN_LIMITS;
  const windowStart = new Date(now.getTime() - L.windowSeconds * 1000);
  const rows = await db.select().from(signInThrottle).where(and(gt(signInThrottle.windowStart, windowStart), or(
    and(like(signInThrottle.key, 'pair:%'), sql`${signInThrottle.attempts} >= ${L.perAccountAndAddress}`),
    and(like(signInThrottle.key, 'address:%'), sql`${signInThrottle.attempts} >= ${L.perAddress}`),
    and(like(signInThrottle.key, 'account:%'), sql`${signInThrottle.attempts} >= ${L.accountFreeAttempts}`),
  )));
  return rows.map((r) => {
    const [scope, rest] = [r.key.slice(0, r.key.indexOf(':')), r.key.slice(r.key.indexOf(':') + 1)] as ['pair' | 'address' | 'account', string];
    const [username, address] = scope === 'pair' ? rest.split('|') as [string, string] : scope === 'account' ? [rest, null] : [null, rest];
    const until = scope === 'account'
      ? new Date(r.lastAttemptAt.getTime() + Math.min(L.accountMaxDelaySeconds, 2 ** (r.attempts - L.accountFreeAttempts)) * 1000)
      : new Date(r.windowStart.getTime() + L.windowSeconds * 1000);
    return { key: r.key, scope, username, address, attempts: r.attempts, since: r.windowStart, until };
  }).filter((l) => l.until > now).sort((a, b) => b.since.getTime() - a.since.getTime());
}

/** The admin lifts a lock: its count starts again. */
export async function liftSignInLock(db: Db, key: string): Promise<boolean> {
  const rows = await db.delete(signInThrottle).where(eq(signInThrottle.key, key)).returning({ key: signInThrottle.key });
  return rows.length > 0;
}
