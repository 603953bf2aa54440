import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticSnapshot } from './site.ts';
import { switchLink } from '../publish/snapshot.ts';
import { SnapshotReader } from '../publish/reader.ts';
import { openDatabase } from '../db/index.ts';
import { BlobStore } from '../storage/blobs.ts';
import { createDispatcher, systemCaller } from '../actions/index.ts';
import { principalOf } from '../auth/accounts.ts';
import { runMirror } from '../mirror/run.ts';
import { projectRoot } from '../config.ts';

/**
 * The mirror to a national portal: n datasets of a synthetic snapshot pushed to a second portal (its
 * own process, `npm run serve`, API only, embedded database) the first time, then again after one
 * dataset changed. Prints both times.
 */
export async function benchMirror(n: number): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `bench-mirror-${n}-`));
  const province = path.join(work, 'province');
  const snap1 = path.join(province, 'publish-builds', 's1');
  process.stdout.write(`\n=== Đẩy lên cổng quốc gia, ${n.toLocaleString('vi-VN')} bộ dữ liệu\n`);
  writeSyntheticSnapshot(snap1, n);
  switchLink(path.join(province, 'publish'), snap1);
  const db = await openDatabase({});
  const actions = createDispatcher({ db: db.db, store: new BlobStore(path.join(province, 'files'), path.join(province, 'tmp')), siteUrl: 'https://dulieu.example.gov.vn', snapshot: new SnapshotReader(province) });

  // the national portal: an admin token for the mirror
  const national = path.join(work, 'national');
  const ndb = await openDatabase({ pgDir: path.join(national, 'pg') });
  const nactions = createDispatcher({ db: ndb.db, store: new BlobStore(path.join(national, 'files'), path.join(national, 'tmp')), siteUrl: 'http://x', snapshot: new SnapshotReader(national) });
  const admin = await nactions.call('user_create', systemCaller('cli'), { name: 'quoc.gia', password: 'quan-tri-quoc-gia-2026', sysadmin: true });
  const { token } = await nactions.call('api_token_create', { user: await principalOf(ndb.db, admin.id) }, { name: 'mirror' });
  await ndb.close();
  const port = await new Promise<number>((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });
  const child = await startServe(national, port);
  const cfg = { url: `http://127.0.0.1:${port}`, token, organizations: {}, organization: 'tinh-thu-nghiem', prefix: 'tinh', groups: true, intervalMinutes: 60, timeoutMs: 30_000, retryBaseMs: 500, maxAttempts: 6 };
  try {
    let last = Date.now();
    const t0 = Date.now();
    const first = await runMirror({
      cfg, snapshot: new SnapshotReader(province), actions, siteUrl: 'https://dulieu.example.gov.vn',
      progress: (p) => { if (Date.now() - last > 5000) { last = Date.now(); process.stdout.write(`  ${p.done}/${p.total} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`); } },
    });
    const firstMs = Date.now() - t0;
    // one dataset changes: a new snapshot folder, as a publish writes one
    const snap2 = path.join(province, 'publish-builds', 's2');
    fs.cpSync(snap1, snap2, { recursive: true });
    const one = fs.readdirSync(path.join(snap2, 'datasets'))[0]!;
    const file = path.join(snap2, 'datasets', one);
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    d.notes += ' Cập nhật mô tả.';
    fs.writeFileSync(file, JSON.stringify(d));
    switchLink(path.join(province, 'publish'), snap2);
    const t1 = Date.now();
    const second = await runMirror({ cfg, snapshot: new SnapshotReader(province), actions, siteUrl: 'https://dulieu.example.gov.vn' });
    const secondMs = Date.now() - t1;
    process.stdout.write([
      `  lần đầu:            ${(firstMs / 1000).toFixed(1)} s — ${first.created} tạo, ${first.failed} lỗi (${(firstMs / Math.max(1, first.created)).toFixed(0)} ms mỗi bộ dữ liệu)`,
      `  sau một thay đổi:   ${(secondMs / 1000).toFixed(2)} s — ${second.updated} cập nhật, ${second.unchanged} không đổi`,
      '',
    ].join('\n'));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await db.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function startServe(dataDir: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'serve.ts')], {
      cwd: projectRoot, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: String(port), HOST: '127.0.0.1', PORTAL_BUILD_SITE: '0', PORTAL_QUIET: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (c: Buffer) => { out += c.toString(); if (/phục vụ .* tại http/.test(out)) resolve(child); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}
