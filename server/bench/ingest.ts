import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCsv } from './generate.ts';

interface Measurement { seconds: number; maxRssMB: number; rows: number; valid: boolean }

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

/**
 * `npm run bench:ingest`: full ingest MB/s next to a bare papaparse parse of the same file in the
 * same run, and peak RSS of each, on generated Vietnamese CSVs (default 100 MB and 1 GB).
 */
export async function benchIngest(sizesMB: number[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'portal-bench-'));
  const child = path.join(import.meta.dirname, 'ingest-child.ts');
  try {
    for (const mbTarget of sizesMB) {
      const file = path.join(dir, `ho-so-${mbTarget}mb.csv`);
      const t0 = Date.now();
      const { rows, bytes } = await generateCsv(file, mbTarget * 1e6);
      console.log(`\n${(bytes / 1e6).toFixed(0)} MB, ${rows.toLocaleString('vi-VN')} hàng (tạo trong ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      // parse and ingest alternate, BENCH_RUNS times (default 3): on a shared 2-core machine one run
      // of the same code varied by ±15%, so the median of each is what is compared
      const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
      const results: Record<'parse' | 'ingest', Measurement[]> = { parse: [], ingest: [] };
      for (let run = 1; run <= runs; run++) {
        for (const mode of ['parse', 'ingest'] as const) {
          const work = path.join(dir, `work-${mode}`);
          fs.mkdirSync(work, { recursive: true });
          // the same V8 flag as `npm run ingest` (package.json): a smaller young generation keeps peak RSS down
          const out = execFileSync(process.execPath, ['--max-semi-space-size=8', child, mode, file, work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
          const r: Measurement = JSON.parse(out.trim().split('\n').pop()!);
          results[mode].push(r);
          fs.rmSync(work, { recursive: true, force: true });
          console.log(`  ${runs > 1 ? `lần ${run}: ` : ''}${mode === 'parse' ? 'papaparse (chỉ phân tích)' : 'nạp đầy đủ (ingest)     '}: ${(bytes / 1e6 / r.seconds).toFixed(1)} MB/s, ${r.seconds.toFixed(1)} s, RSS đỉnh ${r.maxRssMB.toFixed(0)} MB, ${r.rows.toLocaleString('vi-VN')} hàng${r.valid ? '' : ' (KHÔNG HỢP LỆ)'}`);
        }
      }
      const parse = median(results.parse.map((r) => r.seconds));
      const ingest = median(results.ingest.map((r) => r.seconds));
      const peak = Math.max(...results.ingest.map((r) => r.maxRssMB));
      console.log(`  trung vị: papaparse ${(bytes / 1e6 / parse).toFixed(1)} MB/s, ingest ${(bytes / 1e6 / ingest).toFixed(1)} MB/s`);
      console.log(`  tỷ lệ ingest/papaparse: ${(parse / ingest).toFixed(2)} (mục tiêu ≥ 0,5); RSS đỉnh ingest ${peak.toFixed(0)} MB (mục tiêu ≤ 256 MB)`);
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
