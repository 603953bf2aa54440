import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../catalog/vocabularies.ts';
import { SearchData, searchOrder, updateSearchData, writeSearchData } from '../publish/search-index.ts';
import { switchLink } from '../publish/snapshot.ts';
import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { slugify } from '../contract/text.ts';
import { QUERIES as LABELLED, REALISTIC_UNITS, judge, realisticCatalog, realisticDatasets, type QueryClass } from '../../test/helpers/search-catalogue.ts';

const KINDS = ['Danh sách', 'Số liệu', 'Thống kê', 'Bảng giá', 'Danh mục', 'Báo cáo tình hình', 'Kết quả'];
const SUBJECTS = ['trường học', 'cơ sở y tế', 'doanh nghiệp đăng ký mới', 'dân số trung bình', 'đất đai', 'hộ nghèo', 'thủ tục hành chính', 'chợ và siêu thị', 'điểm du lịch', 'tuyến xe buýt', 'lượng mưa', 'giá đất ở', 'dự án đầu tư', 'cán bộ công chức', 'nhà thuốc', 'di tích lịch sử'];
const PLACES = ['Phường Quy Nhơn', 'Xã Đắk Đoa', 'Phường Pleiku', 'Xã Ia Ly', 'Xã Chư Sê', 'Phường An Nhơn', 'Xã Tây Sơn', 'Phường Hoài Nhơn', 'Xã Kbang', 'Xã Phù Mỹ', 'toàn tỉnh'];
/** Queries timed on the synthetic catalogues (their words are in it; a unit's name; a word being typed). */
export const QUERIES = ['dan so', 'dat dai', 'truong hoc', 'giao d', 'y te xa', 'doanh nghiep 2024', 'gia lai', 'bang gia dat', 'xe buyt', 'moi truong', 'đất ở', 'ho ngheo phuong', 'thu tuc', 'du lich tay son', 'nha thuoc', 'so y te', 'ubnd xa ia ly'];
/** Queries typed on a cold page, one per run. */
const COLD = ['dan so', 'so y te', 'dat dai', 'truong hoc', 'nha thuoc', 'giao duc', 'xe buyt'];

/** The synthetic catalogue of n datasets (Vietnamese titles from a few words, the 27 units of the realistic catalogue). */
export function syntheticCatalog(n: number): SnapshotCatalog {
  let seed = 7;
  // the low bits of this generator repeat with a short period: use the high ones
  const rnd = (k: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % k; };
  const datasets: SnapshotCatalog['datasets'] = [];
  for (let i = 0; i < n; i++) {
    const year = 2015 + rnd(11);
    const title = `${KINDS[rnd(KINDS.length)]} ${SUBJECTS[rnd(SUBJECTS.length)]} ${PLACES[rnd(PLACES.length)]} năm ${year}`;
    const org = REALISTIC_UNITS[rnd(REALISTIC_UNITS.length)]!.slug;
    const notes = `${title}. Dữ liệu do đơn vị tổng hợp từ báo cáo của các xã, phường; cập nhật theo quý, gồm số liệu chi tiết theo từng đơn vị hành chính và ghi chú nguồn.`;
    const when = new Date(Date.UTC(2025, rnd(11), 1 + rnd(27))).toISOString();
    datasets.push({
      // a UUID, as the database gives: the mirror records its pushes by dataset id
      id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, createdAt: when, slug: `${slugify(title)}-${i}`, title, notes: notes.slice(0, 300), organization: org, tags: [SUBJECTS[rnd(SUBJECTS.length)]!, String(year)],
      topics: [TOPICS[rnd(TOPICS.length)]!.id], formats: ['CSV'], licenseId: 'CC-BY-4.0', updateFrequency: 'quarterly', modifiedAt: when, lastUpdatedAt: when, publishedAt: when,
      isSample: true, nextDueDate: null, freshness: 'up-to-date',
    });
  }
  return {
    format: 1, generatedAt: new Date().toISOString(), siteUrl: 'http://localhost:4321',
    organizations: REALISTIC_UNITS.map((u) => ({ id: `org-${u.slug}`, createdAt: new Date(0).toISOString(), slug: u.slug, title: u.title, titleEn: u.titleEn, description: '', identifierCode: null, parent: null, contactEmail: null, website: null, datasetCount: datasets.filter((s) => s.organization === u.slug).length })),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES, datasets,
  };
}

/**
 * A publication snapshot of a catalogue, written without a database: each dataset in full with a
 * small CSV and JSON at its current and version-1 addresses (the build places six hard links per
 * dataset, as for a real snapshot), catalog.json and the search data.
 */
export function writeSnapshotOf(dir: string, catalog: SnapshotCatalog): void {
  fs.mkdirSync(path.join(dir, 'datasets'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  const blob = (content: string) => {
    const sha256 = crypto.createHash('sha256').update(content).digest('hex');
    fs.writeFileSync(path.join(dir, 'files', sha256), content);
    return { sha256, size: Buffer.byteLength(content) };
  };
  const orgs = new Map(catalog.organizations.map((o) => [o.slug, o]));
  catalog.datasets.forEach((s, i) => {
    const rid = crypto.createHash('sha256').update(s.slug).digest('hex').slice(0, 32).replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5');
    const code = String(i).padStart(5, '0');
    const csv = blob(`Mã,Tên,Số lượng\r\n${code},${s.title},${i % 5000}\r\n`);
    const json = blob(JSON.stringify([{ 'Mã': code, 'Tên': s.title, 'Số lượng': i % 5000 }]));
    const filesAt = (base: string) => ({
      original: { url: `${base}/download/original/du-lieu.csv`, ...csv, mediaType: 'text/csv', format: 'CSV' },
      csv: { url: `${base}/download/du-lieu.csv`, ...csv, mediaType: 'text/csv', format: 'CSV' },
      json: { url: `${base}/download/du-lieu.json`, ...json, mediaType: 'application/json', format: 'JSON' },
    });
    const org = orgs.get(s.organization)!;
    const when = s.modifiedAt;
    const d: SnapshotDataset = {
      id: s.id, slug: s.slug, title: s.title, notes: s.notes, tags: s.tags, topics: s.topics,
      licenseId: s.licenseId, updateFrequency: s.updateFrequency, frequencyReason: null, temporalStart: '2024-01-01', temporalEnd: '2024-12-31',
      spatial: 'Tỉnh Gia Lai', contactName: null, contactEmail: null, source: null, isSample: true,
      organization: { id: org.id, slug: org.slug, title: org.title }, createdAt: s.createdAt, modifiedAt: when, publishedAt: s.publishedAt, lastUpdatedAt: s.lastUpdatedAt, version: 1,
      resources: [{ id: rid, name: 'du-lieu', title: 'Dữ liệu', description: '', format: 'CSV', mediaType: 'text/csv', encoding: 'utf-8', size: csv.size, sha256: csv.sha256, rowCount: 1, schema: { fields: [{ name: 'Mã', type: 'string' }, { name: 'Tên', type: 'string' }, { name: 'Số lượng', type: 'integer' }] }, originalName: 'du-lieu.csv', downloads: filesAt(`/dataset/${s.slug}/resource/${rid}`), preview: [['Mã', 'Tên', 'Số lượng'], [code, s.title, String(i % 5000)]] }],
      versions: [{ id: `v-${s.id}`, number: 1, note: 'Công bố lần đầu', publishedAt: when, resources: [{ id: rid, name: 'du-lieu', ...filesAt(`/dataset/${s.slug}/version/1/resource/${rid}`) }] }],
      nextDueDate: s.nextDueDate, freshness: s.freshness,
    };
    fs.writeFileSync(path.join(dir, 'datasets', `${s.slug}.json`), JSON.stringify(d));
  });
  fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
  writeSearchData(catalog, path.join(dir, 'search'));
}

/** A synthetic publication snapshot of n datasets. */
export function writeSyntheticSnapshot(dir: string, n: number): void {
  writeSnapshotOf(dir, syntheticCatalog(n));
}

// —— figures ——

const mb = (b: number) => (b / 1e6).toFixed(2);
const kb = (b: number) => (b / 1024).toFixed(1);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
/** "median [min–max]" */
const spread = (xs: number[], f: (x: number) => string) => `${f(median(xs))} [${f(Math.min(...xs))}–${f(Math.max(...xs))}]`;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 5);
/** The machine's load average over 1 and 5 minutes (other work on a 2-core machine moves every timing here). */
const load = () => os.loadavg().slice(0, 2).map((x) => x.toFixed(1)).join(' / ');
/** Milliseconds between keys when the bench types a query (a citizen types 3–8 keys a second). */
const KEY_MS = Number(process.env.BENCH_KEY_MS) || 150;

/** Bytes a file costs on the wire from the portal's server: its .br when the build wrote one. */
function wireSize(file: string): number {
  return fs.existsSync(`${file}.br`) ? fs.statSync(`${file}.br`).size : fs.statSync(file).size;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (!/\.(br|gz)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The search data's files as the server sends them. */
function searchSizes(client: string): void {
  const dir = path.join(client, 'search');
  const groups = new Map<string, number[]>();
  let raw = 0;
  for (const f of walk(dir)) {
    const rel = path.relative(dir, f);
    const g = rel.startsWith('t/') ? 'shards' : rel.startsWith('tt/') ? 'tail shards' : rel.startsWith('u/') ? 'units' : rel.startsWith('rows/') ? 'rows' : rel.startsWith('sort-') ? 'sort-*' : rel.startsWith('facets.') ? 'facets' : rel;
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(wireSize(f));
    raw += fs.statSync(f).size;
  }
  const total = [...groups.values()].flat().reduce((a, b) => a + b, 0);
  console.log(`  dữ liệu tìm kiếm /search/: ${mb(raw)} MB, brotli ${mb(total)} MB trên đường truyền (chỉ mục lunr cũ ở 10.000: 0,51 MB gzip + 0,36 MB dòng kết quả)`);
  for (const [g, sizes] of groups) {
    const sum = sizes.reduce((a, b) => a + b, 0);
    console.log(`    ${g.padEnd(12)} ${String(sizes.length).padStart(5)} tệp, ${kb(sum).padStart(7)} KB${sizes.length > 1 ? `, mỗi tệp trung vị ${kb(median(sizes))} KB, lớn nhất ${kb(Math.max(...sizes))} KB` : ''}`);
  }
}

/** Query time in Node (the API's package_search runs the same code on the same files). */
function nodeLatency(snapshot: string): void {
  const data = new SearchData(path.join(snapshot, 'search'));
  const times: number[] = [];
  let t = performance.now();
  for (const q of QUERIES) data.search(q); // the first pass reads the shards from disk
  const first = performance.now() - t;
  for (let round = 0; round < 5; round++) for (const q of QUERIES) { t = performance.now(); data.search(q); times.push(performance.now() - t); }
  console.log(`  Node (package_search q): lượt đầu đọc shard ${first.toFixed(0)} ms cho ${QUERIES.length} truy vấn; sau đó p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms (${QUERIES.length} truy vấn × 5)`);
}

async function launch(): Promise<Browser | null> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) { console.log('  (không có Chromium: bỏ qua đo trong trình duyệt)'); return null; }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

/**
 * Resource Timing in the page: bytes on the wire (headers included) of what finished between two instants,
 * and of the search data (/search/…) whenever it was asked for (the list page fetches the meta once loaded).
 */
const BYTES_BETWEEN = `(from, to) => performance.getEntriesByType('resource').filter((e) => (e.startTime >= from || new URL(e.name).pathname.startsWith('/search/')) && e.responseEnd <= to).reduce((s, e) => s + e.transferSize, 0)`;
/** The same for Pagefind: what it fetched between two instants (its files only: the page's own search data is not its). */
const PAGEFIND_BYTES_BETWEEN = `(from, to) => performance.getEntriesByType('resource').filter((e) => e.startTime >= from && e.responseEnd <= to && !new URL(e.name).pathname.startsWith('/search/')).reduce((s, e) => s + e.transferSize, 0)`;

interface ColdRun { pageBytes: number; firstBytes: number; firstMs: number; doneBytes: number; doneMs: number; requests: number }

/**
 * A visitor on a cold page (new browser profile): the list page loads, they click the search box and
 * type a query at KEY_MS a key. Measured: bytes and time from the first key to the first results on
 * screen, and to the typed query's results with every facet count.
 */
async function coldRun(browser: Browser, url: string, query: string): Promise<ColdRun> {
  const context = await browser.newContext({ locale: 'vi-VN' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    performance.setResourceTimingBufferSize(100_000);
    const w = window as unknown as Record<string, number>;
    // bytes count from the click into the box (the meta is fetched then), time from the first key
    document.addEventListener('pointerdown', () => { w.__tf ??= performance.now(); }, { capture: true });
    document.addEventListener('keydown', () => { w.__t0 ??= performance.now(); }, { capture: true });
    new MutationObserver(() => {
      const list = document.querySelector('#search-results');
      if (list && !(list as HTMLElement).hidden && list.children.length) w.__t1 ??= performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(`${url}/dataset/`, { waitUntil: 'load' });
  const pageBytes = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return nav.transferSize + performance.getEntriesByType('resource').filter((e) => !new URL(e.name).pathname.startsWith('/search/')).reduce((s, e) => s + (e as PerformanceResourceTiming).transferSize, 0);
  });
  await page.click('#search-q');
  await page.keyboard.type(query, { delay: KEY_MS });
  await page.waitForFunction((q) => {
    const status = document.querySelector('#search-status')?.textContent ?? '';
    return new URL(location.href).searchParams.get('q') === q && status && !status.endsWith('…') && document.querySelector('#facets')?.getAttribute('aria-busy') !== 'true';
  }, query, { timeout: 60_000 });
  const r = await page.evaluate(`(() => {
    const bytes = ${BYTES_BETWEEN};
    const tf = Math.min(window.__tf ?? window.__t0, window.__t0), t0 = window.__t0, t1 = window.__t1, now = performance.now();
    const search = performance.getEntriesByType('resource').filter((e) => e.startTime >= tf || new URL(e.name).pathname.startsWith('/search/'));
    return { firstBytes: bytes(tf, t1), firstMs: t1 - t0, doneBytes: bytes(tf, now), doneMs: now - t0, requests: search.length };
  })()`) as Omit<ColdRun, 'pageBytes'>;
  await context.close();
  return { pageBytes, ...r };
}

/**
 * Query latency on an open page: from submitting a query to its results and every facet count on
 * screen; the first round fetches each query's shards and rows, the next two find them fetched.
 */
async function warmLatency(page: Page): Promise<{ first: number[]; again: number[] }> {
  const first: number[] = [];
  const again: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const q of QUERIES) {
      (round ? again : first).push(await page.evaluate(async (query) => {
        const input = document.querySelector<HTMLInputElement>('#search-q')!;
        const status = document.querySelector<HTMLElement>('#search-status')!;
        const facets = document.querySelector<HTMLElement>('#facets')!;
        status.textContent = '';
        input.value = query;
        const t0 = performance.now();
        input.form!.requestSubmit();
        await new Promise<void>((resolve) => {
          const check = () => (status.textContent && !status.textContent.endsWith('…') && facets.getAttribute('aria-busy') !== 'true' ? resolve() : requestAnimationFrame(check));
          check();
        });
        return performance.now() - t0;
      }, q));
    }
  }
  return { first, again };
}

/** Pagefind over the site's dataset pages (Vietnamese), written to /pagefind/ and precompressed like the rest of the site. */
async function pagefindIndex(client: string): Promise<{ ms: number; files: number; bytes: number }> {
  const pagefind = await import('pagefind');
  const t = performance.now();
  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'vi' });
  if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
  const added = await index.addDirectory({ path: client, glob: 'dataset/*/index.html' });
  if (added.errors.length) throw new Error(`pagefind: ${added.errors.join('; ')}`);
  await index.writeFiles({ outputPath: path.join(client, 'pagefind') });
  await pagefind.close();
  const ms = performance.now() - t;
  const { precompress } = await import('../publish/compress.ts');
  await precompress(path.join(client, 'pagefind'));
  const files = walk(path.join(client, 'pagefind'));
  return { ms, files: files.length, bytes: files.reduce((s, f) => s + wireSize(f), 0) };
}

interface PagefindRun { bytes: number; ms: number; urls: string[] }
/** Pagefind in a page: import it, search, load the first ten results (what its UI shows first is five). */
async function pagefindQuery(page: Page, query: string): Promise<PagefindRun> {
  return page.evaluate(`(async () => {
    const bytes = ${PAGEFIND_BYTES_BETWEEN};
    const t0 = performance.now();
    const pf = await import('/pagefind/pagefind.js');
    await pf.options({ noWorker: true }); // its fetches then show in this page's Resource Timing
    const r = await pf.search(${JSON.stringify(query)});
    const top = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
    const t1 = performance.now();
    return { bytes: bytes(t0, t1), ms: t1 - t0, urls: top.map((d) => d.url) };
  })()`) as Promise<PagefindRun>;
}

async function pagefindCold(browser: Browser, url: string, query: string): Promise<PagefindRun> {
  // Pagefind runs WebAssembly, which the portal's Content-Security-Policy does not allow: bypassed here
  const context: BrowserContext = await browser.newContext({ bypassCSP: true, locale: 'vi-VN' });
  const page = await context.newPage();
  await page.addInitScript(() => performance.setResourceTimingBufferSize(100_000));
  await page.goto(`${url}/dataset/`, { waitUntil: 'load' });
  const r = await pagefindQuery(page, query);
  await context.close();
  return r;
}

/**
 * Sizes above this build only what a search on the list page reads (`/dataset/`, its scripts and styles, the search
 * data: site-child.ts --search-only), not the 2 pages a dataset: the full build at 100,000 took over 50 min on this
 * machine under load. BENCH_FULL_SITE_MAX raises it.
 */
const FULL_SITE_MAX = Number(process.env.BENCH_FULL_SITE_MAX) || 20_000;

function buildSiteInChild(dataDir: string, listOnly = false): { ms: number; pages: number; maxRssMB: number } {
  const out = execFileSync(process.execPath, [path.join(import.meta.dirname, 'site-child.ts'), dataDir, ...(listOnly ? ['--search-only'] : [])], { encoding: 'utf8', env: { ...process.env, PORTAL_QUIET: '1' }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** A data directory with this catalogue's snapshot published and its site built. */
function siteOf(catalog: SnapshotCatalog, name: string, listOnly = false): { dataDir: string; snapshot: string; client: string; build: { ms: number; pages: number; maxRssMB: number }; snapMs: number } {
  const dataDir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), `portal-${name}-`));
  const snapshot = path.join(dataDir, 'publish-builds', 'bench');
  const t = Date.now();
  writeSnapshotOf(snapshot, catalog);
  const snapMs = Date.now() - t;
  switchLink(path.join(dataDir, 'publish'), snapshot);
  const build = buildSiteInChild(dataDir, listOnly);
  return { dataDir, snapshot, client: path.join(fs.realpathSync(path.join(dataDir, 'site')), 'client'), build, snapMs };
}

/**
 * Recall@10 and MRR@10 of the labelled query set on the realistic catalogue (test/helpers/search-catalogue.ts),
 * the portal's search beside Pagefind's over the same built pages; and how many nonsense queries list something.
 */
async function quality(browser: Browser | null): Promise<void> {
  const catalog = realisticCatalog();
  const site = siteOf(catalog, 'quality');
  const { startServer } = await import('../http/server.ts');
  const server = await startServer({ dataDir: site.dataDir, host: '127.0.0.1', port: 0 });
  try {
    const datasets = realisticDatasets();
    const data = new SearchData(path.join(site.snapshot, 'search'));
    const order = searchOrder(catalog, path.join(site.snapshot, 'search')).order;
    const ours = (q: string) => [...data.search(q).ids].map((id) => catalog.datasets[order[id]!]!.slug);
    let pf: ((q: string) => Promise<string[]>) | null = null;
    let page: Page | null = null;
    if (browser) {
      await pagefindIndex(site.client);
      const context = await browser.newContext({ bypassCSP: true });
      page = await context.newPage();
      await page.goto(`${server.url}/dataset/`);
      pf = async (q) => (await pagefindQuery(page!, q)).urls.map((u) => u.replace(/^\/dataset\/|\/$/g, ''));
    }
    const classes = new Map<QueryClass, { ours: { recall: number; rr: number }[]; pf: { recall: number; rr: number }[] }>();
    let oursNoise = 0;
    let pfNoise = 0;
    for (const lq of LABELLED) {
      const relevant = new Set(datasets.filter(lq.relevant).map((d) => d.slug));
      const c = classes.get(lq.cls) ?? classes.set(lq.cls, { ours: [], pf: [] }).get(lq.cls)!;
      const mine = ours(lq.q);
      if (lq.cls === 'nonsense') { if (mine.length) oursNoise++; }
      else c.ours.push(judge(mine, relevant));
      if (pf) {
        const theirs = await pf(lq.q);
        if (lq.cls === 'nonsense') { if (theirs.length) pfNoise++; }
        else c.pf.push(judge(theirs, relevant));
      }
    }
    const avg = (xs: { recall: number; rr: number }[], k: 'recall' | 'rr') => (xs.length ? xs.reduce((s, x) => s + x[k], 0) / xs.length : NaN).toFixed(2);
    const nonsense = LABELLED.filter((q) => q.cls === 'nonsense').length;
    console.log(`\nChất lượng: ${catalog.datasets.length} bộ dữ liệu thực tế của ${catalog.organizations.length} đơn vị, ${LABELLED.length - nonsense} truy vấn có nhãn + ${nonsense} truy vấn vô nghĩa (test/helpers/search-catalogue.ts)`);
    console.log(`  ${'loại truy vấn'.padEnd(12)} ${'số'.padStart(3)}   cổng: recall@10  MRR    Pagefind 1.6.0: recall@10  MRR`);
    const all = { ours: [] as { recall: number; rr: number }[], pf: [] as { recall: number; rr: number }[] };
    for (const [cls, c] of classes) {
      if (cls === 'nonsense') continue;
      all.ours.push(...c.ours);
      all.pf.push(...c.pf);
      console.log(`  ${cls.padEnd(12)} ${String(c.ours.length).padStart(3)}         ${avg(c.ours, 'recall')}      ${avg(c.ours, 'rr')}                   ${pf ? avg(c.pf, 'recall') : '–'}      ${pf ? avg(c.pf, 'rr') : '–'}`);
    }
    console.log(`  ${'tất cả'.padEnd(12)} ${String(all.ours.length).padStart(3)}         ${avg(all.ours, 'recall')}      ${avg(all.ours, 'rr')}                   ${pf ? avg(all.pf, 'recall') : '–'}      ${pf ? avg(all.pf, 'rr') : '–'}`);
    console.log(`  truy vấn vô nghĩa có kết quả: cổng ${oursNoise}/${nonsense}${pf ? `, Pagefind ${pfNoise}/${nonsense}` : ''}`);
  } finally {
    await server.close();
    fs.rmSync(site.dataDir, { recursive: true, force: true });
  }
}

/** `npm run bench:site`: build time and peak RSS, search data sizes, bytes and times in Chromium beside Pagefind, page weights. */
export async function benchSite(sizes: number[]): Promise<void> {
  const searchOnly = process.env.BENCH_SEARCH_ONLY === '1';
  const browser = searchOnly ? null : await launch();
  try {
    if (process.env.BENCH_QUALITY !== '0' && !searchOnly) await quality(browser);
    for (const n of sizes) await benchSize(n, browser);
  } finally {
    await browser?.close();
  }
}

/** Files under a folder (recursively). */
const fileCount = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

/**
 * A one-dataset publish on the search data of the synthetic catalogue of n datasets: a new dataset, a
 * title and keywords edited, a withdrawal, three rounds of each one after the other (as publishes come),
 * each from the previous round's folder. Prints the full build beside them.
 */
export function searchUpdateFigures(n: number): void {
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), `portal-search-update-${n}-`));
  try {
    let catalog = syntheticCatalog(n);
    let dir = path.join(root, 'full');
    let t = performance.now();
    writeSearchData(catalog, dir);
    const fullMs = performance.now() - t;
    const fullFiles = fileCount(dir);
    const day = (k: number) => new Date(Date.UTC(2026, 1, 1 + k)).toISOString();
    const kinds: Record<string, (c: SnapshotCatalog, round: number) => SnapshotCatalog> = {
      'bộ dữ liệu mới': (c, r) => ({ ...c, datasets: [...c.datasets, { ...c.datasets[r]!, id: `moi-${r}`, slug: `du-lieu-moi-${r}`, title: `Danh sách điểm sạc xe điện Phường Pleiku năm 2026 đợt ${r + 1}`, tags: ['xe điện'], createdAt: day(r), publishedAt: day(r), modifiedAt: day(r) }] }),
      'sửa tên và từ khoá': (c, r) => { const i = 1000 + r * 7; const ds = [...c.datasets]; ds[i] = { ...ds[i]!, title: `${ds[i]!.title} (đã hiệu chỉnh lần ${r + 1})`, tags: [...ds[i]!.tags, 'hiệu chỉnh'], modifiedAt: day(10 + r) }; return { ...c, datasets: ds }; },
      'rút bộ dữ liệu': (c, r) => {
        const i = 2000 + r * 11;
        const w = c.datasets[i]!;
        return { ...c, datasets: c.datasets.filter((_, j) => j !== i), withdrawn: [...(c.withdrawn ?? []), { id: w.id, slug: w.slug, title: w.title, organization: { id: `org-${w.organization}`, slug: w.organization, title: '' }, reason: 'Sai số liệu', withdrawnAt: day(20 + r), lastVersion: 1, publishedAt: w.publishedAt, topics: w.topics }] };
      },
    };
    const figures = new Map<string, { ms: number[]; written: number[]; linked: number[]; phases: string }>();
    let step = 0;
    for (let round = 0; round < 3; round++) {
      for (const [kind, change] of Object.entries(kinds)) {
        const next = change(catalog, round);
        const out = path.join(root, `u${++step}`);
        t = performance.now();
        const u = updateSearchData(dir, catalog, next, out);
        const ms = performance.now() - t;
        if (u.full) throw new Error('search update fell back to a full build');
        const f = figures.get(kind) ?? figures.set(kind, { ms: [], written: [], linked: [], phases: '' }).get(kind)!;
        f.ms.push(ms); f.written.push(u.written); f.linked.push(u.linked); f.phases = u.stats.phases ?? '';
        if (step > 2) fs.rmSync(path.join(root, `u${step - 2}`), { recursive: true, force: true });
        catalog = next;
        dir = out;
      }
    }
    console.log(`  dữ liệu tìm kiếm: dựng toàn bộ ${(fullMs / 1000).toFixed(1)} s, ${fullFiles.toLocaleString('vi-VN')} tệp; công bố một bộ dữ liệu (trung vị của 3 lần) [nhỏ nhất–lớn nhất]:`);
    for (const [kind, f] of figures) {
      console.log(`    ${kind.padEnd(20)} ${spread(f.ms, (x) => x.toFixed(0))} ms, ${spread(f.written, (x) => x.toFixed(0))} tệp ghi (kể cả .state.json), ${median(f.linked)} tệp liên kết cứng từ bản trước`);
      console.log(`      lần cuối, ms: ${f.phases}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function benchSize(n: number, browser: Browser | null): Promise<void> {
  console.log(`\n${n.toLocaleString('vi-VN')} bộ dữ liệu: cập nhật dữ liệu tìm kiếm`);
  searchUpdateFigures(n);
  if (process.env.BENCH_SEARCH_ONLY === '1') return;
  const listOnly = n > FULL_SITE_MAX;
  const site = siteOf(syntheticCatalog(n), `site-${n}`, listOnly);
  const { dataDir, client, build } = site;
  try {
    console.log(`\n${n.toLocaleString('vi-VN')} bộ dữ liệu (ảnh chụp tạo trong ${(site.snapMs / 1000).toFixed(1)} s)`);
    if (listOnly) {
      console.log(`  CHỈ DỰNG PHẦN TÌM KIẾM: trang danh sách /dataset/ (cùng mẫu, cùng ảnh chụp), JS, CSS và dữ liệu tìm kiếm; không dựng trang từng bộ dữ liệu`);
      console.log(`  (trên ${FULL_SITE_MAX.toLocaleString('vi-VN')} bộ: bản dựng đầy đủ 100.000 bộ mất hơn 50 phút trên máy này; BENCH_FULL_SITE_MAX để dựng đủ): ${(build.ms / 1000).toFixed(1)} s, RSS đỉnh ${build.maxRssMB.toFixed(0)} MB`);
    } else console.log(`  dựng trang: ${(build.ms / 1000).toFixed(1)} s (${build.pages.toLocaleString('vi-VN')} trang), RSS đỉnh ${build.maxRssMB.toFixed(0)} MB`);
    searchSizes(client);
    nodeLatency(site.snapshot);
    const gz = (p: string) => zlib.gzipSync(fs.readFileSync(p), { level: 6 }).length;
    const css = gz(path.join(client, 'styles.css'));
    const list = gz(path.join(client, 'dataset', 'index.html'));
    if (!listOnly) {
      const home = gz(path.join(client, 'index.html'));
      const someDataset = fs.readdirSync(path.join(client, 'dataset')).find((d) => d !== 'index.html' && d !== 'page')!;
      const page = gz(path.join(client, 'dataset', someDataset, 'index.html'));
      console.log(`  trang (gzip, kèm CSS ${kb(css)} KB): trang chủ ${kb(home + css)} KB, một bộ dữ liệu ${kb(page + css)} KB, danh sách ${kb(list + css)} KB`);
    } else console.log(`  trang danh sách (gzip, kèm CSS ${kb(css)} KB): ${kb(list + css)} KB`);
    if (browser) {
      const { startServer } = await import('../http/server.ts');
      const server = await startServer({ dataDir, host: '127.0.0.1', port: 0 });
      try {
        // the portal's own server, as npm start runs it: brotli on the wire
        const runs: (ColdRun & { q: string })[] = [];
        for (let r = 0; r < RUNS; r++) { const q = COLD[r % COLD.length]!; runs.push({ q, ...(await coldRun(browser, server.url, q)) }); }
        console.log(`  Chromium, trang nguội, gõ ${KEY_MS} ms một phím (${RUNS} lần: ${runs.map((r) => r.q).join(', ')}; tải trung bình của máy ${load()}); trung vị [nhỏ nhất–lớn nhất]:`);
        console.log(`    trang danh sách (HTML, CSS, JS): ${spread(runs.map((r) => r.pageBytes), kb)} KB`);
        console.log(`    từ phím đầu đến kết quả đầu tiên: ${spread(runs.map((r) => r.firstBytes), kb)} KB, ${spread(runs.map((r) => r.firstMs), (x) => x.toFixed(0))} ms`);
        console.log(`    đến kết quả của cả truy vấn và mọi số đếm bộ lọc: ${spread(runs.map((r) => r.doneBytes), kb)} KB, ${spread(runs.map((r) => r.requests), (x) => x.toFixed(0))} yêu cầu`);
        const context = await browser.newContext();
        const warm = await context.newPage();
        await warm.goto(`${server.url}/dataset/`);
        // the page has searched once (meta and facet postings are here), as after a visitor's first query
        await warm.evaluate(() => { const i = document.querySelector<HTMLInputElement>('#search-q')!; i.value = 'x'; i.form!.requestSubmit(); });
        await warm.waitForFunction(() => document.querySelector('#facets')?.getAttribute('aria-busy') === null && /\S/.test(document.querySelector('#search-status')?.textContent ?? ''));
        const times = await warmLatency(warm);
        await context.close();
        console.log(`    truy vấn trên trang đã mở, đến khi kết quả và mọi số đếm bộ lọc hiện ra (${QUERIES.length} truy vấn):`);
        console.log(`      lần đầu, tải shard và dòng kết quả của truy vấn: p50 ${pct(times.first, 50).toFixed(1)} ms, p95 ${pct(times.first, 95).toFixed(1)} ms`);
        console.log(`      lặp lại, tệp đã có (tính toán và hiển thị, × 2): p50 ${pct(times.again, 50).toFixed(1)} ms, p95 ${pct(times.again, 95).toFixed(1)} ms`);
        if (listOnly) console.log(`  Pagefind: bỏ qua ở cỡ này (nó lập chỉ mục các trang bộ dữ liệu, không được dựng ở đây)`);
        else if (process.env.BENCH_PAGEFIND !== '0') {
          const idx = await pagefindIndex(client);
          console.log(`  Pagefind 1.6.0 trên cùng các trang bộ dữ liệu: lập chỉ mục ${(idx.ms / 1000).toFixed(1)} s, ${idx.files.toLocaleString('vi-VN')} tệp, ${mb(idx.bytes)} MB`);
          const pf: (PagefindRun & { q: string })[] = [];
          for (let r = 0; r < RUNS; r++) { const q = COLD[r % COLD.length]!; pf.push({ q, ...(await pagefindCold(browser, server.url, q)) }); }
          console.log(`    trang nguội, tải pagefind.js, tìm và tải 10 kết quả đầu: ${spread(pf.map((r) => r.bytes), kb)} KB, ${spread(pf.map((r) => r.ms), (x) => x.toFixed(0))} ms`);
        }
      } finally {
        await server.close();
      }
    }
    if (!listOnly && n <= 20_000 && process.env.BENCH_REFERENCE !== '0') {
      // the same machine's bare Astro on the issue's reference page: build times vary with the machine
      // (the 10k reference took 10.5 s where the target was set, 18–30 s on a slower day)
      const ref = JSON.parse(execFileSync(process.execPath, [path.join(import.meta.dirname, 'reference-child.ts'), path.join(dataDir, 'astro-reference'), String(n)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!);
      console.log(`  Astro trần (${n.toLocaleString('vi-VN')} trang tham chiếu, một trang mỗi bộ): ${(ref.ms / 1000).toFixed(1)} s, RSS đỉnh ${ref.maxRssMB.toFixed(0)} MB; bản dựng của cổng bằng ${(build.ms / ref.ms).toFixed(2)} lần`);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
