import crypto from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';

const { flashMessages } = schema;
const TEN_MINUTES = 10 * 60_000;

/**
 * Results of a form post kept for the page that the browser is redirected to (post/redirect/get),
 * bound to the session that made them and forgotten after ten minutes. Held in the database, so the
 * redirect may be answered by another server process behind the load balancer.
 */
export async function putFlash(db: Db, sessionId: string, value: unknown, now = new Date()): Promise<string> {
  const id = crypto.randomBytes(12).toString('base64url');
  await db.delete(flashMessages).where(lt(flashMessages.expiresAt, now));
  await db.insert(flashMessages).values({ id, sessionId, value: value ?? null, expiresAt: new Date(now.getTime() + TEN_MINUTES) });
  return id;
}

export async function getFlash<T>(db: Db, sessionId: string, id: string | null | undefined, now = new Date()): Promise<T | null> {
  if (!id || id.length > 40) return null;
  const [row] = await db.select().from(flashMessages).where(and(eq(flashMessages.id, id), eq(flashMessages.sessionId, sessionId), gt(flashMessages.expiresAt, now)));
  return (row?.value as T) ?? null;
}
