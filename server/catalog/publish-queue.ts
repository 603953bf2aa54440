import { inArray, isNull } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';

/**
 * The changes waiting to be published (queued by actions in their own transactions). A publish takes
 * the rows pending when it starts and marks exactly those done once the site shows them: a change
 * committed meanwhile — whatever its id, transactions commit in any order — stays for the next one.
 */
export interface PendingChanges {
  rows: number[];
  /** the datasets the changes name (a change without one is a unit's: every snapshot reads all units) */
  datasetIds: string[];
}

export async function pendingChanges(db: Db): Promise<PendingChanges> {
  const rows = await db.select({ id: schema.publishQueue.id, datasetId: schema.publishQueue.datasetId }).from(schema.publishQueue).where(isNull(schema.publishQueue.doneAt));
  return { rows: rows.map((r) => r.id), datasetIds: [...new Set(rows.flatMap((r) => (r.datasetId ? [r.datasetId] : [])))] };
}

export async function hasPendingChanges(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: schema.publishQueue.id }).from(schema.publishQueue).where(isNull(schema.publishQueue.doneAt)).limit(1);
  return row !== undefined;
}

export async function markPublished(db: Db, rows: number[], at = new Date()): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db.update(schema.publishQueue).set({ doneAt: at }).where(inArray(schema.publishQueue.id, rows.slice(i, i + 1000)));
  }
}
