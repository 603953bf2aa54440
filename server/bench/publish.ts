import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { openPortal } from '../portal.ts';
import { publish } from '../commands.ts';
import { principalOf } from '../auth/accounts.ts';
import { systemCaller } from '../actions/index.ts';
import { fillSynthetic } from '../catalog/synthetic.ts';
import { projectRoot } from '../config.ts';
import { REALISTIC_UNITS } from '../../test/helpers/search-catalogue.ts';

/**
 * bench:publish — what a unit and the public see when a change is published, on the portal as it
 * runs (`npm run serve`: its own process, its publisher running each publish in a child process), at
 * n datasets (a synthetic catalogue written in bulk, then published and built once in full):
 *
 * - the API's answer to the change (a new version by upload, a metadata edit, a withdrawal);
 * - the time until the public page shows it;
 * - meanwhile, a page, a dataset page and a download polled every 50 ms (the wait of each), and a
 *   second upload sent while the first change is being published (its answer time).
 *
 * Several rounds of each change; the median and the spread [min–max] are printed.
 * `npm run bench:publish -- 10000` (default 1,000). BENCH_RUNS (default 3), DATABASE_URL for PostgreSQL.
 */
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const spread = (xs: number[], f: (x: number) => string) => `${f(median(xs))} [${f(Math.min(...xs))}–${f(Math.max(...xs))}]`;
const ms = (x: number) => `${Math.round(x).toLocaleString('vi-VN')} ms`;
const s1 = (x: number) => `${(x / 1000).toFixed(1)} s`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function benchPublish(n: number): Promise<void> {
  const runs = Math.max(1, Number(process.env.BENCH_RUNS) || 3);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-publish-${n}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { DATA_DIR: dataDir, PORT: String(port), SITE_URL: base, DATABASE_URL: process.env.DATABASE_URL ?? '', PORTAL_QUIET: '1' };
  process.env.PORTAL_QUIET ??= '1';
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`bench:publish ${n.toLocaleString('vi-VN')} bộ dữ liệu, ${runs} lượt mỗi loại thay đổi (dữ liệu: ${dataDir}; CSDL: ${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`);

  // —— the catalogue, published and built once in full ——
  const portal = await openPortal(loadConfig(env));
  const t0 = Date.now();
  const { slugs } = await fillSynthetic(portal.database.db, portal.store, {
    count: n, units: REALISTIC_UNITS,
    onProgress: (done) => { if (done % 10_000 === 0 || done === n) say(`  nạp ${done.toLocaleString('vi-VN')}/${n.toLocaleString('vi-VN')} bộ dữ liệu (${s1(Date.now() - t0)})`); },
  });
  const system = systemCaller('cli');
  const account = await portal.actions.call('user_create', system, { name: 'bench.admin', fullname: 'Bench', password: 'mat-khau-do-hieu-nang', sysadmin: true });
  const { token } = await portal.actions.call('api_token_create', { user: await principalOf(portal.database.db, account.id) }, { name: 'bench' });
  const t1 = Date.now();
  const first = await publish(portal, { site: true, full: true });
  say(`  công bố và dựng toàn bộ lần đầu: ${s1(Date.now() - t1)}${first.site?.kind === 'full' ? ` (${first.site.pages.toLocaleString('vi-VN')} trang)` : ''}`);
  await portal.close();

  // —— the portal as it runs ——
  const server = spawn(process.execPath, ['--max-semi-space-size=8', path.join(projectRoot, 'scripts', 'serve.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let serverErr = '';
  server.stderr!.on('data', (d) => { serverErr = (serverErr + d).slice(-4000); });
  try {
    await waitFor(async () => (await fetch(`${base}/`).catch(() => null))?.status === 200, 120_000, () => `server did not start: ${serverErr}`);
    const results = { version: [] as Round[], edit: [] as Round[], withdraw: [] as Round[] };
    const download = await firstDownload(base, slugs[1]!);
    const polled = ['/', `/dataset/${slugs[2]}/`, download];
    let k = 10;
    for (let r = 0; r < runs; r++) {
      for (const kind of ['version', 'edit', 'withdraw'] as const) {
        const target = slugs[k++]!;
        const other = slugs[k++]!;
        const marker = `Đo ${kind} ${Date.now()}`;
        const change = () => kind === 'version' ? upload(base, token, target, marker)
          : kind === 'edit' ? api(base, token, 'package_patch', { id: target, title: marker })
          : api(base, token, 'package_delete', { id: target, reason: marker });
        results[kind].push(await round(base, token, polled, target, marker, change, other));
      }
    }
    say('');
    say(`=== Công bố → hiển thị, ${n.toLocaleString('vi-VN')} bộ dữ liệu, npm run serve (${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}); trung vị [nhỏ nhất–lớn nhất] của ${runs} lượt ===`);
    for (const [kind, label] of [['version', 'phiên bản mới (tải tệp CSV 2 dòng)'], ['edit', 'sửa thông tin mô tả (package_patch)'], ['withdraw', 'rút bộ dữ liệu (package_delete)']] as const) {
      const rs = results[kind];
      say(`${label}:`);
      say(`  API trả lời                          ${spread(rs.map((x) => x.answer), ms)}`);
      say(`  trang công khai hiển thị sau         ${spread(rs.map((x) => x.visible), s1)}`);
      say(`  tải tệp khác trong lúc công bố, API  ${spread(rs.map((x) => x.uploadDuring), ms)}`);
      say(`  trang và tệp tải về trong lúc công bố: p50 ${spread(rs.map((x) => x.p50), ms)}, p99 ${spread(rs.map((x) => x.p99), ms)}, lớn nhất ${spread(rs.map((x) => x.max), ms)} (${rs.reduce((a, x) => a + x.requests, 0)} yêu cầu)`);
    }
    say('');
  } finally {
    await stop(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Round { answer: number; visible: number; uploadDuring: number; p50: number; p99: number; max: number; requests: number }

async function round(base: string, token: string, polled: string[], target: string, marker: string, change: () => Promise<Response>, other: string): Promise<Round> {
  const waits: number[] = [];
  let polling = true;
  const poller = (async () => {
    for (let i = 0; polling; i++) {
      const t = performance.now();
      const res = await fetch(`${base}${polled[i % polled.length]}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${polled[i % polled.length]} answered ${res.status}`);
      waits.push(performance.now() - t);
      await sleep(50);
    }
  })();
  const start = performance.now();
  const res = await change();
  const answer = performance.now() - start;
  if (!res.ok) throw new Error(`change answered ${res.status}: ${await res.text()}`);
  // a second unit uploads while the first change is being published
  await sleep(300);
  const otherMarker = `Khác ${Date.now()}`;
  const t2 = performance.now();
  const res2 = await upload(base, token, other, otherMarker);
  const uploadDuring = performance.now() - t2;
  if (!res2.ok) throw new Error(`second upload answered ${res2.status}: ${await res2.text()}`);
  let visible = 0;
  await waitFor(async () => {
    const html = await (await fetch(`${base}/dataset/${target}/`)).text();
    if (html.includes(marker) && !visible) visible = performance.now() - start;
    return visible > 0;
  }, 600_000, () => `the change to ${target} never showed`, 100);
  // the second change too, before the next round (its publish follows the first)
  await waitFor(async () => (await (await fetch(`${base}/dataset/${other}/`)).text()).includes(otherMarker), 600_000, () => `the upload to ${other} never showed`, 100);
  polling = false;
  await poller;
  return { answer, visible, uploadDuring, p50: pct(waits, 50), p99: pct(waits, 99), max: Math.max(...waits), requests: waits.length };
}

function upload(base: string, token: string, slug: string, note: string): Promise<Response> {
  const fd = new FormData();
  fd.append('package_id', slug);
  fd.append('resource_name', 'du-lieu');
  fd.append('note', note);
  fd.append('upload', new Blob([`Mã,Tên,Số lượng\r\n1,${note},${Date.now() % 1000}\r\n`]), 'cap-nhat.csv');
  return fetch(`${base}/api/3/action/resource_update`, { method: 'POST', body: fd, headers: { authorization: token } });
}

function api(base: string, token: string, action: string, body: object): Promise<Response> {
  return fetch(`${base}/api/3/action/${action}`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: token, 'content-type': 'application/json' } });
}

async function firstDownload(base: string, slug: string): Promise<string> {
  const html = await (await fetch(`${base}/dataset/${slug}/`)).text();
  const m = /href="(\/dataset\/[^"]*\/download\/[^"]*\.csv)"/.exec(html);
  if (!m) throw new Error(`no download link on /dataset/${slug}/`);
  return m[1]!;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string, every = 250): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(message());
    await sleep(every);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
