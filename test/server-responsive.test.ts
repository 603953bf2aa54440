import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../server/db/index.ts';
import { forkJob } from '../server/publish/job.ts';

/**
 * The server keeps answering while it publishes: the embedded database lets the event loop turn
 * during a long transaction (a request that arrives meanwhile waits for one statement, not all of
 * them), and the publish job's child runs below the server's priority, every thread of it.
 */
describe('the server stays responsive while it publishes', () => {
  let database: Database | null = null;
  afterAll(async () => { await database?.close(); });

  it('a long transaction on the embedded database lets a waiting request run before it ends', async () => {
    database = await openDatabase({});
    const total = 1000;
    let done = 0;
    let doneWhenTurned: number | null = null;
    // what an HTTP request that arrives now would be: a callback for the next turn of the event loop
    setImmediate(() => { doneWhenTurned = done; });
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < total; i++) {
        await tx.execute(sql`select ${i}::int as n`);
        done++;
      }
    });
    expect(doneWhenTurned).not.toBeNull();
    expect(doneWhenTurned!).toBeLessThan(total);
  });

  it.runIf(process.platform === 'linux')('the publish job child runs below the server, every one of its threads', async () => {
    const own = niceOf(`/proc/${process.pid}/stat`);
    // ten steps below (19 is the lowest there is)
    const expected = Math.min(19, own + 10);
    const child = forkJob();
    try {
      // lowered from its first instruction, before its modules load (that alone takes 1–1.5 s of CPU)
      expect(niceOf(`/proc/${child.pid}/stat`)).toBe(expected);
      // its modules loaded, it lowers any thread left
      let threads: number[] = [];
      for (let i = 0; i < 200; i++) {
        threads = fs.readdirSync(`/proc/${child.pid}/task`).map((tid) => niceOf(`/proc/${child.pid}/task/${tid}/stat`));
        if (threads.length > 1 && threads.every((n) => n === expected)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(threads.length).toBeGreaterThan(1);
      expect(threads).toEqual(threads.map(() => expected));
      if (own < 19) expect(expected).toBeGreaterThan(own);
    } finally {
      child.kill();
    }
  });
});

/** The nice value (field 19 of /proc/…/stat; the command name before it may hold spaces). */
function niceOf(statFile: string): number {
  const stat = fs.readFileSync(statFile, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
