import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases } from './helpers/databases.ts';
import { tempDir } from './helpers/fixtures.ts';
import { toWindows1258 } from './helpers/encode.ts';
import { openDatabase } from '../server/db/index.ts';
import { systemCaller } from '../server/actions/index.ts';
import { testCatalog } from './helpers/catalog.ts';
import { publishedDataset } from '../server/publish/snapshot-files.ts';

const root = path.resolve(import.meta.dirname, '..');
/** Node's flags in `npm run <script>` (package.json), so the commands run as users run them */
const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const flagsOf = (script: string) => (scripts[script] ?? '').split(/\s+/).filter((a) => a.startsWith('--'));

for (const target of databases) {
  describe(`npm run ingest on ${target.name}`, () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    let work: string;
    const run = (script: string, ...args: string[]) => {
      const r = spawnSync(process.execPath, [...flagsOf(script), path.join(root, 'scripts', `${script}.ts`), ...args], { cwd: root, env: { ...process.env, ...env, PORTAL_QUIET: '1' }, encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const published = (slug: string) => {
      const snapshot = path.join(env.DATA_DIR!, 'publish');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read what they check
      return (fs.existsSync(snapshot) ? publishedDataset(snapshot, slug) : null) as any;
    };
    const pharmacies = (rows: string[]) => toWindows1258(['Mã nhà thuốc,Tên nhà thuốc,Xã/Phường,Ngày cấp phép,Số dược sĩ', ...rows].join('\r\n') + '\r\n');

    beforeAll(async () => {
      work = tempDir('portal-cli-');
      ({ env, drop } = await target.childEnv(path.join(work, 'data')));
      expect(run('seed').code).toBe(0);
    });
    afterAll(async () => { await drop?.(); });

    it('creates a dataset from a Windows-1258 CSV and publishes it (exit 0)', () => {
      const file = path.join(work, 'nha-thuoc.csv');
      fs.writeFileSync(file, pharmacies(['NT001,Nhà thuốc Hồng Đức,Phường Quy Nhơn,05/02/2024,2', 'NT002,Nhà thuốc Ánh Dương,Xã Đắk Đoa,17/11/2023,1']));
      const r = run('ingest', file, '--new', '--org', 'so-y-te', '--title', 'Danh sách nhà thuốc đạt chuẩn GPP');
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('bảng mã windows-1258');
      expect(r.out).toContain('Đã công bố phiên bản 1');
      const d = published('danh-sach-nha-thuoc-dat-chuan-gpp');
      expect(d.organization.slug).toBe('so-y-te');
      expect(d.resources[0].rowCount).toBe(2);
    });

    it('reports "no change" for the same bytes (exit 3) and keeps the version', () => {
      const r = run('ingest', path.join(work, 'nha-thuoc.csv'), '--dataset', 'danh-sach-nha-thuoc-dat-chuan-gpp');
      expect(r.code).toBe(3);
      expect(r.out).toContain('Không có thay đổi');
      expect(published('danh-sach-nha-thuoc-dat-chuan-gpp').version).toBe(1);
    });

    it('refuses an update with a bad row against the published schema (exit 1), writing the JSON report', () => {
      const file = path.join(work, 'nha-thuoc-q2.csv');
      fs.writeFileSync(file, pharmacies(['NT001,Nhà thuốc Hồng Đức,Phường Quy Nhơn,05/02/2024,2', 'NT003,Nhà thuốc Phúc An,Xã Ia Ly,31/04/2024,một']));
      const reportFile = path.join(work, 'report.json');
      const r = run('ingest', file, '--dataset', 'danh-sach-nha-thuoc-dat-chuan-gpp', '--report', reportFile);
      expect(r.code).toBe(1);
      expect(r.out).toContain('KHÔNG HỢP LỆ');
      const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
      expect(report.errors.map((e: { rowNumber: number; fieldName: string; type: string; cell: string }) => [e.rowNumber, e.fieldName, e.type, e.cell])).toEqual([
        [3, 'Ngày cấp phép', 'type-error', '31/04/2024'],
        [3, 'Số dược sĩ', 'type-error', 'một'],
      ]);
      expect(published('danh-sach-nha-thuoc-dat-chuan-gpp').version).toBe(1);
    });

    it('publishes the corrected file as version 2 (exit 0)', () => {
      const file = path.join(work, 'nha-thuoc-q2.csv');
      fs.writeFileSync(file, pharmacies(['NT001,Nhà thuốc Hồng Đức,Phường Quy Nhơn,05/02/2024,2', 'NT003,Nhà thuốc Phúc An,Xã Ia Ly,30/04/2024,1']));
      const r = run('ingest', file, '--dataset', 'danh-sach-nha-thuoc-dat-chuan-gpp', '--note', 'Bổ sung nhà thuốc quý 2');
      expect(r.code, r.out + r.err).toBe(0);
      const d = published('danh-sach-nha-thuoc-dat-chuan-gpp');
      expect(d.version).toBe(2);
      expect(d.versions[0].note).toBe('Bổ sung nhà thuốc quý 2');
    });

    it('leaves no dataset behind when the first file of a new dataset is invalid', () => {
      const file = path.join(work, 'hong.csv');
      fs.writeFileSync(file, 'Mã,Tên,Tên\n1,A,B\n');
      const r = run('ingest', file, '--new', '--org', 'so-y-te', '--title', 'Bộ dữ liệu hỏng');
      expect(r.code).toBe(1);
      expect(r.out).toContain('[duplicate-label]');
      expect(run('ingest', file, '--dataset', 'bo-du-lieu-hong').err).toContain('[dataset-not-found]');
    });

    it('shows how far a long ingest has read: bytes, share and rows, in the log', () => {
      const file = path.join(work, 'ho-so.csv');
      const rows = ['Mã hồ sơ,Họ và tên,Ngày tiếp nhận,Số tiền'];
      for (let i = 1; i <= 60_000; i++) rows.push(`HS${i},Nguyễn Văn ${i},${String(1 + (i % 28)).padStart(2, '0')}/05/2025,"${i}.000"`);
      fs.writeFileSync(file, rows.join('\r\n') + '\r\n');
      const r = spawnSync(process.execPath, [...flagsOf('ingest'), path.join(root, 'scripts', 'ingest.ts'), file, '--new', '--org', 'so-y-te', '--title', 'Hồ sơ tiếp nhận thử tiến độ'], {
        cwd: root, env: { ...process.env, ...env, PORTAL_QUIET: '0', PORTAL_PROGRESS_SECONDS: '0.01' }, encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l.includes('[ingest]'));
      const seen = lines.map((l) => /(\S+): ([\d.]+)\/([\d.]+) MB \((\d+)%\), ([\d.]+) hàng/.exec(l)).filter((m) => m !== null);
      expect(seen.length, r.stderr).toBeGreaterThan(0);
      expect(Number(seen[0]![3])).toBeCloseTo(fs.statSync(file).size / 1e6, 1);
      // a line taken while reading names the phase and counts what was read so far
      expect(seen.some((m) => m[1] === 'đọc' && Number(m[2]) > 0 && Number(m[5]!.replace(/\./g, '')) > 0), lines.join('\n')).toBe(true);
    });

    it('takes --no-header: the first row of a file without a header row stays data, columns cot_1 … cot_n', () => {
      // two rows of text: read alone, the first row could be a header; the unit says it is not
      const file = path.join(work, 'khong-tieu-de.csv');
      fs.writeFileSync(file, 'Nguyễn Văn An,Phường Pleiku\r\nTrần Thị Bình,Xã Ia Grai\r\nLê Văn Cường,Xã Đak Đoa\r\n');
      const r = run('ingest', file, '--new', '--org', 'so-y-te', '--title', 'Danh sách không có hàng tiêu đề', '--slug', 'khong-tieu-de', '--no-header');
      expect(r.code, r.err).toBe(0);
      const res = published('khong-tieu-de').resources[0];
      expect(res.rowCount).toBe(3);
      expect(res.schema.fields.map((f: { name: string }) => f.name)).toEqual(['cot_1', 'cot_2']);
    });

    it('says clearly when the dataset or the unit does not exist (exit 2)', () => {
      const file = path.join(work, 'nha-thuoc.csv');
      const missing = run('ingest', file, '--dataset', 'khong-ton-tai');
      expect(missing.code).toBe(2);
      expect(missing.err).toContain('[dataset-not-found]');
      const noUnit = run('ingest', file, '--new', '--org', 'so-khong-co', '--title', 'Thử');
      expect(noUnit.code).toBe(2);
      expect(noUnit.err).toContain('[organization-not-found]');
      expect(run('ingest', file).code).toBe(2);
    });

    it('refuses a new version of a withdrawn dataset until it is reinstated (exit 2), and runs the metadata rules', async () => {
      const db = await openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { pgDir: path.join(env.DATA_DIR!, 'pg') });
      try {
        await testCatalog(db).actions.call('package_delete', systemCaller('cli'), { id: 'danh-sach-nha-thuoc-dat-chuan-gpp', reason: 'Thay bằng danh sách mới của Sở' });
      } finally {
        await db.close();
      }
      const file = path.join(work, 'nha-thuoc-q3.csv');
      fs.writeFileSync(file, pharmacies(['NT001,Nhà thuốc Hồng Đức,Phường Quy Nhơn,05/02/2024,3']));
      const r = run('ingest', file, '--dataset', 'danh-sach-nha-thuoc-dat-chuan-gpp', '--note', 'Sau khi rút');
      expect(r.code).toBe(2);
      expect(r.err).toContain('[dataset-withdrawn]');
      expect(published('danh-sach-nha-thuoc-dat-chuan-gpp').version).toBe(2); // no version 3
      // a dataset made from the command line passes the same metadata rules as one made in the workspace
      const bad = run('ingest', file, '--new', '--org', 'so-y-te', '--title', 'x'.repeat(301));
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('300 ký tự');
    });
  });
}
