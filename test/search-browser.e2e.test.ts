import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { cspViolations, watched, watchedContext } from './helpers/csp.ts';
import { tempDir } from './helpers/fixtures.ts';
import { realisticCatalog } from './helpers/search-catalogue.ts';
import { writeSnapshotOf } from '../server/bench/site.ts';
import { switchLink } from '../server/publish/snapshot.ts';
import { startServer, type RunningServer } from '../server/http/server.ts';
import { searchPaths, type SearchMeta } from '../server/contract/search.ts';

const root = path.resolve(import.meta.dirname, '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const POLL = { timeout: 15_000, interval: 50 };
const catalog = realisticCatalog();
const count = (slug: string) => catalog.datasets.filter((d) => d.organization === slug).length;

/** The site's search typed in Chromium on the realistic catalogue (test/helpers/search-catalogue.ts), served by the portal's own server. */
describe('search as citizens type it, in the browser', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = tempDir('portal-search-e2e-');
    const snapshot = path.join(dataDir, 'publish-builds', 'search');
    writeSnapshotOf(snapshot, catalog);
    switchLink(path.join(dataDir, 'publish'), snapshot);
    execFileSync(process.execPath, [path.join(root, 'server', 'bench', 'site-child.ts'), dataDir], { cwd: root, env: { ...process.env, PORTAL_QUIET: '1' }, stdio: 'pipe' });
    server = await startServer({ dataDir, host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh page on the list, the query typed key by key; resolves when the status shows the typed query's results. */
  async function typed(query: string, opts: { lang?: 'en'; page?: Page } = {}): Promise<Page> {
    const page = opts.page ?? await watched(browser.newPage());
    if (!opts.page) await page.goto(`${server.url}${opts.lang === 'en' ? '/en' : ''}/dataset/`);
    await page.locator('#search-q').click();
    await page.locator('#search-q').pressSequentially(query, { delay: 40 });
    await expect.poll(() => new URL(page.url()).searchParams.get('q'), POLL).toBe(query);
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toContain(`“${query}”`);
    return page;
  }
  const titles = (page: Page) => page.locator('#search-results h2').allTextContents();
  const units = (page: Page) => page.locator('#search-results .meta li:first-child').allTextContents();

  it.each([
    ['so y te', 'so-y-te', 'Sở Y tế tỉnh Gia Lai'],
    ['sở y tế', 'so-y-te', 'Sở Y tế tỉnh Gia Lai'],
    ['cong an tinh', 'cong-an-tinh', 'Công an tỉnh Gia Lai'],
    ['ubnd xa ia ly', 'ubnd-xa-ia-ly', 'UBND xã Ia Ly'],
    ['thanh tra tinh', 'thanh-tra-tinh', 'Thanh tra tỉnh Gia Lai'],
  ])('"%s" lists the unit\'s datasets first and offers the unit as a filter', async (q, slug, title) => {
    const page = await typed(q);
    const n = count(slug);
    await expect.poll(async () => (await units(page)).slice(0, Math.min(n, 20)), POLL).toEqual(Array(Math.min(n, 20)).fill(title));
    const suggestion = page.getByRole('group', { name: 'Đơn vị có tên bạn tìm' }).getByRole('button', { name: `${title} — ${n} bộ dữ liệu` });
    await expect.poll(() => suggestion.count(), POLL).toBe(1);
    await suggestion.click();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('org'), POLL).toEqual([slug]);
    expect(new URL(page.url()).searchParams.get('q')).toBeNull(); // the unit's words became its filter
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toBe(`${n} kết quả`);
    expect(await page.getByRole('checkbox', { name: new RegExp(title) }).isChecked()).toBe(true);
    await page.close();
  });

  it('keeps the words that are not the unit\'s name when the unit filter is applied', async () => {
    const page = await typed('so y te nha thuoc');
    await expect.poll(async () => (await titles(page))[0], POLL).toBe('Danh sách nhà thuốc đạt chuẩn GPP');
    await page.getByRole('button', { name: /^Sở Y tế tỉnh Gia Lai — / }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('q'), POLL).toBe('nha thuoc');
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toBe('1 kết quả cho “nha thuoc”');
    await page.close();
  });

  it.each([
    // two titles hold "đất đai" side by side with equal scores: equal scores go by first publication
    ['dat dai', /đất đai/, /đặt hàng|Chiều dài/],
    ['do thi', /đô thị/, /Thiệt hại do bão/],
    ['nha thu', 'Danh sách nhà thuốc đạt chuẩn GPP', /Thu ngân sách nhà nước/],
    ['giao d', /giáo dục/, /tôn giáo|giao thông/],
    ['dak d', /Đak Đoa/, /Đak Pơ/],
    ['đất đai', /đất đai/, /đặt hàng|đạt/],
    ['dân sự', /dân sự/, /dân số/],
  ])('"%s" typed puts the dataset meant first, and the near-neighbours after', async (q, first, notBefore) => {
    const page = await typed(q);
    await expect.poll(async () => (await titles(page))[0], POLL).toMatch(first);
    const list = await titles(page);
    const firstNeighbour = list.findIndex((t) => notBefore.test(t));
    const lastMeant = Math.max(...list.map((t, i) => ((typeof first === 'string' ? t === first : first.test(t)) ? i : -1)));
    if (firstNeighbour >= 0) expect(firstNeighbour, list.join(' | ')).toBeGreaterThan(lastMeant);
    await page.close();
  });

  it('lists nothing for nonsense, and says so', async () => {
    const page = await typed('qwerty asdf');
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toBe('Không tìm thấy bộ dữ liệu nào cho “qwerty asdf”');
    expect(await page.locator('#search-results li').count()).toBe(0);
    await page.close();
  });

  it('fetches the meta once the page has loaded, then the shards of the words typed and the rows shown before the first results; facet postings after; sort keys when asked', async () => {
    const page = await watched(browser.newPage());
    const fetched: { path: string; at: number }[] = [];
    page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/search/')) fetched.push({ path: u.pathname, at: Date.now() }); });
    await page.goto(`${server.url}/dataset/`);
    // once the page has loaded, the meta (the names of the other files) and nothing else
    await expect.poll(() => fetched.map((f) => f.path), POLL).toEqual(['/search/meta.json']);
    await typed('dan so', { page });
    await expect.poll(() => page.locator('#facets').getAttribute('aria-busy'), POLL).toBeNull();
    const paths = fetched.map((f) => f.path);
    expect(paths[0]).toBe('/search/meta.json');
    expect(paths.every((p) => /^\/search\/(meta\.json|t\/\d+\.[\w-]+\.\d+\.json|tt\/[\w-]+\.json|u\/[\w-]+\.json|rows\/\d+\.[\w-]+\.\d+\.json|facets\.[\w-]+\.json)$/.test(p)), paths.join(' ')).toBe(true);
    const facetsAt = paths.findIndex((p) => p.startsWith('/search/facets.'));
    expect(paths.filter((p) => p.startsWith('/search/facets.'))).toHaveLength(1);
    expect(facetsAt).toBeGreaterThan(paths.findIndex((p) => p.startsWith('/search/rows/')));
    // facet counts cover every match, not only the page shown
    const matches = Number(/^(\d+)/.exec((await page.locator('#search-status').textContent())!)![1]);
    const unitCounts = await page.locator('input[name="org"]').evaluateAll((boxes) => boxes.map((b) => Number(/\((\d+)\)/.exec(b.closest('li')!.querySelector('.count')!.textContent!)![1])));
    expect(unitCounts.reduce((a, b) => a + b, 0)).toBe(matches);
    await page.selectOption('#sort', 'title');
    await expect.poll(() => fetched.some((f) => f.path.startsWith('/search/sort-title.')), POLL).toBe(true);
    await expect.poll(async () => { const t = await titles(page); return t.join('|') === [...t].sort(new Intl.Collator('vi').compare).join('|'); }, POLL).toBe(true);
    await page.close();
  });

  it('sends the search data compressed from the portal\'s own server', async () => {
    const meta = JSON.parse(fs.readFileSync(path.join(dataDir, 'publish', 'search', 'meta.json'), 'utf8')) as SearchMeta;
    const paths = searchPaths(meta);
    for (const p of ['/search/meta.json', `/search/${paths.shard(0)}`, `/search/${paths.rows(0)}`, `/search/${paths.facets}`]) {
      const res = await fetch(`${server.url}${p}`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(res.headers.get('content-encoding'), p).toBe('br');
    }
  });

  it('reads meta.json again when a file it asks for is gone (a publish happened meanwhile), and searches once more', async () => {
    const page = await watched(browser.newPage());
    const metas: number[] = [];
    let refused = 0;
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/search/meta.json') metas.push(Date.now()); });
    await page.goto(`${server.url}/dataset/`);
    await expect.poll(() => metas.length, POLL).toBe(1); // fetched once the page has loaded
    // the first shard asked for answers 404, as when the publish that named it has been replaced
    await page.route('**/search/t/**', (route) => (refused++ === 0 ? route.fulfill({ status: 404, body: '' }) : route.continue()));
    await typed('nha thuoc', { page });
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toBe('1 kết quả cho “nha thuoc”');
    expect(metas.length).toBeGreaterThanOrEqual(2);
    await page.close();
  });

  it('suggests units in English on the English page', async () => {
    const page = await typed('so y te', { lang: 'en' });
    await expect.poll(() => page.getByRole('button', { name: `Department of Health, Gia Lai — ${count('so-y-te')} datasets` }).count(), POLL).toBe(1);
    await page.close();
  });

  it('has no WCAG 2.1 AA violation that axe-core finds with results and unit suggestions shown', async () => {
    const context = watchedContext(await browser.newContext({ locale: 'vi-VN' }));
    for (const p of ['/dataset/?q=so%20y%20te', '/en/dataset/?q=so%20y%20te&sort=title']) {
      const page = await context.newPage();
      await page.goto(`${server.url}${p}`);
      await expect.poll(() => page.locator('#search-units').isVisible(), POLL).toBe(true);
      await expect.poll(() => page.locator('#facets').getAttribute('aria-busy'), POLL).toBeNull();
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), p).toEqual([]);
      await page.close();
    }
    await context.close();
  });

  it('broke nothing with its Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});
