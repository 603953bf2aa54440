import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCsv } from './generate.ts';
import { measure, type Run } from './ingest-rss.ts';
import { pageCacheCost } from './page-cache.ts';

/**
 * `npm run bench:ingest [-- 100 1000]`: what users run, on generated Vietnamese CSVs of the given
 * sizes in MB. For each size, BENCH_RUNS times (default 3), alternating:
 * - papaparse: a bare papaparse parse of the file (the reference speed);
 * - ingestFile: the ingest alone, in its own process;
 * - npm run ingest (PGlite): the user's command, `npm run ingest -- <file> --new --org … --title …`, on a
 *   fresh data directory with the embedded database (a copy of one seeded once);
 * - npm run ingest (PostgreSQL): the same with DATABASE_URL on a fresh database of the local server
 *   (BENCH_DATABASE_URL, else postgres://<user>@127.0.0.1:5432/test; skipped when it does not answer).
 * Peak RSS is each command's largest process (as /usr/bin/time -v prints it); the sum over its
 * process tree (npm and node) is printed too, and the CPU time of each run (all threads: on a machine
 * where other work runs, it varies less than the wall time). The two npm run ingest speeds are of the whole
 * command (start, open the database, ingest, store, write the snapshot), the other two of the
 * parse or ingest inside their process. Medians and spread (min–max) follow each size.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const ORG = 'so-khoa-hoc-va-cong-nghe';
const TARGET_MB = 256;

interface Mode { key: string; label: string; run(file: string, run: number): Promise<Run | null> }

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const vi = (x: number, digits = 1) => x.toLocaleString('vi-VN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const spread = (xs: number[], digits = 0) => `${vi(Math.min(...xs), digits)}–${vi(Math.max(...xs), digits)}`;

async function postgresAdmin(): Promise<string | null> {
  const url = process.env.BENCH_DATABASE_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, { connect_timeout: 2, max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    return url;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

function seed(env: NodeJS.ProcessEnv): void {
  const r = spawnSync('npm', ['run', '--silent', 'seed'], { cwd: root, env: { ...env, PORTAL_QUIET: '1' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run seed: ${r.stderr || r.stdout}`);
}

export async function benchIngest(sizesMB: number[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'portal-bench-'));
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const baseEnv = { ...process.env, PORTAL_QUIET: '1' };
  const child = path.join(import.meta.dirname, 'ingest-child.ts');
  const adminUrl = await postgresAdmin();
  try {
    // one seeded data directory (the demo catalogue's units), copied for each run
    const template = path.join(dir, 'seeded');
    seed({ ...baseEnv, DATA_DIR: template, DATABASE_URL: '' });

    // the same V8 flags as `npm run ingest`, read from package.json
    const script = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.ingest!;
    const flags = script.split(/\s+/).filter((a) => a.startsWith('--'));
    const childRun = (mode: 'parse' | 'ingest') => async (file: string): Promise<Run> => {
      const work = path.join(dir, `work-${mode}`);
      fs.mkdirSync(work, { recursive: true });
      const r = await measure(process.execPath, [...flags, child, mode, file, work], { cwd: root, env: baseEnv });
      fs.rmSync(work, { recursive: true, force: true });
      // the time of the parse or ingest itself, without starting Node (as the speeds were compared before)
      const line = JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as { seconds?: number; valid?: boolean };
      return { ...r, seconds: line.seconds ?? r.seconds, code: r.code === 0 && line.valid === false ? 1 : r.code };
    };
    const cli = (file: string, env: NodeJS.ProcessEnv, n: number) =>
      measure('npm', ['run', '--silent', 'ingest', '--', file, '--new', '--org', ORG, '--title', `Hồ sơ thủ tục hành chính (đo lần ${n})`], { cwd: root, env });

    const modes: Mode[] = [
      { key: 'parse', label: 'papaparse (chỉ phân tích)', run: childRun('parse') },
      { key: 'ingest', label: 'ingestFile (chỉ nạp)', run: childRun('ingest') },
      {
        key: 'pglite', label: 'npm run ingest (PGlite)',
        async run(file, n) {
          const dataDir = path.join(dir, 'data-pglite');
          fs.rmSync(dataDir, { recursive: true, force: true });
          fs.cpSync(template, dataDir, { recursive: true });
          const r = await cli(file, { ...baseEnv, DATA_DIR: dataDir, DATABASE_URL: '' }, n);
          fs.rmSync(dataDir, { recursive: true, force: true });
          return r;
        },
      },
    ];
    if (adminUrl) {
      modes.push({
        key: 'postgres', label: 'npm run ingest (PostgreSQL)',
        async run(file, n) {
          const { default: postgres } = await import('postgres');
          const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
          const name = `portal_bench_${crypto.randomBytes(6).toString('hex')}`;
          await admin.unsafe(`CREATE DATABASE ${name}`);
          const url = new URL(adminUrl);
          url.pathname = `/${name}`;
          const dataDir = path.join(dir, 'data-postgres');
          try {
            const env = { ...baseEnv, DATA_DIR: dataDir, DATABASE_URL: url.toString() };
            seed(env);
            return await cli(file, env, n);
          } finally {
            fs.rmSync(dataDir, { recursive: true, force: true });
            await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await admin.end();
          }
        },
      });
    } else {
      console.log('(PostgreSQL không trả lời: bỏ qua npm run ingest trên PostgreSQL)');
    }

    for (const mbTarget of sizesMB) {
      const file = path.join(dir, `ho-so-${mbTarget}mb.csv`);
      const t0 = Date.now();
      const { rows, bytes } = await generateCsv(file, mbTarget * 1e6);
      const mb = bytes / 1e6;
      console.log(`\n${mb.toFixed(0)} MB, ${rows.toLocaleString('vi-VN')} hàng (tạo trong ${((Date.now() - t0) / 1000).toFixed(1)} s); ${runs} lượt xen kẽ; cờ của Node: ${flags.join(' ')}`);
      const page = pageCacheCost(dir);
      console.log(`  máy này: ghi ${page.mb} MB vào tệp mới tốn ${vi(page.firstSystemSeconds, 2)} s CPU của nhân hệ điều hành lần đầu, ${vi(page.againSystemSeconds, 2)} s khi ghi lại ngay sau khi xoá (bộ nhớ vừa giải phóng); một lần nạp ghi khoảng 3,4 lần kích thước tệp`);
      const results = new Map<string, Run[]>(modes.map((m) => [m.key, []]));
      for (let n = 1; n <= runs; n++) {
        for (const mode of modes) {
          const r = await mode.run(file, n);
          if (!r) continue;
          const ok = r.code === 0;
          if (!ok) console.log(`  lần ${n}, ${mode.label}: lỗi (mã ${r.code})\n${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
          else results.get(mode.key)!.push(r);
          if (ok) console.log(`  lần ${n}: ${mode.label.padEnd(28)} ${vi(mb / r.seconds).padStart(6)} MB/s, ${vi(r.seconds).padStart(5)} s${r.cpuSeconds === undefined ? '' : ` (CPU ${vi(r.cpuSeconds)} s, của nhân ${vi(r.systemSeconds ?? 0)} s)`}, RSS đỉnh ${r.peakMB.toFixed(0)} MB (cả cây tiến trình ${r.treeMB.toFixed(0)} MB)`);
        }
      }
      const parse = results.get('parse')!;
      console.log(`  trung vị (khoảng) của ${runs} lượt:`);
      for (const mode of modes) {
        const rs = results.get(mode.key)!;
        if (!rs.length) continue;
        const speeds = rs.map((r) => mb / r.seconds);
        const ratio = parse.length && mode.key !== 'parse' ? `, tỷ lệ so với papaparse ${vi(median(parse.map((r) => r.seconds)) / median(rs.map((r) => r.seconds)), 2)} (mục tiêu ≥ 0,5)` : '';
        const peaks = rs.map((r) => r.peakMB);
        const memory = mode.key === 'pglite' || mode.key === 'postgres' ? ` (mục tiêu ≤ ${TARGET_MB} MB)` : '';
        const kernel = rs.every((r) => r.systemSeconds !== undefined) ? `; CPU của nhân ${vi(median(rs.map((r) => r.systemSeconds!)))} s` : '';
        console.log(`    ${mode.label.padEnd(28)} ${vi(median(speeds))} MB/s (${spread(speeds, 1)})${ratio}; RSS đỉnh ${median(peaks).toFixed(0)} MB (${spread(peaks)})${memory}, cây tiến trình ${median(rs.map((r) => r.treeMB)).toFixed(0)} MB${kernel}`);
      }
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
