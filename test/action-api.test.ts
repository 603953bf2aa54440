import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { schema, type Database } from '../server/db/index.ts';
import { startServer, type RunningServer } from '../server/http/server.ts';
import { writeSnapshot } from '../server/publish/snapshot.ts';
import { loadDemoCatalog } from '../server/seed/demo.ts';
import { databases } from './helpers/databases.ts';
import { copyOfDemoCatalog, tempDir } from './helpers/fixtures.ts';
import { setLogDirectory } from '../server/log.ts';
import { account, testCatalog, tokenFor, type TestCatalog } from './helpers/catalog.ts';

/** CKAN's package dict keys (ckan-anchors.md §2.4) and resource dict keys, as CKAN clients expect them. */
const PACKAGE_KEYS = ['id', 'name', 'title', 'version', 'url', 'author', 'author_email', 'maintainer', 'maintainer_email', 'notes', 'license_id', 'license_title', 'license_url', 'isopen', 'type', 'owner_org', 'creator_user_id', 'private', 'state', 'metadata_created', 'metadata_modified', 'resources', 'num_resources', 'tags', 'num_tags', 'extras', 'groups', 'organization', 'relationships_as_subject', 'relationships_as_object'];
const RESOURCE_KEYS = ['id', 'package_id', 'url', 'format', 'description', 'hash', 'position', 'name', 'resource_type', 'mimetype', 'mimetype_inner', 'size', 'created', 'last_modified', 'metadata_modified', 'cache_url', 'cache_last_updated', 'url_type', 'state'];
const NAIVE_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

for (const target of databases) {
  describe(`the CKAN Action API on ${target.name}`, () => {
    let database: Database;
    let c: TestCatalog;
    let server: RunningServer;
    const tokens: Record<string, string> = {};

    const republish = () => writeSnapshot(database.db, c.store, { dataDir: c.dataDir, siteUrl: 'http://localhost' });
    const get = async (action: string, params: Record<string, string> = {}, token?: string) => {
      const res = await fetch(`${server.url}/api/3/action/${action}?${new URLSearchParams(params)}`, { headers: token ? { authorization: token } : {} });
      return { status: res.status, body: await res.json() };
    };
    const post = async (action: string, body: unknown, token?: string, path = '/api/3/action/') => {
      const res = await fetch(`${server.url}${path}${action}`, {
        method: 'POST', body: body instanceof FormData ? body : JSON.stringify(body),
        headers: { ...(token ? { authorization: token } : {}), ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
      });
      return { status: res.status, body: await res.json() };
    };
    const counts = async () => {
      const n = async (t: PgTable) => (await database.db.select({ n: count() }).from(t))[0]!.n;
      return { datasets: await n(schema.datasets), versions: await n(schema.datasetVersions), units: await n(schema.organizations), accounts: await n(schema.accounts), members: await n(schema.memberships) };
    };

    beforeAll(async () => {
      database = await target.open();
      c = testCatalog(database);
      const results = await loadDemoCatalog(c.actions, copyOfDemoCatalog());
      expect(results.filter((r) => r.status !== 'published')).toEqual([]);
      const ids = {
        admin: await account(c, { name: 'quantri', password: 'quan-tri-vien-2026!', sysadmin: true }),
        editorA: await account(c, { name: 'syt.bientap', password: 'bien-tap-vien-2026!', unit: 'so-y-te' }),
        editorB: await account(c, { name: 'sxd.bientap', password: 'bien-tap-vien-2026!', unit: 'so-xay-dung' }),
        memberA: await account(c, { name: 'syt.xem', password: 'thanh-vien-xem-2026!', unit: 'so-y-te', capacity: 'member' }),
      };
      for (const [k, id] of Object.entries(ids)) tokens[k] = await tokenFor(c, id);
      await republish();
      server = await startServer({ dataDir: c.dataDir, host: '127.0.0.1', port: 0, portal: { actions: c.actions, db: database.db, store: c.store }, siteUrl: 'http://localhost' });
    }, 120_000);
    afterAll(async () => {
      await server?.close();
      await database?.close();
    });

    it('answers in CKAN\'s envelope with package dicts that have every field CKAN clients read', async () => {
      const r = await get('package_show', { id: 'tuyen-xe-buyt' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ help: 'http://localhost/api/3/action/help_show?name=package_show', success: true });
      const p = r.body.result;
      for (const k of PACKAGE_KEYS) expect(p, k).toHaveProperty(k);
      expect(p).toMatchObject({ name: 'tuyen-xe-buyt', type: 'dataset', state: 'active', private: false, isopen: true, license_id: 'CC-BY-4.0' });
      expect(p.metadata_created).toMatch(NAIVE_UTC);
      expect(p.metadata_modified).toMatch(NAIVE_UTC);
      expect(p.organization).toMatchObject({ id: p.owner_org, name: 'so-xay-dung', is_organization: true });
      expect(p.extras).toEqual(expect.arrayContaining([{ key: 'frequency', value: 'quarterly' }]));
      for (const k of RESOURCE_KEYS) expect(p.resources[0], k).toHaveProperty(k);
      expect(p.resources[0].hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(p.resources[0].url).toMatch(/^http:\/\/localhost\/dataset\/tuyen-xe-buyt\/resource\/[0-9a-f-]{36}\/download\/original\//);
      // the same by id, and through the /api/action/ route too
      expect((await get('package_show', { id: p.id })).body.result.name).toBe('tuyen-xe-buyt');
      expect((await fetch(`${server.url}/api/action/package_show?id=tuyen-xe-buyt`)).status).toBe(200);
      const res = await get('resource_show', { id: p.resources[0].id });
      expect(res.body.result).toMatchObject({ id: p.resources[0].id, package_id: p.id, url: p.resources[0].url });
    });

    it('answers the calls of the PortalJS CKAN client', async () => {
      // packages/ckan/src/lib/ckanapi.tsx in datopian/portaljs
      const search = await get('package_search', { start: '0', rows: '5', fq: 'organization:so-noi-vu', q: 'xa', sort: 'metadata_modified desc' });
      expect(search.status).toBe(200);
      expect(search.body.result.results.map((d: { organization: { name: string } }) => d.organization.name)).toEqual(Array(search.body.result.results.length).fill('so-noi-vu'));
      const orgs = await get('organization_list', { all_fields: 'True', offset: '0', limit: '25' });
      expect(orgs.body.result.length).toBeGreaterThanOrEqual(5);
      expect(orgs.body.result[0]).toMatchObject({ is_organization: true, package_count: expect.any(Number) });
      expect((await get('group_list', { all_fields: 'True' })).body.result.find((g: { name: string }) => g.name === 'hanh-chinh')).toMatchObject({ title: 'Hành chính', package_count: expect.any(Number) });
      const tags = await get('tag_list', { all_fields: 'True' });
      expect(tags.body.result[0]).toMatchObject({ name: expect.any(String), display_name: expect.any(String) });
      const activity = await get('package_activity_list', { id: 'tuyen-xe-buyt' });
      expect(activity.body.result[0]).toMatchObject({ activity_type: 'new package', timestamp: expect.stringMatching(NAIVE_UTC), data: { package: { name: 'tuyen-xe-buyt' } } });
      const formats = await get('package_search', { 'facet.field': '["res_format"]', rows: '0' });
      expect(formats.body.result.results).toEqual([]);
      expect(formats.body.result.facets.res_format).toMatchObject({ CSV: expect.any(Number), XLSX: 2 });
      expect(formats.body.result.search_facets.res_format.items).toEqual(expect.arrayContaining([{ name: 'XLSX', display_name: 'XLSX', count: 2 }]));
      expect((await get('license_list')).body.result.map((l: { id: string }) => l.id)).toContain('CC-BY-4.0');
      expect((await get('status_show')).body.result).toMatchObject({ locale_default: 'vi', api_version: 3 });
    });

    it('matches Vietnamese text as the site does: no accents, đ = d, prefixes, and facets in both CKAN keys', async () => {
      const titles = async (q: string) => (await get('package_search', { q })).body.result.results.map((d: { name: string }) => d.name);
      expect(await titles('truong trung hoc')).toEqual(['truong-trung-hoc-pho-thong']);
      expect(await titles('Trường trung học')).toEqual(['truong-trung-hoc-pho-thong']);
      expect(await titles('don vi hanh chinh')).toEqual(expect.arrayContaining(['don-vi-hanh-chinh-cap-xa-gia-lai-2025']));
      expect(await titles('xe buy')).toEqual(['tuyen-xe-buyt']);
      expect(await titles('khong co gi nhu the nay')).toEqual([]);
      const r = await get('package_search', { q: 'tags:y-te OR *:*', 'facet.field': '["organization","groups","license_id"]', 'facet.limit': '2' }).catch(() => null);
      expect(r).not.toBeNull();
      const f = (await get('package_search', { 'facet.field': '["organization"]' })).body.result;
      expect(Object.values(f.facets.organization as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(f.count);
      expect(f.search_facets.organization.items[0]).toMatchObject({ name: expect.any(String), display_name: expect.stringMatching(/^(Sở|UBND|Ủy)/), count: expect.any(Number) });
    });

    it('lets a CKAN harvester crawl every dataset once, then only what changed', async () => {
      // ckanext-harvest's CKANHarvester: rows=100&start=N&sort=id asc until an empty page
      const seen: string[] = [];
      const pages: string[] = [];
      for (let start = 0; ; start += 3) {
        const r = await get('package_search', { rows: '3', start: String(start), sort: 'id asc' });
        const ids = r.body.result.results.map((d: { id: string; owner_org: string; resources: { url: string }[] }) => {
          expect(d.owner_org).toMatch(/^[0-9a-f-]{36}$/);
          expect(d.resources.every((x) => x.url.startsWith('http'))).toBe(true);
          return d.id;
        });
        if (!ids.length) break;
        expect(pages).not.toContain(JSON.stringify(ids)); // "The paging doesn't seem to work"
        pages.push(JSON.stringify(ids));
        seen.push(...ids);
      }
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe((await get('package_list')).body.result.length);
      // an incremental run: what was modified since the last gather started
      const since = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      await new Promise((r) => setTimeout(r, Date.parse(since) - Date.now() + 50));
      await post('package_patch', { id: 'tuyen-xe-buyt', notes: 'Danh sách tuyến xe buýt nội tỉnh, cập nhật cho lần thu thập thử.' }, tokens.admin);
      await republish();
      const changed = await get('package_search', { fq: `metadata_modified:[${since} TO *]`, rows: '100', sort: 'id asc' });
      expect(changed.body.result.results.map((d: { name: string }) => d.name)).toEqual(['tuyen-xe-buyt']);
    });

    it('answers bad input with CKAN-shaped errors and changes nothing', async () => {
      const before = await counts();
      const unknown = await fetch(`${server.url}/api/3/action/khong_co_thao_tac_nay`);
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toBe('Bad request: Action name not known: khong_co_thao_tac_nay');
      const badJson = await fetch(`${server.url}/api/3/action/package_create`, { method: 'POST', body: '{"name": ', headers: { authorization: tokens.admin!, 'content-type': 'application/json' } });
      expect(badJson.status).toBe(400);
      expect(await badJson.json()).toMatch(/^Bad request - JSON Error/);
      const unknownParam = await get('package_show', { id: 'tuyen-xe-buyt', nhan_bua: '1' });
      expect(unknownParam).toMatchObject({ status: 409, body: { success: false, error: { __type: 'Validation Error', nhan_bua: [expect.stringContaining('không được hỗ trợ')] } } });
      const searchParam = await get('package_search', { q: 'x', lung_tung: '1' });
      expect(searchParam).toMatchObject({ status: 400, body: { error: { __type: 'Search Query Error', message: expect.stringContaining('Invalid search parameters') } } });
      expect(await get('package_search', { rows: '100000' })).toMatchObject({ status: 409, body: { error: { __type: 'Validation Error', rows: [expect.stringContaining('1000')] } } });
      expect(await get('package_search', { start: '-5' })).toMatchObject({ status: 409, body: { error: { __type: 'Validation Error', start: [expect.any(String)] } } });
      expect(await get('package_search', { fq: 'organization:(so-y-te' })).toMatchObject({ status: 400, body: { error: { __type: 'Search Query Error' } } });
      expect(await get('package_search', { fq: 'khong_co_truong:1' })).toMatchObject({ status: 400, body: { error: { __type: 'Search Query Error' } } });
      expect(await get('package_search', { sort: 'bua_bai desc' })).toMatchObject({ status: 400, body: { error: { __type: 'Search Query Error', message: 'Search Query is invalid: Invalid "sort" parameter' } } });
      // a 10 MB q: refused from its declared length, before it is read
      const big = await new Promise<string>((resolve, reject) => {
        const u = new URL(server.url);
        const s = net.connect(Number(u.port), u.hostname, () => s.write(`POST /api/3/action/package_search HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n{"q":"`));
        let data = '';
        s.on('data', (d) => { data += d.toString(); if (data.includes('\r\n\r\n')) { resolve(data); s.destroy(); } });
        s.on('error', reject);
      });
      expect(big).toMatch(/^HTTP\/1\.1 413/);
      // a q just under the body limit but far over the query's own
      expect(await post('package_search', { q: 'dữ liệu '.repeat(2000) })).toMatchObject({ status: 409, body: { error: { q: [expect.stringContaining('1000')] } } });
      // a write by GET, and a write without a token
      expect(await get('package_patch', { id: 'tuyen-xe-buyt', title: 'x' })).toMatchObject({ status: 400 });
      expect(await post('package_patch', { id: 'tuyen-xe-buyt', title: 'x' })).toMatchObject({ status: 403, body: { error: { __type: 'Authorization Error', message: expect.stringMatching(/^Access denied: /) } } });
      expect(await post('package_patch', { id: 'tuyen-xe-buyt', title: 'x' }, 'cdl_sai-ma-truy-cap')).toMatchObject({ status: 403 });
      // the adapters' own actions are not on the API
      expect((await post('session_create', { username: 'quantri', password: 'quan-tri-vien-2026!', address: '1.2.3.4' })).status).toBe(400);
      expect((await post('package_seed', {})).status).toBe(400);
      expect(await counts()).toEqual(before);
    });

    it('authorises every write by role and unit, and a refused write changes nothing', async () => {
      type Who = 'anonymous' | 'memberA' | 'editorB' | 'editorA' | 'admin';
      const csv = (n: number) => new Blob([`Tên cơ sở,Số giường\nCơ sở ${n},${n}\n`]);
      let n = 0;
      const multipart = (fields: Record<string, string>) => {
        const fd = new FormData();
        for (const [k, v] of Object.entries(fields)) fd.append(k, v);
        fd.append('upload', csv(++n), `moi-${n}.csv`);
        return fd;
      };
      const writes: Record<string, (who: Who) => unknown> = {
        package_create: (who) => ({ name: `kho-thuoc-${who.toLowerCase()}`, title: `Kho thuốc (${who})`, owner_org: 'so-y-te' }),
        package_patch: () => ({ id: 'co-so-kham-benh-chua-benh', tags: ['y tế', `vòng ${++n}`] }),
        package_update: () => ({ id: 'co-so-kham-benh-chua-benh', title: 'Danh sách cơ sở khám bệnh, chữa bệnh được cấp phép hoạt động', notes: `Bản mô tả ${++n}`, license_id: 'CC-BY-4.0' }),
        resource_create: (who) => multipart({ package_id: 'co-so-kham-benh-chua-benh', resource_name: `phu-luc-${who.toLowerCase()}`, name: 'Phụ lục', note: 'Thêm phụ lục' }),
        resource_update: () => multipart({ package_id: 'co-so-kham-benh-chua-benh', resource_name: 'phu-luc-admin', note: 'Cập nhật phụ lục' }),
        'package_patch (unit B)': () => ({ id: 'tuyen-xe-buyt', tags: ['giao thông', `vòng ${++n}`] }),
        organization_create: (who) => ({ name: `phong-${who.toLowerCase()}`, title: `Phòng (${who})` }),
        member_create: () => ({ id: 'so-xay-dung', object: 'syt.xem', capacity: 'member' }),
        user_create: (who) => ({ name: `tk.${who.toLowerCase()}`, password: 'mat-khau-rat-dai-2026' }),
        package_delete: () => ({ id: 'diem-du-lich-tieu-bieu', reason: 'Dữ liệu đã được chuyển sang cổng của ngành' }),
        package_reinstate: () => ({ id: 'diem-du-lich-tieu-bieu', reason: 'Khôi phục theo yêu cầu của Sở' }),
      };
      // anonymous, a member of A, the editor of B, the editor of A, the admin (resource_update runs after resource_create made the admin's resource)
      const expected: Record<string, Record<Who, number>> = {
        package_create: { anonymous: 403, memberA: 403, editorB: 403, editorA: 200, admin: 200 },
        package_patch: { anonymous: 403, memberA: 403, editorB: 403, editorA: 200, admin: 200 },
        package_update: { anonymous: 403, memberA: 403, editorB: 403, editorA: 200, admin: 200 },
        resource_create: { anonymous: 403, memberA: 403, editorB: 403, editorA: 200, admin: 200 },
        resource_update: { anonymous: 403, memberA: 403, editorB: 403, editorA: 200, admin: 200 },
        'package_patch (unit B)': { anonymous: 403, memberA: 403, editorB: 200, editorA: 403, admin: 200 },
        organization_create: { anonymous: 403, memberA: 403, editorB: 403, editorA: 403, admin: 200 },
        member_create: { anonymous: 403, memberA: 403, editorB: 403, editorA: 403, admin: 200 },
        user_create: { anonymous: 403, memberA: 403, editorB: 403, editorA: 403, admin: 200 },
        package_delete: { anonymous: 403, memberA: 403, editorB: 403, editorA: 403, admin: 200 }, // a unit of its own (Sở VHTTDL)
        package_reinstate: { anonymous: 403, memberA: 403, editorB: 403, editorA: 403, admin: 200 },
      };
      const got: string[] = [];
      const want: string[] = [];
      for (const [name, input] of Object.entries(writes)) {
        for (const who of ['anonymous', 'memberA', 'editorB', 'editorA', 'admin'] as Who[]) {
          const before = await counts();
          const r = await post(name.replace(/ \(.*\)$/, ''), input(who), who === 'anonymous' ? undefined : tokens[who]);
          got.push(`${name} / ${who}: ${r.status}${r.status >= 400 ? ` ${r.body.error?.__type}` : ''}`);
          want.push(`${name} / ${who}: ${expected[name]![who]}${expected[name]![who] >= 400 ? ' Authorization Error' : ''}`);
          if (r.status >= 400) expect(await counts(), `${name} / ${who}`).toEqual(before);
        }
      }
      expect(got).toEqual(want);
      // what they did, recorded against who did it
      const audit = await database.db.select().from(schema.auditEvents);
      expect(audit.filter((a) => a.action === 'dataset.withdraw').map((a) => [a.actorLabel, (a.details as { via: string }).via])).toEqual([['quantri', 'package_delete']]);
      expect(audit.filter((a) => a.action === 'dataset.reinstate').map((a) => a.actorLabel)).toEqual(['quantri']);
    });

    it('keeps a draft or another unit\'s non-public dataset out of sight (404) but shows it to its unit', async () => {
      const draft = await post('package_create', { name: 'ban-nhap-thuoc', title: 'Bản nháp danh sách nhà thuốc', owner_org: 'so-y-te' }, tokens.editorA);
      expect(draft).toMatchObject({ status: 200, body: { result: { state: 'draft', name: 'ban-nhap-thuoc' } } });
      await republish();
      expect((await get('package_show', { id: 'ban-nhap-thuoc' })).status).toBe(404);
      expect((await get('package_show', { id: 'ban-nhap-thuoc' }, tokens.editorB)).status).toBe(404);
      expect((await get('package_show', { id: 'ban-nhap-thuoc' }, tokens.memberA)).body.result).toMatchObject({ state: 'draft', private: true });
      expect((await get('package_search', { q: 'ban nhap' })).body.result.count).toBe(0);
      expect((await get('package_list')).body.result).not.toContain('ban-nhap-thuoc');
      // its first file publishes it
      const fd = new FormData();
      fd.append('package_id', 'ban-nhap-thuoc');
      fd.append('note', 'Công bố lần đầu');
      const bytes = Buffer.from('Tên,Địa chỉ\nNhà thuốc An Bình,Phường Pleiku\n');
      fd.append('upload', new Blob([bytes]), 'nha-thuoc.csv');
      expect(await post('resource_create', fd, tokens.editorA)).toMatchObject({ status: 200, body: { result: { result: { status: 'published', version: 1 } } } });
      await republish();
      const shown = (await get('package_show', { id: 'ban-nhap-thuoc' })).body.result;
      expect(shown.state).toBe('active');
      // the upload, hashed as it was received and moved into the store: the stored original is its bytes
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      expect(shown.resources[0].hash).toBe(`sha256:${sha256}`);
      expect(fs.readFileSync(c.store.pathOf(sha256)).equals(bytes)).toBe(true);
      expect(fs.readdirSync(c.store.tmpDir)).toEqual([]);
      // the same bytes again are no change (told by the hash taken on receipt)
      const again = new FormData();
      again.append('package_id', 'ban-nhap-thuoc');
      again.append('resource_name', shown.resources[0].name);
      again.append('note', 'Gửi lại');
      again.append('upload', new Blob([bytes]), 'nha-thuoc.csv');
      expect(await post('resource_update', again, tokens.editorA)).toMatchObject({ status: 200, body: { result: { result: { status: 'no-change', version: 1 } } } });
      expect(fs.readdirSync(c.store.tmpDir)).toEqual([]);
    });

    it('logs how far the ingest of a large upload has read, in the server\'s log', async () => {
      const logs = tempDir('portal-log-');
      setLogDirectory(logs);
      process.env.PORTAL_PROGRESS_SECONDS = '0.01';
      try {
        const rows = ['Mã hồ sơ,Họ và tên,Ngày tiếp nhận,Số tiền'];
        for (let i = 1; i <= 60_000; i++) rows.push(`HS${i},Nguyễn Văn ${i},${String(1 + (i % 28)).padStart(2, '0')}/05/2025,"${i}.000"`);
        const bytes = Buffer.from(rows.join('\r\n') + '\r\n');
        const fd = new FormData();
        fd.append('package_id', 'ban-nhap-thuoc');
        fd.append('resource_name', 'ho-so-tiep-nhan');
        fd.append('note', 'Thêm hồ sơ tiếp nhận');
        fd.append('upload', new Blob([bytes]), 'hồ-sơ-tiếp-nhận.csv');
        expect(await post('resource_create', fd, tokens.editorA)).toMatchObject({ status: 200, body: { result: { result: { status: 'published' } } } });
      } finally {
        delete process.env.PORTAL_PROGRESS_SECONDS;
      }
      const lines = fs.readFileSync(path.join(logs, 'portal.log'), 'utf8').split('\n').filter((l) => l.includes('[ingest] hồ-sơ-tiếp-nhận.csv: đọc: '));
      expect(lines.length).toBeGreaterThan(0);
      const m = /đọc: ([\d.]+)\/([\d.]+) MB \((\d+)%\), ([\d.]+) hàng/.exec(lines.at(-1)!);
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThan(1);
      expect(Number(m![1])).toBeGreaterThan(0);
      expect(Number(m![4]!.replace(/\./g, ''))).toBeGreaterThan(0);
    });

    it('answers a bad file with 409 and its validation report, and publishes nothing', async () => {
      const before = await counts();
      const fd = new FormData();
      fd.append('package_id', 'tuyen-xe-buyt');
      fd.append('note', 'Thử tệp lỗi');
      fd.append('upload', new Blob(['Số hiệu,Lộ trình,Chiều dài (km)\n01,"Quy Nhơn – An Nhơn,20\n']), 'loi.csv');
      const r = await post('resource_update', fd, tokens.editorB);
      expect(r.status).toBe(409);
      expect(r.body.error).toMatchObject({ __type: 'Validation Error', __codes: { upload: expect.arrayContaining(['validation-failed']) } });
      expect(r.body.error.reports[0].valid).toBe(false);
      expect(await counts()).toEqual(before);
      const help = await get('help_show', { name: 'package_delete' });
      expect(help.body.result).toContain('reason');
    });
  });
}
