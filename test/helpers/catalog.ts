import path from 'node:path';
import type { Database } from '../../server/db/index.ts';
import { createDispatcher, systemCaller, UploadedFile, type Caller, type Dispatcher } from '../../server/actions/index.ts';
import { principalOf } from '../../server/auth/accounts.ts';
import { SnapshotReader } from '../../server/publish/reader.ts';
import { BlobStore } from '../../server/storage/blobs.ts';
import { fixture, tempDir } from './fixtures.ts';

/** A catalogue for a test: a database, a store, a data folder and the actions, set up as the system. */
export interface TestCatalog {
  database: Database;
  store: BlobStore;
  dataDir: string;
  actions: Dispatcher;
  system: Caller;
  /** changes the actions reported after commit (what the publisher would be told) */
  changes: string[];
  /** the caller an account is once signed in */
  as(accountId: string): Promise<Caller>;
}

export function testCatalog(database: Database, opts: { siteUrl?: string; dataDir?: string; onChanged?: (reasons: string[]) => void } = {}): TestCatalog {
  const dataDir = opts.dataDir ?? tempDir('portal-catalog-');
  const store = new BlobStore(path.join(dataDir, 'files'), path.join(dataDir, 'tmp'));
  const changes: string[] = [];
  const actions = createDispatcher({
    db: database.db, store, siteUrl: opts.siteUrl ?? 'http://localhost', snapshot: new SnapshotReader(dataDir),
    changed: (reasons) => { changes.push(...reasons); opts.onChanged?.(reasons); },
  });
  return {
    database, store, dataDir, actions, system: systemCaller('cli'), changes,
    as: async (accountId) => ({ user: await principalOf(database.db, accountId) }),
  };
}

export async function unit(c: TestCatalog, name: string, title: string): Promise<string> {
  return (await c.actions.call('organization_create', c.system, { name, title })).id;
}

export async function account(c: TestCatalog, input: { name: string; password: string; fullname?: string; email?: string; sysadmin?: boolean; unit?: string; capacity?: 'editor' | 'member' }): Promise<string> {
  const out = await c.actions.call('user_create', c.system, {
    name: input.name, password: input.password, fullname: input.fullname ?? input.name, ...(input.email ? { email: input.email } : {}),
    sysadmin: !!input.sysadmin, ...(input.unit ? { organization: input.unit, capacity: input.capacity ?? 'editor' } : {}),
  });
  return out.id;
}

export async function tokenFor(c: TestCatalog, accountId: string): Promise<string> {
  return (await c.actions.call('api_token_create', await c.as(accountId), { name: 'kiểm thử' })).token;
}

/** A dataset with one CSV resource, published as version 1 through package_create. */
export async function publishCsv(c: TestCatalog, input: { slug: string; org: string; csv: string | Buffer; title?: string; frequency?: string; frequencyReason?: string; resource?: string }) {
  const file = fixture(`${input.slug}.csv`, input.csv);
  return c.actions.call('package_create', c.system, {
    name: input.slug, title: input.title ?? `Dữ liệu ${input.slug}`, owner_org: input.org,
    ...(input.frequency ? { frequency: input.frequency } : {}), ...(input.frequencyReason ? { frequency_reason: input.frequencyReason } : {}),
    upload: new UploadedFile(file, `${input.slug}.csv`), resource_name: input.resource ?? 'du-lieu', resource_title: 'Dữ liệu', note: 'Công bố lần đầu',
  });
}
