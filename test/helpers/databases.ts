import crypto from 'node:crypto';
import os from 'node:os';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../server/db/index.ts';

/**
 * The databases every catalogue test runs on: embedded PGlite always, and the real PostgreSQL at
 * 127.0.0.1:5432 (or TEST_DATABASE_URL) when it answers. Each PostgreSQL test gets a fresh database.
 */
export const adminUrl = process.env.TEST_DATABASE_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;

async function postgresAnswers(): Promise<boolean> {
  const sql = postgres(adminUrl, { connect_timeout: 2, max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
  /** environment for a child process (a CLI run) on a fresh database of this kind, and its cleanup */
  childEnv(dataDir: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }>;
}

export const databases: TestDatabase[] = [{
  name: 'pglite',
  open: () => openDatabase({}),
  childEnv: async (dataDir) => ({ env: { DATA_DIR: dataDir, DATABASE_URL: '' }, drop: async () => {} }),
}];
if (await postgresAnswers()) {
  databases.push({ name: 'postgres', open: openFreshPostgres, childEnv: freshPostgresEnv });
} else if (process.env.CI) {
  throw new Error(`CI: PostgreSQL at ${adminUrl} does not answer; tests must run on it too`);
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `portal_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function freshPostgresEnv(dataDir: string) {
  const { url, drop } = await createDatabase();
  return { env: { DATA_DIR: dataDir, DATABASE_URL: url }, drop };
}

async function openFreshPostgres(): Promise<Database> {
  const { url, drop } = await createDatabase();
  const db = await openDatabase({ databaseUrl: url });
  return {
    ...db,
    async close() {
      await db.close();
      await drop();
    },
  };
}
