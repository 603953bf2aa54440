import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { schema, type Database } from '../server/db/index.ts';
import { startServer, type RunningServer } from '../server/http/server.ts';
import { writeSnapshot } from '../server/publish/snapshot.ts';
import { simplePublisher, type Publisher } from '../server/publish/publisher.ts';
import { databases } from './helpers/databases.ts';
import { tempDir } from './helpers/fixtures.ts';
import { account, publishCsv, testCatalog, tokenFor, unit } from './helpers/catalog.ts';
import { workspaceHandler } from './helpers/workspace.ts';

let handler: Awaited<ReturnType<typeof workspaceHandler>>;
beforeAll(async () => { handler = await workspaceHandler(); }, 180_000);

for (const target of databases) {
  describe(`authorisation of every write through HTTP on ${target.name}`, () => {
    let database: Database;
    let server: RunningServer;
    let publisher: Publisher;
    const tokens: Record<string, string> = {};
    const sessions: Record<string, { cookie: string; csrf: string }> = {};
    let n = 0;
    const csv = () => Buffer.from(`Tên,Số lượng\nNhà thuốc ${++n},${n}\n`);

    beforeAll(async () => {
      database = await target.open();
      const db = database.db;
      const dataDir = tempDir('portal-ws-');
      // the snapshot is written for real; the static rebuild is left to the browser test
      const c = testCatalog(database, { dataDir, onChanged: (reasons) => publisher.request(reasons.join(', ')) });
      publisher = simplePublisher(async () => { await writeSnapshot(db, c.store, { dataDir, siteUrl: 'http://localhost' }); });
      await unit(c, 'so-y-te', 'Sở Y tế');
      await unit(c, 'so-xay-dung', 'Sở Xây dựng');
      const ids = {
        admin: await account(c, { name: 'quantri', fullname: 'Quản trị', password: 'quan-tri-vien-2026!', sysadmin: true }),
        editorA: await account(c, { name: 'syt.bientap', fullname: 'Biên tập Sở Y tế', password: 'bien-tap-vien-2026!', unit: 'so-y-te' }),
        editorB: await account(c, { name: 'sxd.bientap', fullname: 'Biên tập Sở Xây dựng', password: 'bien-tap-vien-2026!', unit: 'so-xay-dung' }),
      };
      for (const [slug, org] of [['thuoc-a', 'so-y-te'], ['rut-a', 'so-y-te'], ['xay-dung-b', 'so-xay-dung']] as const) {
        await publishCsv(c, { slug, org, csv: csv(), title: `Dữ liệu ${slug}` });
      }
      for (const [k, id] of Object.entries(ids)) tokens[k] = await tokenFor(c, id);
      server = await startServer({ dataDir, host: '127.0.0.1', port: 0, portal: { actions: c.actions, db, store: c.store, publisher }, astroHandler: handler, cookieSecure: false });
      for (const [k, username, password] of [['admin', 'quantri', 'quan-tri-vien-2026!'], ['editorA', 'syt.bientap', 'bien-tap-vien-2026!'], ['editorB', 'sxd.bientap', 'bien-tap-vien-2026!']] as const) {
        const res = await post('/workspace/sign-in/', new URLSearchParams({ username, password }), '');
        expect(res.status).toBe(303);
        const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cdl_session='))!;
        expect(cookie).toMatch(/HttpOnly/i);
        expect(cookie).toMatch(/SameSite=Lax/i);
        const c = cookie.split(';')[0]!;
        const page = await (await fetch(`${server.url}/workspace/tokens/`, { headers: { cookie: c } })).text();
        sessions[k] = { cookie: c, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
      }
    }, 60_000);
    afterAll(async () => {
      await publisher?.idle();
      await server?.close();
      await database?.close();
    });

    function post(p: string, body: BodyInit, cookie: string, headers: Record<string, string> = {}) {
      return fetch(`${server.url}${p}`, { method: 'POST', body, redirect: 'manual', headers: { origin: server.url, ...(cookie ? { cookie } : {}), ...headers } });
    }
    const multipart = (fields: Record<string, string>, file?: Buffer) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      if (file) fd.append('file', new Blob([new Uint8Array(file)]), 'cap-nhat.csv');
      return fd;
    };
    type Who = 'admin' | 'editorA' | 'editorB' | 'anonymous';
    const s = (who: Who) => (who === 'anonymous' ? { cookie: '', csrf: 'x' } : sessions[who]!);

    const actions: Record<string, (who: Who) => Promise<Response>> = {
      'API: publish a version of unit A': (who) => post('/api/datasets/thuoc-a/versions', multipart({ note: 'Cập nhật qua API' }, csv()), '', who === 'anonymous' ? {} : { authorization: tokens[who]! }),
      'API: publish a version of unit B': (who) => post('/api/datasets/xay-dung-b/versions', multipart({ note: 'Cập nhật qua API' }, csv()), '', who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who]!}` }),
      'form: upload a version of unit A': (who) => post('/workspace/actions/upload/thuoc-a', multipart({ _csrf: s(who).csrf, note: 'Cập nhật qua biểu mẫu' }, csv()), s(who).cookie),
      'form: create a dataset in unit A': (who) => post('/workspace/actions/create', multipart({ _csrf: s(who).csrf, title: `Bộ mới của ${who}`, name: `bo-moi-${who.toLowerCase()}`, owner_org: 'so-y-te', license_id: 'CC-BY-4.0', frequency: 'quarterly' }, csv()), s(who).cookie),
      'edit the metadata of unit A': (who) => post('/workspace/datasets/thuoc-a/edit/', new URLSearchParams({ _csrf: s(who).csrf, title: `Nhà thuốc (sửa bởi ${who})`, license_id: 'CC-BY-4.0', frequency: 'quarterly' }), s(who).cookie),
      'withdraw a dataset of unit A': (who) => post('/workspace/datasets/rut-a/', new URLSearchParams({ _csrf: s(who).csrf, action: 'withdraw', reason: 'Dữ liệu đã được thay thế bằng bộ khác' }), s(who).cookie),
      'create a unit': (who) => post('/workspace/admin/units/', new URLSearchParams({ _csrf: s(who).csrf, title: `Phòng ${who}`, slug: `phong-${who.toLowerCase()}` }), s(who).cookie),
      'create an account': (who) => post('/workspace/admin/accounts/', new URLSearchParams({ _csrf: s(who).csrf, action: 'create', username: `tk.${who.toLowerCase()}`, displayName: 'Tài khoản mới', password: 'mat-khau-rat-dai-2026' }), s(who).cookie),
      "make an editor of unit B": (who) => post('/workspace/admin/accounts/', new URLSearchParams({ _csrf: s(who).csrf, action: 'membership', username: 'syt.bientap', organization: 'so-xay-dung', role: 'editor' }), s(who).cookie),
    };
    // expected status per action for: anonymous, editor of B (other unit), editor of A (owner), admin
    const expected: Record<string, Record<Who, number>> = {
      'API: publish a version of unit A': { anonymous: 401, editorB: 403, editorA: 201, admin: 201 },
      'API: publish a version of unit B': { anonymous: 401, editorA: 403, editorB: 201, admin: 201 },
      'form: upload a version of unit A': { anonymous: 401, editorB: 403, editorA: 303, admin: 303 },
      'form: create a dataset in unit A': { anonymous: 401, editorB: 403, editorA: 303, admin: 303 },
      'edit the metadata of unit A': { anonymous: 303, editorB: 403, editorA: 303, admin: 303 },
      'withdraw a dataset of unit A': { anonymous: 303, editorB: 403, editorA: 303, admin: 422 }, // admin: already withdrawn
      'create a unit': { anonymous: 303, editorB: 403, editorA: 403, admin: 303 },
      'create an account': { anonymous: 303, editorB: 403, editorA: 403, admin: 303 },
      'make an editor of unit B': { anonymous: 303, editorB: 403, editorA: 403, admin: 303 },
    };

    it('answers each actor × action as the rules say, and refused writes change nothing', async () => {
      const db = database.db;
      const versionsOf = async (slug: string) => {
        const [d] = await db.select().from(schema.datasets).where(eq(schema.datasets.slug, slug));
        return (await db.select().from(schema.datasetVersions).where(eq(schema.datasetVersions.datasetId, d!.id))).length;
      };
      const results: string[] = [];
      for (const [action, run] of Object.entries(actions)) {
        for (const who of ['anonymous', 'editorB', 'editorA', 'admin'] as Who[]) {
          if (!(who in expected[action]!)) continue;
          const before = { a: await versionsOf('thuoc-a'), b: await versionsOf('xay-dung-b') };
          const res = await run(who);
          results.push(`${action} / ${who}: ${res.status}`);
          if (res.status === 401 || res.status === 403) {
            expect({ a: await versionsOf('thuoc-a'), b: await versionsOf('xay-dung-b') }).toEqual(before);
          }
          if (res.status === 303 && who === 'anonymous') expect(res.headers.get('location')).toMatch(/^\/workspace\/sign-in\/\?next=/);
        }
      }
      expect(results).toEqual(Object.entries(expected).flatMap(([action, m]) => (['anonymous', 'editorB', 'editorA', 'admin'] as Who[]).filter((w) => w in m).map((w) => `${action} / ${w}: ${m[w]}`)));

      // what the allowed writes did, and who they are recorded against
      expect(await versionsOf('thuoc-a')).toBe(1 + 2 + 2 + 2); // two API versions, two form versions, two metadata versions
      const [thuoc] = await db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'thuoc-a'));
      expect(thuoc!.title).toBe('Nhà thuốc (sửa bởi admin)');
      const [rut] = await db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'rut-a'));
      expect(rut).toMatchObject({ state: 'withdrawn', withdrawnReason: 'Dữ liệu đã được thay thế bằng bộ khác' });
      expect((await db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'bo-moi-editorb')))).toHaveLength(0);
      expect((await db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'bo-moi-editora')))[0]?.state).toBe('published');
      expect((await db.select().from(schema.organizations).where(eq(schema.organizations.slug, 'phong-admin')))).toHaveLength(1);
      expect((await db.select().from(schema.organizations).where(eq(schema.organizations.slug, 'phong-editora')))).toHaveLength(0);
      expect((await db.select().from(schema.accounts).where(eq(schema.accounts.username, 'tk.editora')))).toHaveLength(0);
      const audit = await db.select().from(schema.auditEvents).where(and(eq(schema.auditEvents.action, 'dataset.withdraw')));
      expect(audit.map((a) => a.actorLabel)).toEqual(['syt.bientap']);
      expect(audit[0]!.beforeHash).not.toBe(audit[0]!.afterHash);
      const publishes = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.action, 'dataset.publish-version'));
      expect(publishes.filter((p) => p.actorLabel === 'syt.bientap')).toHaveLength(4); // API, form, new dataset, metadata
      expect(publishes.filter((p) => p.actorLabel === 'sxd.bientap')).toHaveLength(1);
    });

    it('answers the API with the version, the validation report, or a reason, in Vietnamese with a code', async () => {
      const ok = await post('/api/datasets/thuoc-a/versions', multipart({ note: 'Quý 4' }, csv()), '', { authorization: tokens.editorA! });
      expect(ok.status).toBe(201);
      expect((await ok.json()).result).toMatchObject({ dataset: 'thuoc-a', status: 'published', dataChanged: true });
      const bad = await post('/api/datasets/thuoc-a/versions', multipart({ note: 'Hỏng' }, Buffer.from('Tên,Số lượng\nA,1\nB,một trăm\n')), '', { authorization: tokens.editorA! });
      expect(bad.status).toBe(422);
      const body = await bad.json();
      expect(body.error.code).toBe('validation-failed');
      expect(body.error.reports[0].errors[0]).toMatchObject({ type: 'type-error', rowNumber: 3, fieldName: 'Số lượng', cell: 'một trăm' });
      const same = Buffer.from(`Tên,Số lượng\nNhà thuốc ${n},${n}\n`); // the bytes of the current version
      const noChange = await post('/api/datasets/thuoc-a/versions', multipart({ note: 'Lặp lại' }, same), '', { authorization: tokens.editorA! });
      expect(noChange.status).toBe(200);
      expect((await noChange.json()).result.status).toBe('no-change');
      const noNote = await post('/api/datasets/thuoc-a/versions', multipart({}, csv()), '', { authorization: tokens.editorA! });
      expect(noNote.status).toBe(422);
      expect((await noNote.json()).error).toMatchObject({ code: 'note-required' });
      const wrongToken = await post('/api/datasets/thuoc-a/versions', multipart({ note: 'x' }, csv()), '', { authorization: 'cdl_khong-hop-le' });
      expect(wrongToken.status).toBe(401);
      const missing = await post('/api/datasets/khong-co/versions', multipart({ note: 'x' }, csv()), '', { authorization: tokens.admin! });
      expect(missing.status).toBe(404);
    });

    it('refuses form posts without the session CSRF token or from another origin, and reads of another unit', async () => {
      const noToken = await post('/workspace/actions/upload/thuoc-a', multipart({ note: 'x' }, csv()), sessions.editorA!.cookie);
      expect(noToken.status).toBe(403);
      const otherSite = await post('/workspace/actions/upload/thuoc-a', multipart({ _csrf: sessions.editorA!.csrf, note: 'x' }, csv()), sessions.editorA!.cookie, { origin: 'https://evil.example' });
      expect(otherSite.status).toBe(403);
      const astroForm = await post('/workspace/datasets/thuoc-a/', new URLSearchParams({ _csrf: 'sai', action: 'withdraw', reason: 'không có lý do hợp lệ' }), sessions.editorA!.cookie);
      expect(astroForm.status).toBe(403);
      // (the matrix made the editor of A an editor of B as well; B's editor is still only B's)
      const page = await fetch(`${server.url}/workspace/datasets/thuoc-a/`, { headers: { cookie: sessions.editorB!.cookie } });
      expect(page.status).toBe(403);
      expect(await page.text()).not.toContain('Dữ liệu thuoc-a');
      const board = await fetch(`${server.url}/workspace/admin/`, { headers: { cookie: sessions.editorB!.cookie } });
      expect(board.status).toBe(403);
      expect((await fetch(`${server.url}/workspace/admin/`, { headers: { cookie: sessions.admin!.cookie } })).status).toBe(200);
    });

    it('gives the admin the yearly report as a page and as CSV, and nobody else', async () => {
      const year = new Date(Date.now() + 7 * 3600_000).getUTCFullYear();
      const page = await fetch(`${server.url}/workspace/admin/report/?nam=${year}`, { headers: { cookie: sessions.admin!.cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`Báo cáo tình hình cập nhật dữ liệu mở năm ${year}`);
      expect(html).toMatch(/<th scope="row">Sở Y tế<\/th>/);
      const csv = await fetch(`${server.url}/workspace/admin/report.csv?nam=${year}`, { headers: { cookie: sessions.admin!.cookie } });
      expect(csv.headers.get('content-disposition')).toContain(`bao-cao-cap-nhat-du-lieu-${year}.csv`);
      const bytes = Buffer.from(await csv.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel then reads the Vietnamese right
      const rows = bytes.subarray(3).toString('utf8').split('\r\n');
      expect(rows[0]).toBe('Đơn vị,Mã định danh,Bộ dữ liệu cuối kỳ,Bộ dữ liệu mới,Phiên bản công bố,Lần cập nhật dữ liệu,Bộ dữ liệu được cập nhật,Quá hạn cuối kỳ,Đã rút');
      const yte = rows.find((r) => r.startsWith('Sở Y tế,'))!.split(',');
      expect(Number(yte[4])).toBeGreaterThanOrEqual(5); // versions published this year by the unit
      expect(yte[8]).toBe('1'); // the dataset withdrawn in the matrix
      expect((await fetch(`${server.url}/workspace/admin/report.csv?nam=${year}`, { headers: { cookie: sessions.editorB!.cookie } })).status).toBe(403);
      expect((await fetch(`${server.url}/workspace/admin/report.csv?nam=${year}`)).status).toBe(401);
    });

    it('publishes new metadata as a version that keeps the files and the due date, and checks it first', async () => {
      const db = database.db;
      const before = (await db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'thuoc-a')))[0]!;
      const form = (extra: Record<string, string>) => new URLSearchParams({ _csrf: sessions.editorA!.csrf, title: 'Danh sách nhà thuốc đạt chuẩn GPP', license_id: 'CC-BY-4.0', frequency: 'quarterly', ...extra });
      const bad = await post('/workspace/datasets/thuoc-a/edit/', form({ maintainer_email: 'khong-phai-email', frequency: 'yearly' }), sessions.editorA!.cookie);
      expect(bad.status).toBe(422);
      const html = await bad.text();
      expect(html).toContain('Địa chỉ thư &quot;khong-phai-email&quot; không hợp lệ');
      expect(html).toContain('Tần suất khác hằng quý phải ghi rõ lý do');
      const ok = await post('/workspace/datasets/thuoc-a/edit/', form({ tags: 'y tế, GPP', note: 'Đổi tên theo chuẩn GPP' }), sessions.editorA!.cookie);
      expect(ok.status).toBe(303);
      expect(ok.headers.get('location')).toBe('/workspace/datasets/thuoc-a/?thong-tin=published');
      const after = (await db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'thuoc-a')))[0]!;
      expect(after).toMatchObject({ title: 'Danh sách nhà thuốc đạt chuẩn GPP', tags: ['y tế', 'GPP'], lastUpdatedAt: before.lastUpdatedAt });
      const [latest] = await db.select().from(schema.datasetVersions).where(eq(schema.datasetVersions.datasetId, after.id)).orderBy(desc(schema.datasetVersions.number)).limit(1);
      expect(latest).toMatchObject({ note: 'Đổi tên theo chuẩn GPP', metadata: expect.objectContaining({ title: 'Danh sách nhà thuốc đạt chuẩn GPP' }) });
      const same = await post('/workspace/datasets/thuoc-a/edit/', form({ tags: 'y tế, GPP' }), sessions.editorA!.cookie);
      expect(same.headers.get('location')).toBe('/workspace/datasets/thuoc-a/?thong-tin=no-change');
    });

    it('locks sign-in after five wrong passwords', async () => {
      const attempt = (password: string) => post('/workspace/sign-in/', new URLSearchParams({ username: 'sxd.bientap', password }), '', { 'x-test': '1' });
      for (let i = 0; i < 5; i++) expect((await attempt(`sai-mat-khau-${i}`)).status).toBe(401);
      const locked = await attempt('bien-tap-vien-2026!');
      expect(locked.status).toBe(429);
      expect(await locked.text()).toContain('Đăng nhập sai quá nhiều lần');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    });
  });
}
