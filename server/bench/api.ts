import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { writeSyntheticSnapshot } from './site.ts';
import { switchLink } from '../publish/snapshot.ts';
import { projectRoot } from '../config.ts';

/**
 * The Action API as its clients meet it: the portal's own server (`npm run serve`, its own process)
 * over a synthetic snapshot of n datasets, loaded by autocannon from this process with 50
 * connections. Prints p50/p95 and requests per second of package_show, package_search's first and a
 * deep page, and a text query — each the median of BENCH_RUNS runs with their spread.
 */
export async function benchApi(n: number, runs = Number(process.env.BENCH_RUNS ?? 3), seconds = Number(process.env.BENCH_SECONDS ?? 8)): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-api-${n}-`));
  const snap = path.join(dataDir, 'publish-builds', 'bench');
  process.stdout.write(`\n=== Action API, ${n.toLocaleString('vi-VN')} bộ dữ liệu — tạo ảnh chụp công bố…\n`);
  writeSyntheticSnapshot(snap, n);
  switchLink(path.join(dataDir, 'publish'), snap);
  const slugs = (JSON.parse(fs.readFileSync(path.join(snap, 'catalog.json'), 'utf8')) as { datasets: { slug: string }[] }).datasets.map((d) => d.slug);

  const { child, url } = await startServe(dataDir);
  try {
    let i = 0;
    const scenarios: { name: string; path: () => string }[] = [
      { name: 'package_show (ngẫu nhiên trong toàn danh mục)', path: () => `/api/3/action/package_show?id=${slugs[(i = (i * 7919 + 13) % slugs.length)]}` },
      { name: 'package_search trang đầu (rows=10)', path: () => '/api/3/action/package_search?rows=10' },
      { name: `package_search trang sâu (start=${Math.max(0, n - 100)})`, path: () => `/api/3/action/package_search?rows=10&start=${Math.max(0, n - 100)}&sort=id%20asc` },
      { name: 'package_search q="dan so" + facet', path: () => '/api/3/action/package_search?q=dan%20so&facet.field=%5B%22organization%22%5D' },
      { name: 'harvester: rows=100&sort=id asc', path: () => '/api/3/action/package_search?rows=100&start=200&sort=id%20asc' },
    ];
    for (const s of scenarios) await load(url, s.path, 2); // warm-up: the caches a running portal has
    process.stdout.write(`  máy chủ: npm run serve (tiến trình riêng), 50 kết nối, ${seconds} s mỗi lượt, ${runs} lượt (trung vị, [nhỏ nhất–lớn nhất])\n`);
    for (const s of scenarios) {
      const results: { p50: number; p95: number; rps: number; errors: number }[] = [];
      for (let r = 0; r < runs; r++) results.push(await load(url, s.path, seconds));
      const med = (k: 'p50' | 'p95' | 'rps') => median(results.map((x) => x[k]));
      const span = (k: 'p50' | 'p95' | 'rps') => `[${Math.min(...results.map((x) => x[k])).toFixed(k === 'rps' ? 0 : 1)}–${Math.max(...results.map((x) => x[k])).toFixed(k === 'rps' ? 0 : 1)}]`;
      const errors = results.reduce((a, x) => a + x.errors, 0);
      process.stdout.write(`  ${s.name.padEnd(52)} p50 ${med('p50').toFixed(1)} ms ${span('p50')}, p95 ${med('p95').toFixed(1)} ms ${span('p95')}, ${med('rps').toFixed(0)} yêu cầu/s ${span('rps')}${errors ? `, ${errors} lỗi` : ''}\n`);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function load(url: string, nextPath: () => string, seconds: number): Promise<{ p50: number; p95: number; rps: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url, connections: 50, duration: seconds,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextPath() }) }],
    }, (err, r) => (err ? reject(err) : resolve(r)));
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      times.push(ms);
      if (status !== 200) errors++;
    });
  });
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), rps: result.requests.average, errors: errors + result.errors + result.non2xx };
}

/** `npm run serve` on the data folder, as an operator runs it; resolves with its address. */
function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'serve.ts')], {
      cwd: projectRoot, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', PORTAL_QUIET: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /phục vụ .* tại (http:\/\/[^\s]+)\//.exec(out);
      if (m) resolve({ child, url: m[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}
