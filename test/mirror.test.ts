import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/db/index.ts';
import { writeSnapshot } from '../server/publish/snapshot.ts';
import { SnapshotReader } from '../server/publish/reader.ts';
import { loadDemoCatalog } from '../server/seed/demo.ts';
import { runMirror, type MirrorStats } from '../server/mirror/run.ts';
import type { MirrorConfig } from '../server/config.ts';
import { databases } from './helpers/databases.ts';
import { copyOfDemoCatalog, tempDir } from './helpers/fixtures.ts';
import { account, testCatalog, tokenFor, type TestCatalog } from './helpers/catalog.ts';

const root = path.resolve(import.meta.dirname, '..');
const PROVINCE = 'https://dulieu.gialai.gov.vn';

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
});

/**
 * The mirror against a real second portal: another instance of this portal (its own data folder,
 * database and port, run as `npm run serve` in its own process, API only) plays the national portal.
 */
for (const target of databases) {
  describe(`the mirror to a national portal on ${target.name}`, () => {
    let province: Database;
    let c: TestCatalog;
    let remoteEnv: Record<string, string>;
    let dropRemote: () => Promise<void>;
    let remote: ChildProcess | null = null;
    let remoteUrl: string;
    const tokens: Record<string, string> = {};
    let calls: string[] = [];

    const startRemote = () => new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, 'scripts', 'serve.ts')], { cwd: root, env: { ...process.env, ...remoteEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const onData = (b: Buffer) => { out += b.toString(); if (/phục vụ .* tại http/.test(out)) resolve(); };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => { if (remote === child) remote = null; reject(new Error(`remote exited ${code}: ${out}`)); });
      remote = child;
    });
    const stopRemote = async (signal: NodeJS.Signals = 'SIGTERM') => {
      const child = remote;
      if (!child) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    };
    const cfg = (over: Partial<MirrorConfig> = {}): MirrorConfig => ({
      url: remoteUrl, token: tokens.admin!, organizations: { 'so-y-te': 'so-y-te-gia-lai' }, organization: 'tinh-gia-lai', prefix: 'gia-lai',
      groups: true, intervalMinutes: 60, timeoutMs: 5000, retryBaseMs: 200, maxAttempts: 8, ...over,
    });
    const mirror = (over: Partial<MirrorConfig> = {}, progress?: (done: number) => void): Promise<MirrorStats> => runMirror({
      cfg: cfg(over), snapshot: new SnapshotReader(c.dataDir), actions: c.actions, siteUrl: PROVINCE,
      onRequest: (a) => calls.push(a), progress: progress && ((p) => progress(p.done)),
    });
    const remoteApi = async (action: string, params: Record<string, string> = {}, token?: string) => {
      const res = await fetch(`${remoteUrl}/api/3/action/${action}?${new URLSearchParams(params)}`, { headers: token ? { authorization: token } : {} });
      return { status: res.status, body: await res.json() };
    };
    const republish = () => writeSnapshot(province.db, c.store, { dataDir: c.dataDir, siteUrl: PROVINCE });

    beforeAll(async () => {
      province = await target.open();
      c = testCatalog(province, { siteUrl: PROVINCE });
      const results = await loadDemoCatalog(c.actions, copyOfDemoCatalog());
      expect(results.filter((r) => r.status !== 'published')).toEqual([]);
      await republish();
      // the national portal: its own folder and database, an admin token for the mirror and a token with no rights
      const dataDir = tempDir('portal-national-');
      ({ env: remoteEnv, drop: dropRemote } = await target.childEnv(dataDir));
      const port = await freePort();
      remoteUrl = `http://127.0.0.1:${port}`;
      Object.assign(remoteEnv, { PORT: String(port), HOST: '127.0.0.1', SITE_URL: remoteUrl, PORTAL_BUILD_SITE: '0', PORTAL_QUIET: '0' });
      const db = await openDatabase(remoteEnv.DATABASE_URL ? { databaseUrl: remoteEnv.DATABASE_URL } : { pgDir: path.join(dataDir, 'pg') });
      const n = testCatalog(db);
      tokens.admin = await tokenFor(n, await account(n, { name: 'cong.quoc.gia', password: 'quan-tri-quoc-gia-2026', sysadmin: true }));
      tokens.nobody = await tokenFor(n, await account(n, { name: 'khong.quyen', password: 'khong-co-quyen-2026' }));
      await db.close();
      await startRemote();
    }, 180_000);
    afterAll(async () => {
      await stopRemote();
      await dropRemote?.();
      await province?.close();
    });

    it('pushes every published dataset with its organisation, names, resources as links and their hashes', async () => {
      const stats = await mirror();
      const snapshot = new SnapshotReader(c.dataDir).current()!;
      expect(stats).toMatchObject({ created: snapshot.catalog.datasets.length, updated: 0, failed: 0, pending: 0 });
      for (const summary of snapshot.catalog.datasets) {
        const d = new SnapshotReader(c.dataDir).dataset(summary.slug)!;
        const r = await remoteApi('package_show', { id: `gia-lai-${d.slug}` }, tokens.admin);
        expect(r.status, d.slug).toBe(200);
        const p = r.body.result;
        expect(p.title).toBe(d.title);
        expect(p.organization.name).toBe(d.organization.slug === 'so-y-te' ? 'so-y-te-gia-lai' : 'tinh-gia-lai');
        expect(p.resources).toHaveLength(d.resources.length * 3);
        const sent = p.resources.map((x: { url: string; hash: string }) => [x.url, x.hash]);
        for (const res of d.resources) {
          for (const f of [res.downloads.original, res.downloads.csv, res.downloads.json]) expect(sent).toContainEqual([`${PROVINCE}${f.url}`, `sha256:${f.sha256}`]);
        }
        expect(p.extras).toEqual(expect.arrayContaining([{ key: 'frequency', value: d.updateFrequency }]));
      }
    }, 120_000);

    it('sends nothing when nothing changed', async () => {
      calls = [];
      const stats = await mirror();
      expect(stats).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
      expect(calls).toEqual([]);
    });

    it('pushes only the dataset that changed', async () => {
      await c.actions.call('package_patch', c.system, { id: 'tuyen-xe-buyt', notes: 'Các tuyến xe buýt nội tỉnh, cập nhật lộ trình quý 4.' });
      await republish();
      calls = [];
      const stats = await mirror();
      expect(stats).toMatchObject({ created: 0, updated: 1, failed: 0 });
      expect(calls.filter((a) => a === 'package_update')).toHaveLength(1);
      expect((await remoteApi('package_show', { id: 'gia-lai-tuyen-xe-buyt' }, tokens.admin)).body.result.notes).toContain('quý 4');
    });

    it('deletes there what is withdrawn here, with the reason in its notes', async () => {
      await c.actions.call('package_delete', c.system, { id: 'diem-phat-wifi-cong-cong', reason: 'Hệ thống wifi công cộng đã chuyển cho doanh nghiệp quản lý' });
      await republish();
      const stats = await mirror();
      expect(stats).toMatchObject({ deleted: 1, failed: 0 });
      // the public read follows the remote's next snapshot (written within seconds)
      await expect.poll(async () => (await remoteApi('package_show', { id: 'gia-lai-diem-phat-wifi-cong-cong' })).status, { timeout: 15_000, interval: 200 }).toBe(404);
      const seen = (await remoteApi('package_show', { id: 'gia-lai-diem-phat-wifi-cong-cong' }, tokens.admin)).body.result;
      expect(seen.state).toBe('deleted');
      expect(seen.notes).toContain('đã chuyển cho doanh nghiệp quản lý');
      expect((await mirror()).deleted).toBe(0); // once
    });

    it('finishes without duplicates when the national portal dies mid-push and comes back', async () => {
      const live = new SnapshotReader(c.dataDir).current()!.catalog.datasets.map((d) => d.slug);
      for (const slug of live) await c.actions.call('package_patch', c.system, { id: slug, tags: ['đồng bộ', slug.slice(0, 20)] });
      await republish();
      let restarting: Promise<void> | null = null;
      const stats = await mirror({}, (done) => {
        // after two datasets the remote is killed (no goodbye), and started again a moment later
        if (done === 2 && !restarting) restarting = stopRemote('SIGKILL').then(() => new Promise((r) => setTimeout(r, 1000))).then(startRemote);
      });
      await restarting;
      expect(stats).toMatchObject({ updated: live.length, failed: 0, pending: 0 });
      const list = (await remoteApi('workspace_dataset_list', {}, tokens.admin)).body.result as { slug: string; state: string }[];
      const names = list.map((d) => d.slug);
      expect(new Set(names).size).toBe(names.length);
      expect(names.sort()).toEqual([...live.map((s) => `gia-lai-${s}`), 'gia-lai-diem-phat-wifi-cong-cong'].sort());
      for (const slug of live) expect((await remoteApi('package_show', { id: `gia-lai-${slug}` }, tokens.admin)).body.result.tags.map((t: { name: string }) => t.name)).toContain('đồng bộ');
    }, 120_000);

    it('records a clear per-dataset error when the token has no rights, and goes on', async () => {
      await c.actions.call('package_patch', c.system, { id: 'tuyen-xe-buyt', notes: 'Thêm tuyến Pleiku – Ia Grai.' });
      await c.actions.call('package_patch', c.system, { id: 'ho-so-thu-tuc-hanh-chinh', notes: 'Số liệu hồ sơ thủ tục hành chính, cập nhật tháng 11.' });
      await republish();
      const stats = await mirror({ token: tokens.nobody! });
      expect(stats).toMatchObject({ failed: 2, updated: 0 });
      const states = await c.actions.call('mirror_state_list', c.system, {});
      const bus = states.find((s: { slug: string }) => s.slug === 'tuyen-xe-buyt');
      expect(bus).toMatchObject({ status: 'failing', lastError: expect.stringContaining('không có quyền') });
      // with the right token the next run brings both up to date
      expect(await mirror()).toMatchObject({ updated: 2, failed: 0 });
      expect((await c.actions.call('mirror_state_list', c.system, {})).find((s: { slug: string }) => s.slug === 'tuyen-xe-buyt').status).toBe('pushed');
    }, 60_000);
  });
}
