import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';

export { schema };
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` holding the named lock, if no other holder (in this process or, on PostgreSQL, in any
   * process on the database) has it; otherwise does nothing. A session-level advisory lock on its own
   * connection: a process that dies releases it with its connection.
   */
  tryLock<T>(name: string, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }>;
  close(): Promise<void>;
}

/** The same lock within one process (PGlite is one process's database; PostgreSQL adds the advisory lock). */
function localLocks() {
  const held = new Set<string>();
  return async <T>(name: string, fn: () => Promise<T>, outer?: <U>(fn: () => Promise<U>) => Promise<{ locked: true; value: U } | { locked: false }>) => {
    if (held.has(name)) return { locked: false as const };
    held.add(name);
    try {
      if (outer) return await outer(fn);
      return { locked: true as const, value: await fn() };
    } finally {
      held.delete(name);
    }
  };
}

const migrationsFolder = path.join(import.meta.dirname, 'migrations');

/**
 * The one place that opens a database driver: postgres.js when a URL is given (DATABASE_URL),
 * else embedded PGlite persisted under <dataDir>/pg. Both run the same committed migrations.
 */
export async function openDatabase(opts: { databaseUrl?: string; pgDir?: string }): Promise<Database> {
  if (opts.databaseUrl) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const client = postgres(opts.databaseUrl, { max: 5, onnotice: () => {} });
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder });
    const local = localLocks();
    const tryLock = <T>(name: string, fn: () => Promise<T>) => local(name, fn, async <U>(inner: () => Promise<U>) => {
      const conn = await client.reserve();
      try {
        const [row] = await conn`select pg_try_advisory_lock(hashtext(${name})) as ok`;
        if (!row?.ok) return { locked: false as const };
        try {
          return { locked: true as const, value: await inner() };
        } finally {
          await conn`select pg_advisory_unlock(hashtext(${name}))`;
        }
      } finally {
        conn.release();
      }
    });
    return { db: db as unknown as Db, kind: 'postgres', tryLock, close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  let client;
  let unlock = () => {};
  // PostgreSQL's shared memory lives in PGlite's WASM memory, all touched at start: the default 128 MB
  // of shared buffers alone cost ~120 MB of RSS. The portal's database is small and the OS caches its
  // files; PGlite serves one connection (single-user mode), so 5 slots size the lock tables.
  const options = { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB', '-c', 'max_connections=5'] };
  if (opts.pgDir) {
    fs.mkdirSync(opts.pgDir, { recursive: true });
    unlock = lockDirectory(opts.pgDir);
    client = new PGlite(opts.pgDir, options);
  } else {
    client = new PGlite(options); // in memory, for tests
  }
  yieldBetweenMessages(client);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  const local = localLocks();
  return { db: db as unknown as Db, kind: 'pglite', tryLock: (name, fn) => local(name, fn), close: async () => { await client.close(); unlock(); } };
}

/**
 * PGlite runs each protocol message synchronously on this thread and resolves in a microtask, so a
 * transaction of many statements ran as one task and every request that came meanwhile waited for
 * all of it (100–170 ms while a publish read its changes). Before a message, once the current task has
 * run SLICE_MS, let the event loop turn: requests wait for at most one statement, and bulk work that
 * yields rarely pays nearly nothing.
 */
const SLICE_MS = 8;
function yieldBetweenMessages(client: { execProtocolRaw: (...args: never[]) => Promise<unknown> }): void {
  const run = client.execProtocolRaw.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let sliceStart = 0;
  let inSlice = false;
  const elapsed = () => {
    if (!inSlice) {
      inSlice = true;
      sliceStart = performance.now();
      setImmediate(() => { inSlice = false; });
    }
    return performance.now() - sliceStart;
  };
  (client as { execProtocolRaw: unknown }).execProtocolRaw = async (...args: unknown[]) => {
    if (elapsed() > SLICE_MS) await new Promise<void>((resolve) => setImmediate(resolve));
    return run(...args);
  };
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * A lock file with the owner's pid refuses that with a clear message (a dead owner's lock is taken over).
 */
function lockDirectory(dir: string): () => void {
  const lock = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(lock, 'utf8'));
      let alive = owner === process.pid;
      try { if (!alive && owner > 0) { process.kill(owner, 0); alive = true; } } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; }
      if (alive) throw new Error(`CSDL nhúng ${dir} đang được tiến trình ${owner} sử dụng (npm start?). Hãy chạy lệnh này khi máy chủ dừng, hoặc dùng DATABASE_URL (PostgreSQL).`);
      fs.rmSync(lock, { force: true });
    }
  }
  throw new Error(`Không khóa được ${lock}`);
}
