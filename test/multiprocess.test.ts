import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq, isNull } from 'drizzle-orm';
import { openDatabase, schema, type Database } from '../server/db/index.ts';
import { databases } from './helpers/databases.ts';
import { tempDir } from './helpers/fixtures.ts';
import { account, testCatalog, tokenFor } from './helpers/catalog.ts';

const root = path.resolve(import.meta.dirname, '..');
const postgresTarget = databases.find((d) => d.name === 'postgres');

/**
 * Two `npm run serve` processes behind one address in production, sharing DATABASE_URL and the data
 * folder, behave as one portal: versions neither lost nor doubled, one publish at a time, the daily
 * check once, sessions and sign-in limits on every process, and a process killed mid-build leaves the
 * other to finish the job.
 */
describe.runIf(postgresTarget)('two server processes on one PostgreSQL', () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dataDir: string;
  let db: Database;
  const procs: { child: ChildProcess; url: string; log: () => string }[] = [];
  const tokens: Record<string, string> = {};

  const serve = () => new Promise<{ child: ChildProcess; url: string; log: () => string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'serve.ts')], {
      cwd: root, env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', PORTAL_QUIET: '0', TRUST_PROXY: '1', COOKIE_SECURE: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /phục vụ .* tại (http:\/\/[^\s]+)\//.exec(out);
      if (m) resolve({ child, url: m[1]!, log: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  const versions = async (slug: string) => {
    const [d] = await db.db.select().from(schema.datasets).where(eq(schema.datasets.slug, slug));
    return (await db.db.select({ n: schema.datasetVersions.number }).from(schema.datasetVersions).where(eq(schema.datasetVersions.datasetId, d!.id)).orderBy(asc(schema.datasetVersions.number))).map((v) => v.n);
  };
  const upload = async (url: string, slug: string, token: string, n: number) => {
    const fd = new FormData();
    fd.append('package_id', slug);
    fd.append('note', `Cập nhật lần ${n}`);
    fd.append('schema_policy', 'infer'); // a table of its own shape, not the published one
    fd.append('upload', new Blob([`Tên,Số\nDòng ${n},${n}\n`]), `lan-${n}.csv`);
    const res = await fetch(`${url}/api/3/action/resource_update`, { method: 'POST', body: fd, headers: { authorization: token } });
    if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
    return res;
  };
  /** [start, end] of each publish a process ran, from its log */
  const publishes = (log: string) => {
    const lines = log.split('\n');
    const out: [number, number][] = [];
    let start = 0;
    for (const l of lines) {
      const at = Date.parse(l.slice(0, 24));
      if (l.includes('[publish] cập nhật trang công khai:')) start = at;
      if (l.includes('[publish] trang công khai đã cập nhật') && start) { out.push([start, at]); start = 0; }
    }
    return out;
  };

  beforeAll(async () => {
    dataDir = tempDir('portal-two-');
    ({ env, drop } = await postgresTarget!.childEnv(dataDir));
    for (const script of ['seed', 'publish', 'build-site']) {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', `${script}.ts`)], { cwd: root, env: { ...process.env, ...env, PORTAL_QUIET: '1' }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    db = await openDatabase({ databaseUrl: env.DATABASE_URL });
    const c = testCatalog(db);
    for (const [k, name, unit] of [['a', 'sxd.bientap', 'so-xay-dung'], ['b', 'snv.bientap', 'so-noi-vu']] as const) {
      tokens[k] = await tokenFor(c, await account(c, { name, password: 'bien-tap-vien-2026!', unit }));
    }
    procs.push(await serve(), await serve());
  }, 240_000);
  afterAll(async () => {
    for (const p of procs) { p.child.kill('SIGTERM'); }
    await Promise.all(procs.map((p) => new Promise((r) => (p.child.exitCode !== null ? r(null) : p.child.once('exit', r)))));
    await db?.close();
    await drop?.();
  });

  it('runs the daily update check once between them', async () => {
    const runs = await db.db.select().from(schema.freshnessRuns).where(eq(schema.freshnessRuns.trigger, 'schedule'));
    expect(runs).toHaveLength(1);
  });

  it('loses and doubles no version under concurrent uploads through both, and publishes them in one build at a time', async () => {
    const [p1, p2] = procs;
    const before = { bus: await versions('tuyen-xe-buyt'), units: await versions('danh-muc-34-tinh-thanh-pho-2025') };
    // the same dataset through both processes at once, and another unit's dataset beside it
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => upload(i % 2 ? p1!.url : p2!.url, 'tuyen-xe-buyt', tokens.a!, i + 1)),
      ...Array.from({ length: 3 }, (_, i) => upload(i % 2 ? p2!.url : p1!.url, 'danh-muc-34-tinh-thanh-pho-2025', tokens.b!, i + 10)),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(7).fill(200));
    const bus = await versions('tuyen-xe-buyt');
    const units = await versions('danh-muc-34-tinh-thanh-pho-2025');
    expect(bus).toEqual(Array.from({ length: before.bus.length + 4 }, (_, i) => i + 1));
    expect(units).toEqual(Array.from({ length: before.units.length + 3 }, (_, i) => i + 1));
    // every change published (the queue empties) and visible through both processes
    await expect.poll(async () => (await db.db.select().from(schema.publishQueue).where(isNull(schema.publishQueue.doneAt))).length, { timeout: 90_000, interval: 500 }).toBe(0);
    for (const p of procs) {
      await expect.poll(async () => (await (await fetch(`${p.url}/dataset/tuyen-xe-buyt/`)).text()).includes(`Phiên bản ${bus.length}</strong>`), { timeout: 30_000, interval: 500 }).toBe(true);
    }
    const runs = [...publishes(p1!.log()), ...publishes(p2!.log())].sort((a, b) => a[0] - b[0]);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThan(7); // bursts merged, not one build per upload
    for (let i = 1; i < runs.length; i++) expect(runs[i]![0], 'a publish started before the previous one ended').toBeGreaterThanOrEqual(runs[i - 1]![1]);
  }, 180_000);

  it('keeps sessions and sign-in limits across processes', async () => {
    const [p1, p2] = procs;
    const signIn = (url: string, password: string) => fetch(`${url}/workspace/sign-in/`, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams({ username: 'sxd.bientap', password }), headers: { origin: url, 'x-forwarded-for': '198.51.100.77' },
    });
    const ok = await signIn(p1!.url, 'bien-tap-vien-2026!');
    expect(ok.status).toBe(303);
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('cdl_session='))!.split(';')[0]!;
    expect((await fetch(`${p2!.url}/workspace/`, { headers: { cookie } })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await signIn(i % 2 ? p1!.url : p2!.url, `sai-${i}`)).status).toBe(401);
    expect((await signIn(p1!.url, 'sai-nua')).status).toBe(429);
    expect((await signIn(p2!.url, 'sai-nua')).status).toBe(429);
  });

  it('finishes the publish of a process killed mid-build in the other', async () => {
    const marks = procs.map((p) => p.log().split('\n').length);
    const building = () => procs.findIndex((p, i) => p.log().split('\n').slice(marks[i]).some((l) => l.includes('[publish] bắt đầu công bố')));
    expect((await upload(procs[0]!.url, 'tuyen-xe-buyt', tokens.a!, 99)).status).toBe(200);
    // wait until one of the processes holds the publish lock and builds (either may take the queued change; its
    // publish child runs ten nice steps below it, and under the other test files' load it can take a while to
    // start), then kill that process without a goodbye
    await expect.poll(building, { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(0);
    const [killed] = procs.splice(building(), 1);
    const other = procs[0]!;
    killed!.child.kill('SIGKILL');
    await new Promise((r) => killed!.child.once('exit', r));
    // the other process sees the change still pending once the lock is free, and publishes it
    await expect.poll(async () => (await (await fetch(`${other.url}/dataset/tuyen-xe-buyt/`)).text()).includes('Cập nhật lần 99'), { timeout: 120_000, interval: 500 }).toBe(true);
    expect((await fetch(`${other.url}/`)).status).toBe(200);
  }, 300_000);
});
