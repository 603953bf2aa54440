import { and, isNull, lte, max } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';

/**
 * The changes waiting to be published (queued by actions in their own transactions). A rebuild takes
 * the highest pending id before it reads the catalogue and marks everything up to it done afterwards:
 * a change committed during the rebuild stays pending for the next one.
 */
export async function pendingUpTo(db: Db): Promise<number | null> {
  const [row] = await db.select({ id: max(schema.publishQueue.id) }).from(schema.publishQueue).where(isNull(schema.publishQueue.doneAt));
  return row?.id ?? null;
}

export async function markPublished(db: Db, upTo: number, at = new Date()): Promise<void> {
  await db.update(schema.publishQueue).set({ doneAt: at }).where(and(isNull(schema.publishQueue.doneAt), lte(schema.publishQueue.id, upTo)));
}
