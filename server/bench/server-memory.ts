import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openAsBlob } from 'node:fs';
import { generateCsv } from './generate.ts';
import { loadConfig, projectRoot } from '../config.ts';
import { openPortal } from '../portal.ts';
import { systemCaller } from '../actions/index.ts';
import { principalOf } from '../auth/accounts.ts';

/**
 * bench:memory — the server's memory as users run it: `npm start` (the npm script, its flags, the
 * embedded database, the demo catalogue) idle once it is ready, then while it takes an upload of
 * `mb` MB through the Action API (package_create with the file) until the answer. The server's RSS is
 * read from /proc every 50 ms (a floor of the true peak). Several rounds: median and spread.
 */
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const spread = (xs: number[]) => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;
const rssMB = (pid: number) => {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024; } catch { return 0; }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); });
  });
}

/** The server's own process: the node process running scripts/start.ts under npm and its shell. */
function serverPid(root: number): number | null {
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // npm runs the script through `sh -c`: the server is the node process itself
      if (path.basename(args[0]!) === 'node' && args.some((a) => a.endsWith('scripts/start.ts'))) return pid;
    } catch { /* gone */ }
    for (const t of fs.readdirSync(`/proc/${pid}/task`, { withFileTypes: true })) {
      try { stack.push(...fs.readFileSync(`/proc/${pid}/task/${t.name}/children`, 'utf8').split(' ').filter(Boolean).map(Number)); } catch { /* gone */ }
    }
  }
  return null;
}

export async function benchServerMemory(mb: number, runs = Math.max(1, Number(process.env.BENCH_RUNS) || 3)): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  const csv = path.join(work, 'tai-len.csv');
  process.stdout.write(`\n=== Bộ nhớ của máy chủ (npm start, CSDL nhúng, danh mục mẫu): nghỉ, và khi nhận tệp ${mb} MB qua API; ${runs} lượt\n`);
  await generateCsv(csv, mb * 1024 * 1024);
  const idle: number[] = [];
  const added: number[] = [];
  const seconds: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const dataDir = path.join(work, `data-${r}`);
      // an admin's API token, made before the server holds the embedded database
      const portal = await openPortal(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: '', PORTAL_QUIET: '1' }));
      const admin = await portal.actions.call('user_create', systemCaller('cli'), { name: 'bench.admin', fullname: 'Bench', password: 'mat-khau-do-bo-nho-2026', sysadmin: true });
      const { token } = await portal.actions.call('api_token_create', { user: await principalOf(portal.database.db, admin.id) }, { name: 'bench' });
      await portal.close();

      const port = await freePort();
      const npm = spawn('npm', ['start'], { cwd: projectRoot, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: String(port), UPLOAD_MAX_MB: String(mb + 100), PORTAL_QUIET: '0' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      try {
        await ready(npm);
        await sleep(30_000); // idle: the first publish's child gone, timers settled
        const pid = serverPid(npm.pid!);
        if (!pid) throw new Error('server process not found');
        const before = rssMB(pid);
        let peak = before;
        const sampler = setInterval(() => { peak = Math.max(peak, rssMB(pid)); }, 50);
        const fd = new FormData();
        fd.append('title', `Tệp lớn ${r}`);
        fd.append('name', `tep-lon-${r}`);
        fd.append('owner_org', 'so-noi-vu');
        fd.append('upload', await openAsBlob(csv), 'tai-len.csv');
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/3/action/package_create`, { method: 'POST', body: fd, headers: { authorization: token } });
        const body = await res.text();
        const s = (performance.now() - t0) / 1000;
        clearInterval(sampler);
        if (!res.ok) throw new Error(`upload answered ${res.status}: ${body.slice(0, 500)}`);
        idle.push(before);
        added.push(peak - before);
        seconds.push(s);
        process.stdout.write(`  lượt ${r + 1}: nghỉ ${before.toFixed(0)} MB; tải lên ${mb} MB: ${s.toFixed(1)} s, RSS đỉnh ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB)\n`);
      } finally {
        await stop(npm);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
    process.stdout.write(`  máy chủ nghỉ sau npm start: ${spread(idle)} MB; thêm khi nhận tệp ${mb} MB: ${spread(added)} MB (trong ${median(seconds).toFixed(1)} s); trung vị [nhỏ nhất–lớn nhất]\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`npm start not ready after 10 min: ${out.slice(-2000)}`)), 600_000);
    child.stderr!.on('data', (d) => { out = (out + d).slice(-20_000); if (out.includes('cổng dữ liệu sẵn sàng')) { clearTimeout(timer); resolve(); } });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited (${code}): ${out.slice(-2000)}`)); });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
  await Promise.race([exited, sleep(15_000)]);
  try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
}
