import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, schema, type Database } from '../server/db/index.ts';
import { startServer, type RunningServer } from '../server/http/server.ts';
import { writeSnapshot } from '../server/publish/snapshot.ts';
import { simplePublisher, type Publisher } from '../server/publish/publisher.ts';
import { databases } from './helpers/databases.ts';
import { tempDir } from './helpers/fixtures.ts';
import { account, publishCsv, testCatalog, tokenFor, unit } from './helpers/catalog.ts';
import { workspaceHandler } from './helpers/workspace.ts';

const root = path.resolve(import.meta.dirname, '..');
const script = (name: string) => path.join(root, 'scripts', `${name}.ts`);

/** Every file under a folder (symbolic links not followed), relative, to see that nothing appeared where it should not. */
function filesUnder(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

for (const target of databases) {
  describe(`names that reach paths, through the command line, on ${target.name}`, () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    let work: string;
    let dataDir: string;
    const run = (name: string, ...args: string[]) => {
      const r = spawnSync(process.execPath, [script(name), ...args], { cwd: root, env: { ...process.env, ...env, PORTAL_QUIET: '0' }, encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const openDb = () => openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { pgDir: path.join(dataDir, 'pg') });

    beforeAll(async () => {
      work = tempDir('portal-harden-cli-');
      dataDir = path.join(work, 'data');
      ({ env, drop } = await target.childEnv(dataDir));
      expect(run('seed').code).toBe(0);
      expect(run('publish').code).toBe(0);
      fs.writeFileSync(path.join(work, 'x.csv'), 'Tên,Số\nA,1\nB,2\n');
    }, 120_000);
    afterAll(async () => { await drop?.(); });

    it('refuses every bad slug, resource or unit name before storing anything, with exit 2 and a reason', async () => {
      const before = filesUnder(dataDir).filter((f) => !f.startsWith('pg') && !f.startsWith('logs'));
      const csv = path.join(work, 'x.csv');
      const cases: string[][] = [
        ['--new', '--org', 'so-y-te', '--title', 't', '--slug', 'UPPER/Case'],
        ['--new', '--org', 'so-y-te', '--title', 't', '--slug', '../../x'],
        ['--new', '--org', 'so-y-te', '--title', 't', '--slug', '%2e%2e'],
        ['--new', '--org', 'so-y-te', '--title', 't', '--slug', 'Bad Slug/../X'],
        ['--new', '--org', 'so-y-te', '--title', 't', '--slug', 'cli-res2', '--resource', '../../../../tuyen-xe-buyt/resource/x/download/one-mb'],
        ['--new', '--org', '../so-y-te', '--title', 't', '--slug', 'cli-org'],
        ['--new', '--org', 'so-y-te', '--title', '!!!'], // a title that makes no slug
        ['--dataset', '../tuyen-xe-buyt'],
      ];
      for (const args of cases) {
        const r = run('ingest', csv, ...args);
        expect(r.code, `${args.join(' ')}\n${r.out}${r.err}`).toBe(2);
        expect(r.err).toMatch(/không hợp lệ/);
      }
      const db = await openDb();
      try {
        const slugs = (await db.db.select({ slug: schema.datasets.slug }).from(schema.datasets)).map((d) => d.slug);
        expect(slugs.every((s) => /^[a-z0-9][a-z0-9-]{0,99}$/.test(s))).toBe(true);
        expect(slugs).not.toContain('cli-res2');
      } finally {
        await db.close();
      }
      // nothing was written anywhere: not in the snapshot, not beside it
      expect(filesUnder(dataDir).filter((f) => !f.startsWith('pg') && !f.startsWith('logs'))).toEqual(before);
      expect(fs.existsSync(path.join(dataDir, 'publish-builds', 'x.json'))).toBe(false);
      expect(run('publish').code).toBe(0);
    });

    it('leaves out and reports a record whose name slipped into the database, and publishes the others', async () => {
      const db = await openDb();
      try {
        // as an older version (or a hand edit) could have left it
        const [d] = await db.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'tuyen-xe-buyt'));
        await db.db.update(schema.datasets).set({ slug: '../../tran-ra' }).where(eq(schema.datasets.id, d!.id));
        const [r] = await db.db.select().from(schema.resources).limit(1).where(eq(schema.resources.datasetId, (await db.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'diem-phat-wifi-cong-cong')))[0]!.id));
        await db.db.update(schema.resources).set({ name: '../../../tuyen-xe-buyt' }).where(eq(schema.resources.id, r!.id));
      } finally {
        await db.close();
      }
      const r = run('publish');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/BỎ QUA bộ dữ liệu "\.\.\/\.\.\/tran-ra"/);
      expect(r.err).toMatch(/BỎ QUA bộ dữ liệu "diem-phat-wifi-cong-cong"/);
      const snapshot = fs.realpathSync(path.join(dataDir, 'publish'));
      const catalog = JSON.parse(fs.readFileSync(path.join(snapshot, 'catalog.json'), 'utf8'));
      expect(catalog.datasets.map((d: { slug: string }) => d.slug)).not.toContain('diem-phat-wifi-cong-cong');
      expect(catalog.datasets.length).toBeGreaterThanOrEqual(9);
      expect(fs.existsSync(path.join(dataDir, 'tran-ra.json'))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'publish-builds', 'tran-ra.json'))).toBe(false);
    });
  });
}

describe('the site build, whatever the snapshot holds', () => {
  it('builds the good records and writes nothing outside its folder for a tampered one', () => {
    const work = tempDir('portal-harden-build-');
    const dataDir = path.join(work, 'data');
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORTAL_QUIET: '0' };
    for (const s of ['seed', 'publish']) expect(spawnSync(process.execPath, [script(s)], { cwd: root, env }).status).toBe(0);
    // a snapshot written by something else: two records whose names climb out
    const snapshot = fs.realpathSync(path.join(dataDir, 'publish'));
    const catalog = JSON.parse(fs.readFileSync(path.join(snapshot, 'catalog.json'), 'utf8'));
    const good = JSON.parse(fs.readFileSync(path.join(snapshot, 'datasets', 'tuyen-xe-buyt.json'), 'utf8'));
    const evil = { ...good, slug: '..', resources: good.resources.map((r: object) => ({ ...r, name: '../../../../x' })) };
    catalog.datasets.push({ ...catalog.datasets.find((d: { slug: string }) => d.slug === 'tuyen-xe-buyt'), slug: '..' });
    catalog.datasets.push({ ...catalog.datasets.find((d: { slug: string }) => d.slug === 'tuyen-xe-buyt'), slug: '%2e%2e' });
    fs.writeFileSync(path.join(snapshot, 'catalog.json'), JSON.stringify(catalog));
    fs.writeFileSync(path.join(snapshot, 'datasets', 'evil.json'), JSON.stringify(evil));
    const notTheBuild = (rel: string) => rel === path.join('data', 'site-builds') || rel === path.join('data', 'pg') || rel === path.join('data', 'logs');
    const outside = filesUnder(work, notTheBuild);
    const home = () => fs.readFileSync(path.join(fs.realpathSync(path.join(dataDir, 'site')), 'client', 'index.html'), 'utf8');
    const r = spawnSync(process.execPath, [script('build-site')], { cwd: root, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/BỎ QUA/);
    const site = fs.realpathSync(path.join(dataDir, 'site'));
    expect(fs.existsSync(path.join(site, 'client', 'dataset', 'tuyen-xe-buyt', 'index.html'))).toBe(true);
    expect(filesUnder(work, (rel) => notTheBuild(rel) || rel === path.join('data', 'site'))).toEqual(outside.filter((f) => f !== path.join('data', 'site')));
    // inside the build, the tampered names overwrote nothing: the home page is still the home page
    expect(home()).toContain('<h1>Cổng dữ liệu mở');
    expect(filesUnder(path.join(site, 'client')).filter((f) => path.basename(f) === 'x')).toEqual([]);
  }, 120_000);
});

let handler: Awaited<ReturnType<typeof workspaceHandler>>;
beforeAll(async () => { handler = await workspaceHandler(); }, 180_000);

for (const target of databases) {
  describe(`HTTP hardening on ${target.name}`, () => {
    let database: Database;
    let server: RunningServer;
    let publisher: Publisher;
    let token: string;
    let dataDir: string;
    const ADMIN_PASSWORD = 'quan-tri-vien-2026!';

    beforeAll(async () => {
      database = await target.open();
      const db = database.db;
      dataDir = tempDir('portal-harden-http-');
      const c = testCatalog(database, { dataDir: tempDir('portal-harden-files-') });
      publisher = simplePublisher(async () => { await writeSnapshot(db, c.store, { dataDir, siteUrl: 'http://localhost' }); });
      await unit(c, 'so-y-te', 'Sở Y tế');
      await account(c, { name: 'quantri', fullname: 'Quản trị', password: ADMIN_PASSWORD, sysadmin: true });
      await account(c, { name: 'thu.song.song', fullname: 'Thử song song', password: ADMIN_PASSWORD });
      const editor = await account(c, { name: 'syt.bientap', fullname: 'Biên tập', password: 'bien-tap-vien-2026!', unit: 'so-y-te' });
      token = await tokenFor(c, editor);
      await publishCsv(c, { slug: 'thuoc', org: 'so-y-te', csv: 'Tên,Số\nA,1\n' });
      // the snapshot's site folder: a tiny stand-in with a directory, to exercise redirects
      const site = path.join(dataDir, 'site-builds', 'b1', 'client');
      fs.mkdirSync(path.join(site, 'dataset'), { recursive: true });
      fs.writeFileSync(path.join(site, 'dataset', 'index.html'), '<!doctype html><title>Bộ dữ liệu</title>');
      fs.symlinkSync(path.join(dataDir, 'site-builds', 'b1'), path.join(dataDir, 'site'));
      server = await startServer({ dataDir, host: '127.0.0.1', port: 0, portal: { actions: c.actions, db, store: c.store, publisher }, astroHandler: handler, cookieSecure: false, trustProxy: 1, uploadMaxBytes: 2 * 1024 * 1024 });
    }, 60_000);
    afterAll(async () => {
      await publisher?.idle();
      await server?.close();
      await database?.close();
    });

    const signIn = (username: string, password: string, address: string) => fetch(`${server.url}/workspace/sign-in/`, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams({ username, password }), headers: { origin: server.url, 'x-forwarded-for': address },
    });

    it('counts sign-in attempts before checking the password: 40 parallel guesses get at most 5 checks', async () => {
      const attempts = Array.from({ length: 40 }, (_, i) => signIn('thu.song.song', i === 39 ? ADMIN_PASSWORD : `sai-${i}`, '203.0.113.7'));
      const statuses = (await Promise.all(attempts)).map((r) => r.status);
      const checked = statuses.filter((s) => s !== 429).length;
      expect(checked).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    });

    it('never locks the owner out: wrong passwords from anywhere slow strangers down, the admin sees and lifts the lock', async () => {
      const office = '198.51.100.10';
      expect((await signIn('quantri', ADMIN_PASSWORD, office)).status).toBe(303); // the owner has signed in from here before
      for (let i = 0; i < 5; i++) expect((await signIn('quantri', `doan-${i}`, '192.0.2.66')).status).toBe(401);
      const attacker = await signIn('quantri', 'doan-tiep', '192.0.2.66');
      expect(attacker.status).toBe(429);
      expect(Number(attacker.headers.get('retry-after'))).toBeGreaterThan(800);
      // the right password from the owner's own address is taken at once
      const owner = await signIn('quantri', ADMIN_PASSWORD, office);
      expect(owner.status).toBe(303);
      const cookie = owner.headers.getSetCookie().find((c) => c.startsWith('cdl_session='))!.split(';')[0]!;
      const page = await fetch(`${server.url}/workspace/admin/sign-in-locks/`, { headers: { cookie } });
      const html = await page.text();
      expect(html).toContain('192.0.2.66');
      const key = /name="key" value="(pair:quantri\|192\.0\.2\.66)"/.exec(html)![1]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      const lifted = await fetch(`${server.url}/workspace/admin/sign-in-locks/`, { method: 'POST', headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, key }).toString() });
      expect(await lifted.text()).toContain('Đã gỡ khóa');
      expect((await signIn('quantri', 'doan-lan-nua', '192.0.2.66')).status).toBe(401); // lifted: checked again
      // another stranger's guesses: a new address of the owner's meets a short delay, never a lock
      for (let i = 0; i < 4; i++) expect((await signIn('quantri', `doan-b-${i}`, '192.0.2.67')).status).toBe(401); // five in the window with the one above
      const t0 = Date.now();
      const fresh = await signIn('quantri', ADMIN_PASSWORD, '198.51.100.99');
      if (Date.now() - t0 < 500) expect(fresh.status).toBe(429);
      if (fresh.status === 429) {
        const wait = Number(fresh.headers.get('retry-after'));
        expect(wait).toBeGreaterThanOrEqual(1);
        expect(wait).toBeLessThanOrEqual(60);
        expect(await fresh.text()).toContain('Vui lòng chờ');
        await new Promise((r) => setTimeout(r, wait * 1000 + 200));
        expect((await signIn('quantri', ADMIN_PASSWORD, '198.51.100.99')).status).toBe(303);
      } else {
        expect(fresh.status).toBe(303);
      }
      expect((await fetch(`${server.url}/workspace/admin/sign-in-locks/`, { redirect: 'manual' })).status).toBe(303); // anonymous: to sign-in
    }, 90_000);

    it('refuses oversized bodies from their declared length, before reading them', async () => {
      const rawPost = (p: string, headers: Record<string, string>, body = '') => new Promise<{ status: number; ms: number }>((resolve, reject) => {
        const u = new URL(server.url);
        const t0 = Date.now();
        const socket = net.connect(Number(u.port), u.hostname, () => {
          socket.write(`POST ${p} HTTP/1.1\r\nHost: ${u.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
        });
        let data = '';
        socket.on('data', (c) => {
          data += c.toString();
          const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
          if (m) { resolve({ status: Number(m[1]), ms: Date.now() - t0 }); socket.destroy(); }
        });
        socket.on('error', reject);
      });
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      expect((await rawPost('/workspace/sign-in/', { ...form, 'content-length': String(200 * 1024 * 1024) }, 'username=a&password=')).status).toBe(413);
      expect((await rawPost('/workspace/datasets/thuoc/edit/', { ...form, 'content-length': String(2 * 1024 * 1024) })).status).toBe(413);
      expect((await rawPost('/workspace/sign-in/', { ...form, 'transfer-encoding': 'chunked' }, '5\r\nabcde\r\n')).status).toBe(411);
      expect((await rawPost('/api/datasets/thuoc/versions', { authorization: token, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * 1024 * 1024) })).status).toBe(413);
      expect((await rawPost('/dataset/', { 'content-length': String(10 * 1024 * 1024) })).status).toBe(413);
      // a small sign-in still works
      expect((await signIn('syt.bientap', 'bien-tap-vien-2026!', '198.51.100.20')).status).toBe(303);
    });

    it('refuses a second file part or a part under another name with 422, and publishes nothing', async () => {
      const versions = async () => (await database.db.select().from(schema.datasetVersions)).length;
      const before = await versions();
      const api = (fd: FormData) => fetch(`${server.url}/api/datasets/thuoc/versions`, { method: 'POST', body: fd, headers: { authorization: token } });
      const two = new FormData();
      two.append('note', 'Hai tệp');
      two.append('file', new Blob(['Tên,Số\nB,2\n']), 'mot.csv');
      two.append('file', new Blob(['Tên,Số\nC,3\n']), 'hai.csv');
      const r1 = await api(two);
      expect(r1.status).toBe(422);
      expect((await r1.json()).error).toMatchObject({ code: 'too-many-files' });
      const other = new FormData();
      other.append('note', 'Tên trường khác');
      other.append('tep', new Blob(['Tên,Số\nD,4\n']), 'khac.csv');
      other.append('file', new Blob(['Tên,Số\nE,5\n']), 'dung.csv');
      const r2 = await api(other);
      expect(r2.status).toBe(422);
      const body = await r2.json();
      expect(body.error.code).toBe('unexpected-part');
      expect(body.error.message).toContain('"tep"');
      expect(await versions()).toBe(before);
    });

    it('answers 400 for control characters, and never redirects to another host', async () => {
      const raw = (p: string) => new Promise<string>((resolve, reject) => {
        const u = new URL(server.url);
        const socket = net.connect(Number(u.port), u.hostname, () => socket.write(`GET ${p} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
        let data = '';
        socket.on('data', (c) => { data += c.toString(); });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      for (const p of ['/%2fevil.example/..%2f..%2fdataset', '/%5cevil.example/..%2f..%2fdataset', '/dataset%0d%0aSet-Cookie:%20x=1', '/dataset%E2%80%A8', '/dataset%0a', '/workspace/%0d%0a', '/%2e%2e/%2e%2e/etc/passwd']) {
        const answer = await raw(p);
        expect(answer, p).toMatch(/^HTTP\/1\.1 400/);
        expect(answer).not.toMatch(/\r\nlocation:/i);
      }
      expect(await raw('//evil.example/dataset')).not.toMatch(/\r\nlocation:\s*\/\//i);
      const redirect = await raw('/dataset?q=x');
      expect(redirect).toMatch(/^HTTP\/1\.1 301/);
      expect(redirect).toMatch(/\r\nlocation: \/dataset\/\?q=x\r\n/i);
    });

    it('sends a strict Content-Security-Policy, frame-ancestors and the other headers on public and workspace pages', async () => {
      for (const p of ['/dataset/', '/workspace/sign-in/']) {
        const res = await fetch(`${server.url}${p}`);
        const csp = res.headers.get('content-security-policy')!;
        expect(csp, p).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('unsafe-inline');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('referrer-policy')).toMatch(/origin/);
        expect(res.headers.get('permissions-policy')).toContain('camera=()');
      }
    });
  });
}

describe('a crash in the middle of an upload', () => {
  it('leaves temporary files that the next start removes, and says so in the log', async () => {
    const work = tempDir('portal-harden-crash-');
    const dataDir = path.join(work, 'data');
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORTAL_QUIET: '0', PORT: '0', HOST: '127.0.0.1' };
    // an account and token made with the database the server will open
    {
      const db = await openDatabase({ pgDir: path.join(dataDir, 'pg') });
      const c = testCatalog(db);
      await unit(c, 'so-y-te', 'Sở Y tế');
      const editor = await account(c, { name: 'syt.bientap', fullname: 'Biên tập', password: 'bien-tap-vien-2026!', unit: 'so-y-te' });
      fs.writeFileSync(path.join(work, 'token'), await tokenFor(c, editor));
      await publishCsv(c, { slug: 'lon', org: 'so-y-te', csv: 'Tên,Số\nA,1\n' });
      await db.close();
    }
    const startServe = () => new Promise<{ url: string; child: ReturnType<typeof spawn>; log: () => string }>((resolve, reject) => {
      const child = spawn(process.execPath, [script('serve')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const onData = (c: Buffer) => {
        out += c.toString();
        const m = /phục vụ .* tại (http:\/\/[^\s]+)\//.exec(out);
        if (m) resolve({ url: m[1]!, child, log: () => out });
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    const first = await startServe();
    const rows = Array.from({ length: 400_000 }, (_, i) => `Nhà thuốc số ${i},${i}`).join('\n');
    const big = Buffer.from(`Tên,Số\n${rows}\n`);
    const fd = new FormData();
    fd.append('note', 'Tải lên lớn');
    fd.append('file', new Blob([new Uint8Array(big)]), 'lon.csv');
    const upload = fetch(`${first.url}/api/datasets/lon/versions`, { method: 'POST', body: fd, headers: { authorization: fs.readFileSync(path.join(work, 'token'), 'utf8') } }).catch(() => null);
    const tmp = path.join(dataDir, 'tmp');
    const leftovers = () => filesUnder(tmp);
    // kill -9 while the upload or its outputs are being written
    const t0 = Date.now();
    while (leftovers().length === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    await upload;
    await new Promise((r) => first.child.once('exit', r));
    expect(leftovers().length).toBeGreaterThan(0);
    const second = await startServe();
    try {
      expect(second.log()).toMatch(/đã xóa \d+ tệp tạm do tiến trình trước bị dừng đột ngột/);
      expect(leftovers()).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  }, 120_000);
});
