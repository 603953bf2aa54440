import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { schema, type Database } from '../server/db/index.ts';
import { runFreshnessCheck } from '../server/freshness/check.ts';
import { localDate } from '../server/freshness/due.ts';
import { deliverOutbox } from '../server/freshness/mailer.ts';
import { freshnessDashboard, quarterEnds, quarterlyUpToDateShare, yearlyReport } from '../server/freshness/report.ts';
import { databases } from './helpers/databases.ts';
import { account, publishCsv, testCatalog, unit } from './helpers/catalog.ts';

describe('quarter ends for the dashboard chart', () => {
  it('counts quarters in Asia/Ho_Chi_Minh and ends the current one today', () => {
    // 31/03/2028 20:00 UTC is already 01/04 in Vietnam: the current quarter is Q2, Q1 ended on 31/03
    expect(quarterEnds(new Date('2028-03-31T20:00:00Z'), 3)).toEqual([
      { label: 'Q4/2027', date: '2027-12-31' }, { label: 'Q1/2028', date: '2028-03-31' }, { label: 'Q2/2028', date: '2028-04-01' },
    ]);
    expect(quarterEnds(new Date('2028-02-29T05:00:00Z'), 1)).toEqual([{ label: 'Q1/2028', date: '2028-02-29' }]);
  });
});

for (const target of databases) {
  describe(`the quarterly-update check on ${target.name}`, () => {
    let database: Database;
    const siteUrl = 'https://dulieu.gialai.gov.vn';

    beforeAll(async () => {
      database = await target.open();
      const db = database.db;
      const cat = testCatalog(database);
      await unit(cat, 'so-y-te', 'Sở Y tế');
      await unit(cat, 'so-xay-dung', 'Sở Xây dựng');
      await account(cat, { name: 'syt.bientap', fullname: 'Nguyễn Văn An', password: 'bien-tap-vien-2026!', email: 'an@syt.gialai.gov.vn', unit: 'so-y-te' });
      await account(cat, { name: 'syt.bientap2', fullname: 'Trần Thị Bình', password: 'bien-tap-vien-2026!', unit: 'so-y-te' });
      // members get no reminders
      await account(cat, { name: 'syt.xem', fullname: 'Lê Văn Cường', password: 'thanh-vien-xem-2026!', email: 'c@syt.gialai.gov.vn', unit: 'so-y-te', capacity: 'member' });
      for (const [slug, org, freq] of [['nha-thuoc', 'so-y-te', 'quarterly'], ['benh-vien', 'so-y-te', 'quarterly'], ['quy-hoach', 'so-xay-dung', 'irregular']] as const) {
        const out = await publishCsv(cat, { slug, org, csv: 'Tên,Số giường\nBệnh viện A,120\n', title: `Bộ dữ liệu ${slug}`, frequency: freq, frequencyReason: freq === 'irregular' ? 'Chỉ thay đổi khi có quyết định mới' : undefined });
        expect(out.result.status).toBe('published');
      }
      // the last real updates: nha-thuoc on 01/09/2026 (due 01/12), benh-vien on 15/06/2026 (due 15/09, overdue)
      await db.update(schema.datasets).set({ lastUpdatedAt: new Date('2026-09-01T03:00:00Z') }).where(eq(schema.datasets.slug, 'nha-thuoc'));
      await db.update(schema.datasets).set({ lastUpdatedAt: new Date('2026-06-15T03:00:00Z') }).where(eq(schema.datasets.slug, 'benh-vien'));
    });
    afterAll(async () => { await database?.close(); });

    it('queues one reminder per dataset and editor, and running again queues nothing twice', async () => {
      const db = database.db;
      const now = new Date('2026-11-20T02:00:00Z'); // 11 days before 01/12
      const first = await runFreshnessCheck(db, { now, trigger: 'test', siteUrl });
      expect(first.counts).toEqual({ 'up-to-date': 0, 'due-soon': 1, overdue: 1, exempt: 1 });
      expect(first.queued).toBe(4); // 2 datasets × 2 editors; not the member, not the exempt dataset
      const again = await runFreshnessCheck(db, { now, trigger: 'test', siteUrl });
      expect(again.queued).toBe(0);
      const nextDay = await runFreshnessCheck(db, { now: new Date('2026-11-21T02:00:00Z'), trigger: 'test', siteUrl });
      expect(nextDay.queued).toBe(0);
      const rows = await db.select().from(schema.outbox);
      expect(rows).toHaveLength(4);
      const overdue = rows.find((r) => r.kind === 'overdue' && r.toAddress === 'an@syt.gialai.gov.vn')!;
      expect(overdue.subject).toBe('[Quá hạn] Bộ dữ liệu "Bộ dữ liệu benh-vien" cần được cập nhật');
      expect(overdue.body).toContain('quá hạn cập nhật từ ngày 15/09/2026');
      expect(overdue.body).toContain(`${siteUrl}/workspace/datasets/benh-vien/`);
      // after the due date passes the due-soon dataset becomes overdue: one new reminder per editor
      const later = await runFreshnessCheck(db, { now: new Date('2026-12-02T02:00:00Z'), trigger: 'test', siteUrl });
      expect(later.queued).toBe(2);
      const runs = await db.select().from(schema.freshnessRuns);
      expect(runs).toHaveLength(4);
      expect(runs.every((r) => r.finishedAt)).toBe(true);
    });

    it('delivers each reminder once over SMTP, keeps failures for a retry, and skips editors without e-mail', async () => {
      const db = database.db;
      const sent: string[] = [];
      let failNext = true;
      const transport = { sendMail: async (m: { to: string; subject: string }) => {
        if (failNext) { failNext = false; throw new Error('421 máy chủ thư bận'); }
        sent.push(`${m.to}|${m.subject}`);
      } };
      const first = await deliverOutbox(db, transport, 'no-reply@gialai.gov.vn');
      expect(first).toMatchObject({ sent: 2, failed: 1 });
      const second = await deliverOutbox(db, transport, 'no-reply@gialai.gov.vn');
      expect(second).toMatchObject({ sent: 1, failed: 0 });
      expect(await deliverOutbox(db, transport, 'no-reply@gialai.gov.vn')).toMatchObject({ sent: 0, failed: 0 });
      expect(new Set(sent).size).toBe(3); // an@: 3 reminders, never twice; Bình has no address
      expect(sent.every((s) => s.startsWith('an@syt.gialai.gov.vn|'))).toBe(true);
      const waiting = await db.select().from(schema.outbox).where(sql`${schema.outbox.sentAt} is null`);
      expect(waiting.map((w) => w.toAddress)).toEqual([null, null, null]);
    });

    it('reports per unit on the dashboard, in the quarterly chart and in the yearly report', async () => {
      const db = database.db;
      const now = new Date('2026-11-20T02:00:00Z');
      const board = await freshnessDashboard(db, now);
      const yte = board.units.find((u) => u.slug === 'so-y-te')!;
      expect(yte.counts).toEqual({ 'up-to-date': 0, 'due-soon': 1, overdue: 1, exempt: 0 });
      expect(board.units.find((u) => u.slug === 'so-xay-dung')!.counts.exempt).toBe(1);
      // the chart reads the version history (published today, in the test's real time): quarters before it have no data
      const quarters = await quarterlyUpToDateShare(db, new Date(), 2);
      expect(quarters.at(-1)).toMatchObject({ considered: 2, upToDate: 2, share: 1 });
      const year = Number(localDate(new Date()).slice(0, 4));
      const report = await yearlyReport(db, year, new Date());
      expect(report.units.find((u) => u.slug === 'so-y-te')).toMatchObject({ datasetsAtYearEnd: 2, newDatasets: 2, versions: 2, dataUpdates: 2, datasetsUpdated: 2 });
      expect((await yearlyReport(db, year - 1, new Date())).units.find((u) => u.slug === 'so-y-te')).toMatchObject({ datasetsAtYearEnd: 0, versions: 0 });
    });
  });
}
