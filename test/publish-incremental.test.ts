import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '../server/db/index.ts';
import { UploadedFile } from '../server/actions/index.ts';
import { publishPending, type PublishJobResult } from '../server/publish/job.ts';
import { buildSite } from '../server/publish/site-build.ts';
import { currentView, listView, readLayer } from '../server/publish/site-view.ts';
import { readPublishedCatalog, switchLink } from '../server/publish/snapshot.ts';
import { readCatalog, readDatasetDoc } from '../server/publish/snapshot-files.ts';
import { MAX_LAYERS } from '../server/publish/site-update.ts';
import { databases } from './helpers/databases.ts';
import { fixture, tempDir } from './helpers/fixtures.ts';
import { publishCsv, testCatalog, unit, type TestCatalog } from './helpers/catalog.ts';

const SITE = 'http://localhost:4321';

/** The site as a map of path → bytes. */
function siteFiles(dataDir: string): Map<string, Buffer> {
  const view = currentView(path.join(dataDir, 'site'))!;
  return new Map([...listView(view)].map(([rel, file]) => [rel, fs.readFileSync(file)]));
}

function differing(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const out: string[] = [];
  for (const [rel, bytes] of b) if (!a.get(rel)?.equals(bytes)) out.push(rel);
  for (const rel of a.keys()) if (!b.has(rel)) out.push(rel);
  return out.sort();
}

/**
 * A full build of the snapshot the site shows, in another data folder (its `publish` link points at
 * the same snapshot): what the incremental site must equal, byte for byte.
 */
async function fullBuildOfCurrentSnapshot(dataDir: string): Promise<Map<string, Buffer>> {
  const other = tempDir('portal-full-');
  switchLink(path.join(other, 'publish'), fs.realpathSync(path.join(dataDir, 'publish')));
  await buildSite({ dataDir: other, siteUrl: SITE });
  const files = siteFiles(other);
  fs.rmSync(other, { recursive: true, force: true });
  return files;
}

// The site's output does not depend on the database (it reads the snapshot): the embedded one is enough here
const target = databases[0]!;

describe('publishing a change updates only what shows it', () => {
  let database: Database;
  let c: TestCatalog;
  let before: Map<string, Buffer>;
  const publish = () => publishPending(database.db, c.store, { dataDir: c.dataDir, siteUrl: SITE, site: true });

  beforeAll(async () => {
    database = await target.open();
    c = testCatalog(database, { siteUrl: SITE });
    await unit(c, 'so-y-te', 'Sở Y tế');
    await unit(c, 'so-giao-thong', 'Sở Giao thông vận tải');
    for (let i = 1; i <= 45; i++) {
      const org = i % 3 === 0 ? 'so-giao-thong' : 'so-y-te';
      await publishCsv(c, { slug: `bo-du-lieu-${String(i).padStart(2, '0')}`, org, title: `Bộ dữ liệu số ${i}`, csv: `Mã,Tên,Số lượng\n${i},Dòng ${i},${i * 3}\n` });
    }
    const first = await publish();
    expect(first.site?.kind).toBe('full');
    before = siteFiles(c.dataDir);
  }, 180_000);
  afterAll(async () => {
    await database?.close();
  });

  /** Publishes, checks the update was partial and equals a full build, and returns the files that changed. */
  async function publishAndCompare(): Promise<{ changed: string[]; result: PublishJobResult }> {
    const result = await publish();
    expect(result.site?.kind).toBe('update');
    const after = siteFiles(c.dataDir);
    const full = await fullBuildOfCurrentSnapshot(c.dataDir);
    expect(differing(full, after)).toEqual([]);
    const changed = differing(before, after);
    // the layer holds exactly the files that changed: nothing rewritten with the same bytes
    const view = currentView(path.join(c.dataDir, 'site'))!;
    if (view.layers.length <= MAX_LAYERS && view.layers.length > 0) {
      const top = view.layers.at(-1)!;
      expect([...top.files, ...top.deleted].sort()).toEqual(changed);
    }
    before = after;
    return { changed, result };
  }

  const pages = (changed: string[]) => changed.filter((f) => f.endsWith('.html'));

  it('lists every dataset without JavaScript: the newest on /dataset/, then pages of twenty in order of publication', () => {
    const links = (rel: string) => [...before.get(rel)!.toString().matchAll(/<h2><a href="\/dataset\/([a-z0-9-]+)\/"/g)].map((m) => m[1]!);
    expect(links('dataset/index.html')).toEqual(Array.from({ length: 20 }, (_, i) => `bo-du-lieu-${String(45 - i).padStart(2, '0')}`));
    const all = [1, 2, 3].flatMap((n) => links(`dataset/page/${n}/index.html`));
    expect(all.sort()).toEqual(Array.from({ length: 45 }, (_, i) => `bo-du-lieu-${String(i + 1).padStart(2, '0')}`));
    expect(links('dataset/page/1/index.html')[0]).toBe('bo-du-lieu-20'); // newest first within a page
    expect(before.has('dataset/page/4/index.html')).toBe(false);
    expect(before.get('dataset/index.html')!.toString()).toContain('href="/dataset/page/3/"');
    expect(before.get('dataset/page/2/index.html')!.toString()).toMatch(/href="\/dataset\/page\/3\/" rel="prev"[\s\S]*href="\/dataset\/page\/1\/" rel="next"/);
  });

  it('a new version: the dataset\'s pages, downloads and metadata, the list page that holds it, the pages listing recent updates', async () => {
    const file = fixture('v2.csv', 'Mã,Tên,Số lượng\n20,Dòng mới,60\n21,Dòng mới nữa,63\n');
    await c.actions.call('resource_update', c.system, { package_id: 'bo-du-lieu-20', resource_name: 'du-lieu', upload: new UploadedFile(file, 'v2.csv'), note: 'Cập nhật quý' });
    const { changed } = await publishAndCompare();
    expect(pages(changed)).toEqual(expect.arrayContaining(['dataset/bo-du-lieu-20/index.html', 'en/dataset/bo-du-lieu-20/index.html', 'index.html']));
    expect(changed).toEqual(expect.arrayContaining(['dataset/bo-du-lieu-20/datapackage.json', 'dataset/bo-du-lieu-20.ttl']));
    expect(changed.filter((f) => /^dataset\/bo-du-lieu-20\/version\/2\/resource\/[^/]+\/download\/du-lieu\.csv$/.test(f))).toHaveLength(1);
    // no other dataset's page
    expect(pages(changed).filter((f) => /^(en\/)?dataset\/bo-du-lieu-\d\d\//.test(f) && !f.includes('bo-du-lieu-20'))).toEqual([]);
    // the other list pages keep their bytes: pages are cut in order of publication
    expect(changed).not.toContain('dataset/page/2/index.html');
  }, 120_000);

  it('a metadata edit: the pages showing its title', async () => {
    await c.actions.call('package_patch', c.system, { id: 'bo-du-lieu-07', title: 'Danh sách nhà thuốc đạt chuẩn' });
    const { changed } = await publishAndCompare();
    expect(pages(changed)).toEqual(expect.arrayContaining(['dataset/bo-du-lieu-07/index.html', 'en/dataset/bo-du-lieu-07/index.html']));
    expect(changed).toEqual(expect.arrayContaining(['search/meta.json', 'dataset/bo-du-lieu-07.jsonld']));
    expect(pages(changed).filter((f) => /^(en\/)?dataset\/bo-du-lieu-\d\d\//.test(f) && !f.includes('bo-du-lieu-07'))).toEqual([]);
  }, 120_000);

  it('a new dataset: its pages, the last list page, the unit\'s pages; no earlier list page', async () => {
    await publishCsv(c, { slug: 'bo-du-lieu-moi', org: 'so-giao-thong', title: 'Tuyến xe buýt nội tỉnh', csv: 'Mã,Tuyến\n1,Pleiku – Quy Nhơn\n' });
    const { changed } = await publishAndCompare();
    expect(pages(changed)).toEqual(expect.arrayContaining(['dataset/bo-du-lieu-moi/index.html', 'dataset/page/3/index.html', 'organization/so-giao-thong/index.html', 'dataset/index.html']));
    expect(changed).not.toContain('dataset/page/1/index.html');
    expect(changed).not.toContain('organization/so-y-te/index.html');
  }, 120_000);

  it('a withdrawal: its page says so, its files go, its place in the lists stays', async () => {
    const gone = readDatasetDoc(fs.realpathSync(path.join(c.dataDir, 'publish')), readCatalog(path.join(c.dataDir, 'publish')), { slug: 'bo-du-lieu-11', doc: readCatalog(path.join(c.dataDir, 'publish')).datasets.find((d) => d.slug === 'bo-du-lieu-11')!.doc })!;
    await c.actions.call('package_delete', c.system, { id: 'bo-du-lieu-11', reason: 'Số liệu trùng với bộ dữ liệu khác của đơn vị' });
    const { changed } = await publishAndCompare();
    const after = before;
    expect(after.get('dataset/bo-du-lieu-11/index.html')!.toString()).toContain('Số liệu trùng với bộ dữ liệu khác của đơn vị');
    expect(after.has('dataset/bo-du-lieu-11/datapackage.json')).toBe(false);
    expect(after.has('dataset/bo-du-lieu-11.ttl')).toBe(false);
    expect(after.has(gone.resources[0]!.downloads.csv.url.slice(1))).toBe(false);
    expect(after.get('dataset/page/1/index.html')!.toString()).toContain('Số liệu trùng với bộ dữ liệu khác của đơn vị');
    expect(changed).not.toContain('dataset/page/2/index.html');
  }, 120_000);

  it('a new unit and a unit renamed: their pages, and the pages of the renamed unit\'s datasets', async () => {
    await unit(c, 'ubnd-xa-ia-ly', 'Ủy ban nhân dân xã Ia Ly');
    await c.actions.call('organization_update', c.system, { id: 'so-giao-thong', title: 'Sở Xây dựng' });
    const { changed } = await publishAndCompare();
    expect(pages(changed)).toEqual(expect.arrayContaining(['organization/ubnd-xa-ia-ly/index.html', 'en/organization/ubnd-xa-ia-ly/index.html', 'organization/index.html', 'dataset/bo-du-lieu-03/index.html', 'organization/so-giao-thong/page/1/index.html']));
    expect(pages(changed)).not.toContain('dataset/bo-du-lieu-01/index.html');
  }, 120_000);

  it('layers that pile up are merged into one, with the same site', async () => {
    for (let i = 0; i <= MAX_LAYERS; i++) {
      const file = fixture(`v${i}.csv`, `Mã,Tên,Số lượng\n1,Lần ${i},${i}\n`);
      await c.actions.call('resource_update', c.system, { package_id: 'bo-du-lieu-01', resource_name: 'du-lieu', upload: new UploadedFile(file, 'v.csv'), note: `Cập nhật lần ${i}` });
      await publish();
    }
    const view = currentView(path.join(c.dataDir, 'site'))!;
    expect(view.layers.length).toBeLessThanOrEqual(MAX_LAYERS);
    expect(readLayer(view.layers[0]!.root).files.size).toBeGreaterThan(0);
    expect(differing(await fullBuildOfCurrentSnapshot(c.dataDir), siteFiles(c.dataDir))).toEqual([]);
  }, 240_000);

  it('npm run export-site writes the site as one plain folder, the same files', () => {
    const out = path.join(tempDir('portal-export-'), 'site');
    const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../scripts/export-site.ts'), out], { env: { ...process.env, DATA_DIR: c.dataDir, PORTAL_QUIET: '0' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const exported = new Map<string, Buffer>();
    const walk = (dir: string, rel = '') => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const r2 = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), r2);
        else exported.set(r2, fs.readFileSync(path.join(dir, e.name)));
      }
    };
    walk(out);
    expect(differing(siteFiles(c.dataDir), exported)).toEqual([]);
    expect(exported.size).toBe(siteFiles(c.dataDir).size);
  });

  it('the snapshot built change by change equals one read whole from the database', async () => {
    const snapshot = fs.realpathSync(path.join(c.dataDir, 'publish'));
    const chained = readCatalog(snapshot);
    const whole = await readPublishedCatalog(database.db, c.store, SITE);
    const strip = (s: object) => ({ ...s, doc: undefined });
    expect(chained.datasets.map(strip)).toEqual(whole.catalog.datasets.map(strip));
    expect(chained.organizations).toEqual(whole.catalog.organizations);
    expect(chained.withdrawn).toEqual(whole.catalog.withdrawn);
    for (const d of whole.datasets) expect(readDatasetDoc(snapshot, chained, chained.datasets.find((s) => s.id === d.id)!)).toEqual(d);
  });
});

describe('publishing with nothing to show', () => {
  it('writes no file', async () => {
    const database = await target.open();
    const c = testCatalog(database, { siteUrl: SITE });
    await unit(c, 'so-y-te', 'Sở Y tế');
    await publishCsv(c, { slug: 'mot-bo', org: 'so-y-te', csv: 'a,b\n1,2\n' });
    const publish = () => publishPending(database.db, c.store, { dataDir: c.dataDir, siteUrl: SITE, site: true });
    await publish();
    const r = await publish();
    expect(r.site).toMatchObject({ kind: 'update', written: 0, removed: 0 });
    await database.close();
  }, 120_000);
});
