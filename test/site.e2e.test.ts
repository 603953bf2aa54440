import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { cspViolations, watched, watchedContext } from './helpers/csp.ts';
import { Store, DataFactory } from 'n3';
import { parseTurtle } from './helpers/rdf.ts';

const { namedNode } = DataFactory;
import { startServer, type RunningServer } from '../server/http/server.ts';
import { projectDatasets, tempDir } from './helpers/fixtures.ts';

const root = path.resolve(import.meta.dirname, '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The page renders search results asynchronously: assertions on them retry until they hold. */
const POLL = { timeout: 10_000, interval: 50 };

/** The whole flow a new user gets from `npm start`, through the npm scripts' entry points, on PGlite. */
describe('public site end to end', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = tempDir('portal-e2e-');
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORTAL_QUIET: '1' };
    for (const script of ['seed', 'publish', 'build-site']) {
      execFileSync(process.execPath, [path.join(root, 'scripts', `${script}.ts`)], { cwd: root, env, stdio: 'pipe' });
    }
    server = await startServer({ dataDir, host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('goes from the home page to a dataset and downloads its CSV, JSON and original bytes', async () => {
    const context = watchedContext(await browser.newContext({ locale: 'vi-VN', acceptDownloads: true }));
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    await expect.poll(() => page.locator('h1').textContent(), POLL).toContain('Cổng dữ liệu mở');
    await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Bộ dữ liệu' }).click();
    await page.waitForURL(`${server.url}/dataset/`);
    await page.getByRole('link', { name: 'Danh sách trường trung học phổ thông năm học 2025–2026' }).click();
    await page.waitForURL(`${server.url}/dataset/truong-trung-hoc-pho-thong/`);
    const facts = await page.locator('dl.facts').textContent();
    expect(facts).toContain('Sở Giáo dục và Đào tạo tỉnh Gia Lai');
    expect(facts).toContain('Creative Commons Ghi công 4.0');
    expect(facts).toContain('Hằng năm');

    await page.getByText('Xem trước').first().click();
    await expect.poll(() => page.getByRole('region', { name: /Xem trước Danh sách trường THPT/ }).getByRole('cell', { name: 'Trường THPT Chu Văn An' }).count(), POLL).toBe(1);
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
    expect(ld).toMatchObject({ '@type': 'Dataset', name: 'Danh sách trường trung học phổ thông năm học 2025–2026', inLanguage: 'vi', isAccessibleForFree: true });
    expect(ld.description.length).toBeGreaterThanOrEqual(50);
    expect(ld.distribution.map((x: { encodingFormat: string }) => x.encodingFormat)).toEqual(['text/csv', 'application/json', 'text/csv']);

    const download = async (name: RegExp) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).first().click()]);
      return fs.readFileSync((await dl.path())!);
    };
    const csv = (await download(/^Tải CSV UTF-8/)).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('STT,Tên trường,Xã/Phường,Loại hình,Số lớp,Số học sinh,Đạt chuẩn quốc gia');
    expect(csv).toContain('Trường THPT Lê Quý Đôn');
    expect(csv).not.toContain('\uFFFD');
    const json = JSON.parse((await download(/^Tải JSON/)).toString('utf8'));
    expect(json).toHaveLength(csv.trim().split('\r\n').length - 1);
    expect(typeof json[0]['Số học sinh']).toBe('number');
    const original = await download(/^Tải tệp gốc/);
    expect(original.equals(fs.readFileSync(path.join(projectDatasets, 'truong-trung-hoc-pho-thong', 'truong-thpt-2025-2026.csv')))).toBe(true);
    await context.close();
  });

  it('searches as you type without accents, loads the index only then, and keeps the query in the URL', async () => {
    const page = await watched(browser.newPage());
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/dataset/`);
    expect(fetched.filter((p) => p.startsWith('/search/'))).toEqual([]);
    await page.locator('#search-q').pressSequentially('truong trung h', { delay: 20 });
    const results = page.locator('#search-results');
    await expect.poll(() => results.getByRole('link').first().textContent(), POLL).toBe('Danh sách trường trung học phổ thông năm học 2025–2026');
    await expect.poll(() => results.getByRole('link').count(), POLL).toBe(1);
    expect(await results.locator('mark').first().textContent()).toBe('trường');
    // the meta, the shards of the words typed and the rows shown; facet postings only after the results
    expect(fetched).toContain('/search/meta.json');
    expect(fetched.some((p) => p.startsWith('/search/t/'))).toBe(true);
    expect(fetched.some((p) => p.startsWith('/search/rows/'))).toBe(true);
    // the results of a shorter prefix may already look final: wait for the last keystroke's render to reach the URL
    await expect.poll(() => new URL(page.url()).searchParams.get('q'), POLL).toBe('truong trung h');
    await page.goto(`${server.url}/dataset/?q=${encodeURIComponent('xe buyt')}`);
    await expect.poll(() => results.getByRole('link').first().textContent(), POLL).toBe('Các tuyến xe buýt đang khai thác');
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toContain('1 kết quả');
    await page.close();
  });

  it('searches and filters in English too, with English words around the Vietnamese data', async () => {
    const page = await watched(browser.newPage());
    await page.goto(`${server.url}/en/dataset/`);
    await page.locator('#search-q').pressSequentially('xe buyt', { delay: 20 });
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toBe('1 result for “xe buyt”');
    const first = page.locator('#search-results').getByRole('link').first();
    expect(await first.getAttribute('href')).toMatch(/^\/en\/dataset\/[a-z0-9-]+\/$/);
    expect(await first.getAttribute('lang')).toBe('vi');
    const facets = page.getByRole('form', { name: 'Filter datasets' });
    await facets.getByRole('checkbox', { name: /Department of Home Affairs, Gia Lai/ }).check();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('org'), POLL).toEqual(['so-noi-vu']);
    await page.locator('#search-q').fill('');
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toMatch(/^3 results$/);
    expect(await page.locator('#search-results .meta').first().textContent()).toContain('Department of Home Affairs, Gia Lai');
    expect(await page.locator('#search-results .meta').first().textContent()).toMatch(/Updated: \d{2}\/\d{2}\/\d{4}/);
    await page.close();
  });

  it('narrows the list with facets whose counts follow, and the URL brings the same view back', async () => {
    const page = await watched(browser.newPage());
    await page.goto(`${server.url}/dataset/`);
    const facets = page.getByRole('form', { name: 'Lọc bộ dữ liệu' });
    await facets.getByRole('checkbox', { name: /Sở Nội vụ tỉnh Gia Lai/ }).check();
    const results = page.locator('#search-results');
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toMatch(/^3 kết quả/);
    await facets.getByRole('checkbox', { name: /^ *XLSX/ }).check();
    await expect.poll(() => page.locator('#search-status').textContent(), POLL).toMatch(/^1 kết quả/);
    await expect.poll(() => results.getByRole('link').textContent(), POLL).toBe('Đối chiếu đơn vị hành chính cấp xã trước và sau sắp xếp, tỉnh Gia Lai');
    // the unit facet still counts every format of the unit's data; the format facet counts within the unit
    await expect.poll(() => facets.getByRole('checkbox', { name: /^ *CSV/ }).locator('..').locator('.count').textContent(), POLL).toBe('(2)');
    await page.selectOption('#sort', 'title');
    const shared = page.url();
    expect(new URL(shared).searchParams.getAll('org')).toEqual(['so-noi-vu']);
    expect(new URL(shared).searchParams.getAll('format')).toEqual(['XLSX']);
    const again = await watched(browser.newPage());
    await again.goto(shared);
    await expect.poll(() => again.locator('#search-status').textContent(), POLL).toMatch(/^1 kết quả/);
    await expect.poll(() => again.getByRole('checkbox', { name: /^ *XLSX/ }).isChecked(), POLL).toBe(true);
    await again.close();
    await page.close();
  });

  it('lists every dataset without JavaScript', async () => {
    const context = watchedContext(await browser.newContext({ javaScriptEnabled: false }));
    const page = await context.newPage();
    await page.goto(`${server.url}/dataset/?q=xe`);
    const catalog = JSON.parse(fs.readFileSync(path.join(dataDir, 'publish', 'catalog.json'), 'utf8'));
    await expect.poll(() => page.locator('#all-datasets h2 a').count(), POLL).toBe(catalog.datasets.length);
    await context.close();
  });

  it('has an English interface for the same pages, and switches language on the same page', async () => {
    const page = await watched(browser.newPage());
    await page.goto(`${server.url}/dataset/truong-trung-hoc-pho-thong/`);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${server.url}/en/dataset/truong-trung-hoc-pho-thong/`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').getAttribute('lang')).toBe('vi'); // the unit's title stays Vietnamese, marked as such
    await expect.poll(() => page.getByRole('link', { name: /^Download UTF-8 CSV/ }).count(), POLL).toBe(1);
    expect(await page.locator('aside h2').textContent()).toBe('About this dataset');
    expect(await page.locator('dl.facts').textContent()).toContain('Yearly');
    await page.getByRole('link', { name: 'Tiếng Việt' }).click();
    await page.waitForURL(`${server.url}/dataset/truong-trung-hoc-pho-thong/`);
    for (const p of ['/en/', '/en/dataset/', '/en/organization/', '/en/organization/so-noi-vu/']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status, p).toBe(200);
      expect(await res.text(), p).toContain('<html lang="en"');
    }
    await page.close();
  });

  it('shows a page for every unit with its datasets', async () => {
    const page = await watched(browser.newPage());
    await page.goto(`${server.url}/organization/so-noi-vu/`);
    expect(await page.locator('h1').textContent()).toBe('Sở Nội vụ tỉnh Gia Lai');
    await expect.poll(() => page.getByRole('link', { name: /Danh mục 34 tỉnh, thành phố/ }).count(), POLL).toBe(1);
    await page.close();
  });

  it('serves every download link on every dataset page', async () => {
    const catalog = JSON.parse(fs.readFileSync(path.join(dataDir, 'publish', 'catalog.json'), 'utf8'));
    for (const d of catalog.datasets) {
      const html = await (await fetch(`${server.url}/dataset/${d.slug}/`)).text();
      const links = [...html.matchAll(/href="([^"]*\/download\/[^"]*)"/g)].map((m) => m[1]!);
      expect(links.length, d.slug).toBeGreaterThanOrEqual(3);
      for (const link of links) {
        const res = await fetch(`${server.url}${link}`, { method: 'HEAD' });
        expect(res.status, link).toBe(200);
      }
    }
  });

  it('has no WCAG 2.1 AA violation that axe-core finds on the home, list, dataset, unit, API and 404 pages', async () => {
    const context = watchedContext(await browser.newContext({ locale: 'vi-VN' }));
    const page = await context.newPage();
    for (const p of ['/', '/dataset/', '/dataset/?q=xa&format=CSV', '/dataset/truong-trung-hoc-pho-thong/', '/dataset/doi-chieu-don-vi-hanh-chinh-cap-xa-gia-lai/', '/organization/', '/organization/so-noi-vu/', '/organization/so-noi-vu/page/1/', '/dataset/page/1/', '/group/', '/group/hanh-chinh/', '/group/hanh-chinh/page/1/', '/khong-co-trang-nay/', '/en/', '/en/dataset/', '/en/dataset/?q=xa&org=so-noi-vu', '/en/dataset/truong-trung-hoc-pho-thong/', '/en/organization/so-noi-vu/', '/api/', '/en/api/']) {
      await page.goto(`${server.url}${p}`);
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), p).toEqual([]);
    }
    await context.close();
  }, 180_000); // axe over 20 pages: about a minute on a loaded 2-core machine

  it('keeps pages small: HTML and CSS of a dataset page under 50 KB', async () => {
    const html = await (await fetch(`${server.url}/dataset/doi-chieu-don-vi-hanh-chinh-cap-xa-gia-lai/`)).arrayBuffer();
    const css = await (await fetch(`${server.url}/styles.css`)).arrayBuffer();
    expect(html.byteLength + css.byteLength).toBeLessThan(50 * 1024);
  });

  it('publishes a data package, an Atom feed, a sitemap and topic pages', async () => {
    const pkg = await (await fetch(`${server.url}/dataset/tuyen-xe-buyt/datapackage.json`)).json();
    expect(pkg.resources[0]).toMatchObject({ name: 'tuyen-xe-buyt', format: 'csv', encoding: 'utf-8' });
    expect(pkg.resources[0].hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const csv = await (await fetch(pkg.resources[0].path.replace(/^https?:\/\/[^/]+/, server.url))).text();
    expect(csv.split('\r\n')[0]).toBe(pkg.resources[0].schema.fields.map((f: { name: string }) => f.name).join(','));
    const html = await (await fetch(`${server.url}/dataset/tuyen-xe-buyt/`)).text();
    expect(html).toContain('<link rel="alternate" href="/dataset/tuyen-xe-buyt/datapackage.json" type="application/json"');
    const feed = await (await fetch(`${server.url}/feeds/dataset.atom`)).text();
    expect(feed.match(/<entry>/g)).toHaveLength(11);
    expect(feed).toContain('<title>Các tuyến xe buýt đang khai thác</title>');
    const index = await (await fetch(`${server.url}/sitemap-index.xml`)).text();
    expect(index).toContain('/sitemap-1.xml</loc>');
    const sitemap = await (await fetch(`${server.url}/sitemap-1.xml`)).text();
    expect(sitemap).toMatch(/\/dataset\/tuyen-xe-buyt\/<\/loc><lastmod>\d{4}-\d{2}-\d{2}<\/lastmod>/);
    const topic = await (await fetch(`${server.url}/group/hanh-chinh/`)).text();
    expect(topic).toContain('Danh mục 34 tỉnh, thành phố sau sắp xếp đơn vị hành chính năm 2025');
  });

  it('never serves a file outside the site', async () => {
    for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/dataset/..%2f..%2f..%2fpg%2fPG_VERSION']) {
      const status = await new Promise<string>((resolve, reject) => {
        const s = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => s.write(`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let data = '';
        s.on('data', (c) => (data += c));
        s.on('end', () => resolve(data.split('\r\n')[0]!));
        s.on('error', reject);
      });
      expect(status, p).toMatch(/ (403|404|400) /);
    }
  });

  it('serves precompressed pages and search data, and caches hashed assets for good', async () => {
    for (const p of ['/', '/dataset/', '/search/meta.json']) {
      const res = await fetch(`${server.url}${p}`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(res.headers.get('content-encoding'), p).toBe('br');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      const gz = await fetch(`${server.url}${p}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(await gz.text()).toBe(await res.text()); // fetch decodes both: the same document
    }
    const html = await (await fetch(`${server.url}/dataset/`)).text();
    const asset = /src="(\/_astro\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${server.url}${asset}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${server.url}/styles.css`)).headers.get('cache-control')).not.toContain('immutable');
  });

  it('follows no redirect off the site', async () => {
    const page = await watched(browser.newPage());
    for (const p of ['/%2fevil.example/..%2f..%2fdataset', '/%5cevil.example/..%2f..%2fdataset', '//evil.example/dataset/']) {
      const res = await page.goto(`${server.url}${p}`);
      expect(new URL(page.url()).host, p).toBe(new URL(server.url).host);
      expect([400, 404]).toContain(res!.status());
    }
    await page.close();
  });

  it('serves DCAT-AP: each dataset by address and by content negotiation, and a catalogue a harvester walks by hydra:next', async () => {
    const html = await (await fetch(`${server.url}/dataset/tuyen-xe-buyt/`)).text();
    for (const [type, ext] of [['text/turtle', 'ttl'], ['application/ld+json', 'jsonld'], ['application/rdf+xml', 'rdf']]) {
      expect(html).toContain(`<link rel="alternate" href="/dataset/tuyen-xe-buyt.${ext}" type="${type}"`);
      const byAccept = await fetch(`${server.url}/dataset/tuyen-xe-buyt/`, { headers: { accept: type } });
      expect(byAccept.headers.get('content-type')).toContain(type);
      expect(byAccept.headers.get('vary')).toContain('Accept');
      expect(await byAccept.text()).toBe(await (await fetch(`${server.url}/dataset/tuyen-xe-buyt.${ext}`)).text());
    }
    // a browser still gets the page
    expect((await fetch(`${server.url}/dataset/tuyen-xe-buyt/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })).headers.get('content-type')).toContain('text/html');
    // ckanext-dcat's RDF harvester: fetch the catalogue, follow hydra:next until there is none
    const seen: string[] = [];
    let next: string | null = `${server.url}/catalog.ttl`;
    for (let pages = 0; next && pages < 20; pages++) {
      const store: Store = new Store(parseTurtle(await (await fetch(next.replace(/^https?:\/\/[^/]+/, server.url))).text()));
      seen.push(...store.getObjects(null, namedNode('http://www.w3.org/ns/dcat#dataset'), null).map((t: { value: string }) => t.value));
      const paging: unknown = store.getSubjects(namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), namedNode('http://www.w3.org/ns/hydra/core#PagedCollection'), null)[0];
      next = paging ? store.getObjects(paging as Parameters<Store['getObjects']>[0], namedNode('http://www.w3.org/ns/hydra/core#next'), null)[0]?.value ?? null : null;
    }
    const published = (JSON.parse(fs.readFileSync(path.join(dataDir, 'publish', 'catalog.json'), 'utf8')) as { datasets: { slug: string }[] }).datasets.map((d) => d.slug);
    expect(seen.map((u) => u.replace(/^.*\/dataset\//, '')).sort()).toEqual([...published].sort());
  });

  it('broke nothing with its Content-Security-Policy: no page reported a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
