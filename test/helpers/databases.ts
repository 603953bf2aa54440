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

export interface TestDatabase { name: 'pglite' | 'postgres'; open(): Promise<Database> }

export const databases: TestDatabase[] = [{ name: 'pglite', open: () => openDatabase({}) }];
if (await postgresAnswers()) {
  databases.push({ name: 'postgres', open: openFreshPostgres });
} else if (process.env.CI) {
  throw new Error(`CI: PostgreSQL at ${adminUrl} does not answer; tests must run on it too`);
}

async function openFreshPostgres(): Promise<Database> {
  const name = `portal_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...db,
    async close() {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
