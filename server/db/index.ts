import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';

export { schema };
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
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
    return { db: db as unknown as Db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
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
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return { db: db as unknown as Db, kind: 'pglite', close: async () => { await client.close(); unlock(); } };
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
