import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCsv } from './generate.ts';

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
      const results: Record<string, { seconds: number; maxRssMB: number; rows: number; valid: boolean }> = {};
      for (const mode of ['parse', 'ingest'] as const) {
        const work = path.join(dir, `work-${mode}`);
        fs.mkdirSync(work, { recursive: true });
        // the same V8 flag as `npm run ingest` (package.json): a smaller young generation keeps peak RSS down
        const out = execFileSync(process.execPath, ['--max-semi-space-size=8', child, mode, file, work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        results[mode] = JSON.parse(out.trim().split('\n').pop()!);
        fs.rmSync(work, { recursive: true, force: true });
        const r = results[mode]!;
        console.log(`  ${mode === 'parse' ? 'papaparse (chỉ phân tích)' : 'nạp đầy đủ (ingest)     '}: ${(bytes / 1e6 / r.seconds).toFixed(1)} MB/s, ${r.seconds.toFixed(1)} s, RSS đỉnh ${r.maxRssMB.toFixed(0)} MB, ${r.rows.toLocaleString('vi-VN')} hàng${r.valid ? '' : ' (KHÔNG HỢP LỆ)'}`);
      }
      const ratio = results.parse!.seconds / results.ingest!.seconds;
      console.log(`  tỷ lệ ingest/papaparse: ${ratio.toFixed(2)} (mục tiêu ≥ 0,5); RSS đỉnh ingest ${results.ingest!.maxRssMB.toFixed(0)} MB (mục tiêu ≤ 256 MB)`);
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
