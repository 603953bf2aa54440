import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../catalog/vocabularies.ts';
import { writeSearchData } from '../publish/search-index.ts';
import { switchLink } from '../publish/snapshot.ts';
import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { slugify } from '../contract/text.ts';

const KINDS = ['Danh sách', 'Số liệu', 'Thống kê', 'Bảng giá', 'Danh mục', 'Báo cáo tình hình', 'Kết quả'];
const SUBJECTS = ['trường học', 'cơ sở y tế', 'doanh nghiệp đăng ký mới', 'dân số trung bình', 'đất đai', 'hộ nghèo', 'thủ tục hành chính', 'chợ và siêu thị', 'điểm du lịch', 'tuyến xe buýt', 'lượng mưa', 'giá đất ở', 'dự án đầu tư', 'cán bộ công chức', 'nhà thuốc', 'di tích lịch sử'];
const PLACES = ['Phường Quy Nhơn', 'Xã Đắk Đoa', 'Phường Pleiku', 'Xã Ia Ly', 'Xã Chư Sê', 'Phường An Nhơn', 'Xã Tây Sơn', 'Phường Hoài Nhơn', 'Xã Kbang', 'Xã Phù Mỹ', 'toàn tỉnh'];
const UNITS = ['so-noi-vu', 'so-y-te', 'so-giao-duc-va-dao-tao', 'so-tai-chinh', 'so-xay-dung', 'so-nong-nghiep-va-moi-truong', 'so-van-hoa-the-thao-va-du-lich', 'so-khoa-hoc-va-cong-nghe'];
export const QUERIES = ['dan so', 'dat dai', 'truong hoc', 'giao d', 'y te xa', 'doanh nghiep 2024', 'gia lai', 'bang gia dat', 'xe buyt', 'moi truong', 'đất ở', 'ho ngheo phuong', 'thu tuc', 'du lich tay son', 'nha thuoc'];

/** A synthetic publication snapshot of n datasets (realistic Vietnamese titles), written without a database. */
export function writeSyntheticSnapshot(dir: string, n: number): void {
  fs.mkdirSync(path.join(dir, 'datasets'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  // Each dataset has its own files, at its current and its version-1 addresses, as a real snapshot
  // has them (the build places six hard links per dataset).
  const blob = (content: string) => {
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    fs.writeFileSync(path.join(dir, 'files', sha256), content);
    return { sha256, size: Buffer.byteLength(content) };
  };
  let seed = 7;
  // the low bits of this generator repeat with a short period: use the high ones
  const rnd = (k: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % k; };
  const summaries: SnapshotCatalog['datasets'] = [];
  for (let i = 0; i < n; i++) {
    const year = 2015 + rnd(11);
    const title = `${KINDS[rnd(KINDS.length)]} ${SUBJECTS[rnd(SUBJECTS.length)]} ${PLACES[rnd(PLACES.length)]} năm ${year}`;
    const slug = `${slugify(title)}-${i}`;
    const org = UNITS[rnd(UNITS.length)]!;
    const notes = `${title}. Dữ liệu do đơn vị tổng hợp từ báo cáo của các xã, phường; cập nhật theo quý, gồm số liệu chi tiết theo từng đơn vị hành chính và ghi chú nguồn.`;
    const when = new Date(Date.UTC(2025, rnd(11), 1 + rnd(27))).toISOString();
    const rid = crypto.randomUUID();
    const place = PLACES[rnd(PLACES.length)]!;
    const count = String(rnd(5000));
    const code = String(i).padStart(5, '0');
    const csv = blob(`Mã,Tên,Số lượng\r\n${code},${place},${count}\r\n`);
    const json = blob(JSON.stringify([{ 'Mã': code, 'Tên': place, 'Số lượng': Number(count) }]));
    const filesAt = (base: string) => ({
      original: { url: `${base}/download/original/du-lieu.csv`, ...csv, mediaType: 'text/csv', format: 'CSV' },
      csv: { url: `${base}/download/du-lieu.csv`, ...csv, mediaType: 'text/csv', format: 'CSV' },
      json: { url: `${base}/download/du-lieu.json`, ...json, mediaType: 'application/json', format: 'JSON' },
    });
    const downloads = filesAt(`/dataset/${slug}/resource/${rid}`);
    const d: SnapshotDataset = {
      id: crypto.randomUUID(), slug, title, notes, tags: [SUBJECTS[rnd(SUBJECTS.length)]!, String(year)], topics: [TOPICS[rnd(TOPICS.length)]!.id],
      licenseId: 'CC-BY-4.0', updateFrequency: 'quarterly', frequencyReason: null, temporalStart: `${year}-01-01`, temporalEnd: `${year}-12-31`,
      spatial: 'Tỉnh Gia Lai', contactName: null, contactEmail: null, source: null, isSample: true,
      organization: { id: org, slug: org, title: org }, createdAt: when, modifiedAt: when, publishedAt: when, lastUpdatedAt: when, version: 1,
      resources: [{ id: rid, name: 'du-lieu', title: 'Dữ liệu', description: '', format: 'CSV', mediaType: 'text/csv', encoding: 'utf-8', size: csv.size, sha256: csv.sha256, rowCount: 1, schema: { fields: [{ name: 'Mã', type: 'string' }, { name: 'Tên', type: 'string' }, { name: 'Số lượng', type: 'integer' }] }, originalName: 'du-lieu.csv', downloads, preview: [['Mã', 'Tên', 'Số lượng'], [code, place, count]] }],
      versions: [{ id: crypto.randomUUID(), number: 1, note: 'Công bố lần đầu', publishedAt: when, resources: [{ id: rid, name: 'du-lieu', ...filesAt(`/dataset/${slug}/version/1/resource/${rid}`) }] }],
      nextDueDate: null, freshness: 'up-to-date',
    };
    fs.writeFileSync(path.join(dir, 'datasets', `${slug}.json`), JSON.stringify(d));
    summaries.push({ id: d.id, createdAt: when, slug, title, notes: notes.slice(0, 300), organization: org, tags: d.tags, topics: d.topics, formats: ['CSV'], licenseId: d.licenseId, updateFrequency: 'quarterly', modifiedAt: when, lastUpdatedAt: when, publishedAt: when, isSample: true, nextDueDate: null, freshness: 'up-to-date' });
  }
  const catalog: SnapshotCatalog = {
    format: 1, generatedAt: new Date().toISOString(), siteUrl: 'http://localhost:4321',
    organizations: UNITS.map((u) => ({ id: u, createdAt: new Date(0).toISOString(), slug: u, title: u, titleEn: null, description: '', identifierCode: null, parent: null, contactEmail: null, website: null, datasetCount: summaries.filter((s) => s.organization === u).length })),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES, datasets: summaries,
  };
  fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
  writeSearchData(catalog, path.join(dir, 'search'));
}

const gz = (p: string) => zlib.gzipSync(fs.readFileSync(p), { level: 6 }).length;
const mb = (b: number) => (b / 1e6).toFixed(2);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/**
 * Search as a visitor meets it, in Chromium: from submitting a query to the results and facet counts
 * on screen. The first query includes fetching and loading the index.
 */
async function browserLatency(dataDir: string): Promise<void> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) { console.log('  (không có Chromium: bỏ qua đo trong trình duyệt)'); return; }
  const { chromium } = await import('playwright-core');
  const { startServer } = await import('../http/server.ts');
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dataset/`);
    const timeQuery = (q: string) => page.evaluate(async (query) => {
      const input = document.querySelector<HTMLInputElement>('#search-q')!;
      const status = document.querySelector<HTMLElement>('#search-status')!;
      status.textContent = '';
      input.value = query;
      const t0 = performance.now();
      input.form!.requestSubmit();
      await new Promise<void>((resolve) => {
        const check = () => (status.textContent && !status.textContent.endsWith('…') ? resolve() : requestAnimationFrame(check));
        check();
      });
      return performance.now() - t0;
    }, q);
    const first = await timeQuery(QUERIES[0]!);
    const times: number[] = [];
    for (let round = 0; round < 3; round++) for (const q of QUERIES) times.push(await timeQuery(q));
    console.log(`  Chromium: tải chỉ mục và kết quả đầu tiên ${first.toFixed(0)} ms; truy vấn (đến khi kết quả và bộ lọc hiện ra) p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms`);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** `npm run bench:site`: build time and peak RSS, index sizes, load and query times, page weights. */
export async function benchSite(sizes: number[]): Promise<void> {
  for (const n of sizes) {
    const dataDir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), `portal-site-${n}-`));
    try {
      const snap = path.join(dataDir, 'publish-builds', 'bench');
      let t = Date.now();
      writeSyntheticSnapshot(snap, n);
      switchLink(path.join(dataDir, 'publish'), snap);
      console.log(`\n${n.toLocaleString('vi-VN')} bộ dữ liệu (ảnh chụp tạo trong ${((Date.now() - t) / 1000).toFixed(1)} s)`);
      t = Date.now();
      const out = execFileSync(process.execPath, [path.join(import.meta.dirname, 'site-child.ts'), dataDir], { encoding: 'utf8', env: { ...process.env, PORTAL_QUIET: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
      const build = JSON.parse(out.trim().split('\n').pop()!);
      console.log(`  dựng trang: ${(build.ms / 1000).toFixed(1)} s (${build.pages.toLocaleString('vi-VN')} trang), RSS đỉnh ${build.maxRssMB.toFixed(0)} MB`);
      const client = path.join(fs.realpathSync(path.join(dataDir, 'site')), 'client');
      const css = gz(path.join(client, 'styles.css'));
      const home = gz(path.join(client, 'index.html'));
      const someDataset = fs.readdirSync(path.join(client, 'dataset')).find((d) => d !== 'index.html')!;
      const page = gz(path.join(client, 'dataset', someDataset, 'index.html'));
      const list = gz(path.join(client, 'dataset', 'index.html'));
      console.log(`  trang (gzip, kèm CSS ${(css / 1024).toFixed(1)} KB): trang chủ ${((home + css) / 1024).toFixed(1)} KB, một bộ dữ liệu ${((page + css) / 1024).toFixed(1)} KB, danh sách ${((list + css) / 1024).toFixed(1)} KB`);
      if (n <= 20_000) {
        await browserLatency(dataDir);
        // the same machine's bare Astro on the reference page: build times vary with the machine
        // (the 10k reference took 10.5 s where the target was set, 18–30 s on a slower day)
        const ref = JSON.parse(execFileSync(process.execPath, [path.join(import.meta.dirname, 'reference-child.ts'), path.join(dataDir, 'astro-reference'), String(n)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!);
        console.log(`  Astro trần (${n.toLocaleString('vi-VN')} trang tham chiếu, một trang mỗi bộ): ${(ref.ms / 1000).toFixed(1)} s, RSS đỉnh ${ref.maxRssMB.toFixed(0)} MB; bản dựng của cổng bằng ${(build.ms / ref.ms).toFixed(2)} lần`);
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
