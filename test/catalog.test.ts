import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, isNull } from 'drizzle-orm';
import { schema, type Database } from '../server/db/index.ts';
import { loadDemoCatalog } from '../server/seed/demo.ts';
import { readPublishedCatalog, writeSnapshot } from '../server/publish/snapshot.ts';
import { blobPath, publishedDataset, readCatalog } from '../server/publish/snapshot-files.ts';
import { BlobStore } from '../server/storage/blobs.ts';
import { UploadedFile, ValidationError } from '../server/actions/index.ts';
import { databases } from './helpers/databases.ts';
import { copyOfDemoCatalog, tempDir } from './helpers/fixtures.ts';
import { account, testCatalog, type TestCatalog } from './helpers/catalog.ts';

const demoFolders = fs.readdirSync(path.resolve(import.meta.dirname, '../datasets'), { withFileTypes: true }).filter((d) => d.isDirectory()).length;

for (const target of databases) {
  describe(`catalogue on ${target.name}`, () => {
    let database: Database;
    let store: BlobStore;
    let dataDir: string;
    let datasetsDir: string;
    let c: TestCatalog;

    beforeAll(async () => {
      database = await target.open();
      c = testCatalog(database);
      dataDir = tempDir();
      store = c.store;
      datasetsDir = copyOfDemoCatalog();
    });
    afterAll(async () => {
      await database?.close();
    });

    it('loads every demo dataset through ingest and publishes version 1 of each', async () => {
      const results = await loadDemoCatalog(c.actions, datasetsDir);
      expect(results.filter((r) => r.status !== 'published')).toEqual([]);
      expect(results).toHaveLength(demoFolders);
      const { catalog, datasets } = await readPublishedCatalog(database.db, store, 'http://localhost:4321');
      expect(catalog.datasets).toHaveLength(demoFolders);
      expect(new Set(catalog.datasets.map((d) => d.organization)).size).toBeGreaterThanOrEqual(5);
      expect(datasets.filter((d) => !d.isSample).length).toBeGreaterThanOrEqual(3);
      const provinces = datasets.find((d) => d.slug === 'danh-muc-34-tinh-thanh-pho-2025')!;
      expect(provinces.resources[0]!.rowCount).toBe(34);
      const schools = datasets.find((d) => d.slug === 'truong-trung-hoc-pho-thong')!;
      expect(schools.resources[0]!.encoding).toBe('windows-1258');
      const csv = fs.readFileSync(store.pathOf(schools.resources[0]!.downloads.csv.sha256), 'utf8');
      expect(csv).toContain('Trường THPT Lê Quý Đôn');
    });

    it('loads nothing twice: a second run publishes no new version', async () => {
      const before = await database.db.select({ n: count() }).from(schema.datasetVersions);
      const results = await loadDemoCatalog(c.actions, datasetsDir);
      expect(results.map((r) => r.status)).toEqual(Array(demoFolders).fill('no-change'));
      const after = await database.db.select({ n: count() }).from(schema.datasetVersions);
      expect(after[0]!.n).toBe(before[0]!.n);
    });

    it('publishes a new version when a data file changes, and keeps the old one', async () => {
      const file = path.join(datasetsDir, 'tuyen-xe-buyt', 'tuyen-xe-buyt.csv');
      fs.appendFileSync(file, '15,Pleiku – Ia Grai,"30,5",05:30,19:00,30,"12.000",HTX Vận tải Pleiku\r\n');
      const results = await loadDemoCatalog(c.actions, datasetsDir);
      expect(results.find((r) => r.folder === 'tuyen-xe-buyt')).toMatchObject({ status: 'published', message: expect.stringContaining('phiên bản 2') });
      const { datasets } = await readPublishedCatalog(database.db, store, 'http://localhost:4321');
      const bus = datasets.find((d) => d.slug === 'tuyen-xe-buyt')!;
      expect(bus.versions.map((v) => v.number)).toEqual([2, 1]);
      expect(bus.resources[0]!.rowCount).toBe(9);
      expect(bus.versions[1]!.resources[0]!.csv.sha256).not.toBe(bus.versions[0]!.resources[0]!.csv.sha256);
      expect(store.has(bus.versions[1]!.resources[0]!.csv.sha256)).toBe(true);
    });

    it('refuses to alter or delete a published version', async () => {
      const reason = (p: PromiseLike<unknown>) => Promise.resolve(p).then(() => 'accepted', (e: Error & { cause?: Error }) => e.cause?.message ?? e.message);
      expect(await reason(database.db.update(schema.datasetVersions).set({ note: 'sửa lén' }))).toMatch(/versions are immutable \(UPDATE/);
      expect(await reason(database.db.delete(schema.versionResources))).toMatch(/versions are immutable \(DELETE/);
      const notes = await database.db.select({ note: schema.datasetVersions.note }).from(schema.datasetVersions);
      expect(notes.some((n) => n.note === 'sửa lén')).toBe(false);
    });

    it('stops only the broken datasets, naming the file and the reason, and leaves the published snapshot intact', async () => {
      const snap = await writeSnapshot(database.db, store, { dataDir, siteUrl: 'http://localhost:4321' });
      const catalogBefore = JSON.parse(fs.readFileSync(path.join(dataDir, 'publish', 'catalog.json'), 'utf8'));
      fs.writeFileSync(path.join(datasetsDir, 'diem-du-lich-tieu-bieu', 'datapackage.json'), '{ "name": "diem-du-lich-tieu-bieu", "title": ');
      fs.writeFileSync(path.join(datasetsDir, 'co-so-kham-benh-chua-benh', 'co-so-kham-chua-benh.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
      const results = await loadDemoCatalog(c.actions, datasetsDir);
      const failed = results.filter((r) => r.status === 'failed');
      expect(failed.map((r) => r.folder).sort()).toEqual(['co-so-kham-benh-chua-benh', 'diem-du-lich-tieu-bieu']);
      expect(failed.find((r) => r.folder === 'diem-du-lich-tieu-bieu')!.message).toMatch(/diem-du-lich-tieu-bieu\/datapackage\.json: không đọc được siêu dữ liệu/);
      expect(failed.find((r) => r.folder === 'co-so-kham-benh-chua-benh')!.message).toMatch(/co-so-kham-chua-benh\.csv: .*nhị phân/);
      expect(results.filter((r) => r.status === 'no-change')).toHaveLength(demoFolders - 2);
      // the broken update did not touch what was published
      const snap2 = await writeSnapshot(database.db, store, { dataDir, siteUrl: 'http://localhost:4321' });
      const catalogAfter = JSON.parse(fs.readFileSync(path.join(dataDir, 'publish', 'catalog.json'), 'utf8'));
      expect(catalogAfter.datasets).toEqual(catalogBefore.datasets);
      expect(snap2.dir).not.toBe(snap.dir);
      expect(fs.realpathSync(path.join(dataDir, 'publish'))).toBe(snap2.dir);
      const health = publishedDataset(snap2.dir, 'co-so-kham-benh-chua-benh')!;
      expect(health.version).toBe(1);
      expect(fs.existsSync(blobPath(snap2.dir, readCatalog(snap2.dir), health.resources[0]!.downloads.csv.sha256))).toBe(true);
    });

    it('ingests the awkward demo files cleanly: UTF-8 with BOM, Windows-1258, xlsx with a title row, tab-separated', async () => {
      const { datasets } = await readPublishedCatalog(database.db, store, 'http://localhost:4321');
      const res = (slug: string) => datasets.find((d) => d.slug === slug)!.resources[0]!;
      expect(res('don-vi-hanh-chinh-cap-xa-gia-lai-2025')).toMatchObject({ encoding: 'utf-8-bom', rowCount: 135 });
      expect(res('truong-trung-hoc-pho-thong').encoding).toBe('windows-1258');
      const xlsx = res('doi-chieu-don-vi-hanh-chinh-cap-xa-gia-lai');
      expect(xlsx.format).toBe('XLSX');
      expect((xlsx.schema.fields as { name: string }[]).map((f) => f.name)).toEqual(['Mã xã mới', 'Tên xã mới', 'Mã xã cũ', 'Tên xã cũ', 'Hình thức']);
      const csv = fs.readFileSync(store.pathOf(res('don-vi-hanh-chinh-cap-xa-gia-lai-2025').downloads.csv.sha256), 'utf8');
      expect(csv.charCodeAt(0)).not.toBe(0xfeff);
      expect(csv.split('\r\n')[0]).toBe('Mã xã,Tên đơn vị hành chính,Loại,Số đơn vị cũ hợp thành,Mã tỉnh,Tên tỉnh');
      expect(res('diem-phat-wifi-cong-cong').format).toBe('TSV');
    });

    it('does not count a same-bytes update as an update, and leaves no trace of a failed or stopped one', async () => {
      const [bus] = await database.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'tuyen-xe-buyt'));
      const versionsBefore = await database.db.select({ n: count() }).from(schema.datasetVersions);
      const blobsBefore = fs.readdirSync(store.root, { recursive: true }).length;
      const file = path.join(datasetsDir, 'tuyen-xe-buyt', 'tuyen-xe-buyt.csv');
      const update = (filePath: string, note: string) => c.actions.call('resource_update', c.system, { package_id: 'tuyen-xe-buyt', upload: new UploadedFile(filePath, path.basename(filePath)), note });
      const same = await update(file, 'Cập nhật quý');
      expect(same.result.status).toBe('no-change');
      const broken = path.join(tempDir(), 'tuyen-xe-buyt.csv');
      fs.writeFileSync(broken, fs.readFileSync(file, 'utf8') + '16,Tuyến mới,"không rõ",05:30,19:00,30,"12.000",HTX\r\n');
      const invalid = await update(broken, 'Cập nhật lỗi').catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(ValidationError);
      expect((invalid as ValidationError).code).toBe('validation-failed');
      const reports = (invalid as ValidationError).data!.reports as { errors: unknown[] }[];
      expect(reports[0]!.errors[0]).toMatchObject({ type: 'type-error', fieldName: 'Chiều dài (km)', cell: 'không rõ' });
      const [after] = await database.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'tuyen-xe-buyt'));
      expect(after!.lastUpdatedAt).toEqual(bus!.lastUpdatedAt);
      expect((await database.db.select({ n: count() }).from(schema.datasetVersions))[0]!.n).toBe(versionsBefore[0]!.n);
      expect(fs.readdirSync(store.root, { recursive: true }).length).toBe(blobsBefore);
      expect(fs.readdirSync(store.tmpDir)).toEqual([]);
    });

    it('records an audit event for every publication', async () => {
      const rows = await database.db.select({ n: count() }).from(schema.auditEvents).where(eq(schema.auditEvents.action, 'dataset.publish-version'));
      const versions = await database.db.select({ n: count() }).from(schema.datasetVersions);
      expect(rows[0]!.n).toBe(versions[0]!.n);
      const withoutHash = await database.db.select({ n: count() }).from(schema.auditEvents)
        .where(and(eq(schema.auditEvents.action, 'dataset.publish-version'), isNull(schema.auditEvents.afterHash)));
      expect(withoutHash[0]!.n).toBe(0);
    });

    it('never overwrites or resurrects what a unit changed: an edited or withdrawn demo dataset is kept as the unit left it', async () => {
      const editor = await c.as(await account(c, { name: 'sxd.bientap', password: 'bien-tap-vien-2026!', unit: 'so-xay-dung' }));
      await c.actions.call('package_patch', editor, { id: 'tuyen-xe-buyt', title: 'Tuyến xe buýt (đơn vị sửa tên)' });
      const schoolsRow = await database.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'truong-trung-hoc-pho-thong'));
      const teacher = await c.as(await account(c, { name: 'sgd.bientap', password: 'bien-tap-vien-2026!', unit: 'so-giao-duc-va-dao-tao' }));
      await c.actions.call('package_delete', teacher, { id: schoolsRow[0]!.id, reason: 'Thay bằng bộ dữ liệu mới của năm học sau' });
      // the folders change too: the seed would publish them if it owned them
      fs.appendFileSync(path.join(datasetsDir, 'tuyen-xe-buyt', 'tuyen-xe-buyt.csv'), '16,Pleiku – Chư Păh,"25,0",05:30,19:00,30,"12.000",HTX Vận tải Pleiku\r\n');
      const versionsBefore = (await database.db.select({ n: count() }).from(schema.datasetVersions))[0]!.n;
      const results = await loadDemoCatalog(c.actions, datasetsDir);
      expect(results.find((r) => r.folder === 'tuyen-xe-buyt')).toMatchObject({ status: 'kept', message: expect.stringContaining('sxd.bientap') });
      expect(results.find((r) => r.folder === 'truong-trung-hoc-pho-thong')).toMatchObject({ status: 'kept' });
      expect((await database.db.select({ n: count() }).from(schema.datasetVersions))[0]!.n).toBe(versionsBefore);
      const [bus] = await database.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'tuyen-xe-buyt'));
      expect(bus!.title).toBe('Tuyến xe buýt (đơn vị sửa tên)');
      const [schools] = await database.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'truong-trung-hoc-pho-thong'));
      expect(schools).toMatchObject({ state: 'withdrawn', withdrawnReason: 'Thay bằng bộ dữ liệu mới của năm học sau' });
    });

    it('takes no new version for a withdrawn dataset until the admin reinstates it (audited)', async () => {
      const file = path.join(datasetsDir, 'truong-trung-hoc-pho-thong', 'truong-thpt-2025-2026.csv');
      const upload = () => c.actions.call('resource_update', c.system, { package_id: 'truong-trung-hoc-pho-thong', upload: new UploadedFile(file, 'truong.csv'), note: 'Thử lại' });
      await expect(upload()).rejects.toMatchObject({ code: 'dataset-withdrawn' });
      const teacher = await c.as((await database.db.select().from(schema.accounts).where(eq(schema.accounts.username, 'sgd.bientap')))[0]!.id);
      await expect(c.actions.call('package_reinstate', teacher, { id: 'truong-trung-hoc-pho-thong', reason: 'Rút nhầm, khôi phục lại' })).rejects.toMatchObject({ code: 'forbidden' });
      const admin = await c.as(await account(c, { name: 'quantri', password: 'quan-tri-vien-2026!', sysadmin: true }));
      await c.actions.call('package_reinstate', admin, { id: 'truong-trung-hoc-pho-thong', reason: 'Rút nhầm, khôi phục lại' });
      const [after] = await database.db.select().from(schema.datasets).where(eq(schema.datasets.slug, 'truong-trung-hoc-pho-thong'));
      expect(after!.state).toBe('published');
      const events = await database.db.select().from(schema.auditEvents).where(eq(schema.auditEvents.action, 'dataset.reinstate'));
      expect(events.map((e) => [e.actorLabel, (e.details as { reason: string }).reason])).toEqual([['quantri', 'Rút nhầm, khôi phục lại']]);
      expect((await upload()).result.status).toBe('no-change'); // takes versions again (same bytes here)
    });
  });
}
