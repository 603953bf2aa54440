import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { defineAction } from './dispatcher.ts';
import { may, rules } from './auth.ts';
import { NotAuthorized, NotFound } from './errors.ts';
import { int, ref, z } from './params.ts';
import { metadataOf, requireDataset, requireOrganization, resourcesWithFiles } from '../catalog/datasets.ts';
import { formFields, toForm } from '../catalog/fields.ts';
import { currentFreshness, runFreshnessCheck } from '../freshness/check.ts';
import { freshnessDashboard, quarterlyUpToDateShare, yearlyReport } from '../freshness/report.ts';
import { FRESHNESS_RULES, localDate } from '../freshness/due.ts';

/**
 * What the units' workspace reads: the datasets of the caller's units with their due dates, one
 * dataset's history and audit trail, the form's fields, reminders; and the admin's dashboard, yearly
 * report and update check. Each filters by the caller's units here, never in the page.
 */

const { datasets, organizations, datasetVersions, accounts, outbox, auditEvents, freshnessRuns } = schema;

/** The units an account works for (every unit for the admin). */
async function unitsOf(db: Parameters<typeof requireDataset>[0], user: NonNullable<import('./auth.ts').Caller['user']>) {
  const all = await db.select().from(organizations).orderBy(asc(organizations.title));
  return user.role === 'admin' ? all : all.filter((o) => user.memberOf.has(o.id));
}

export const workspaceUnitList = defineAction({
  name: 'workspace_unit_list', write: false, auth: rules.signedIn,
  help: 'Các đơn vị của tài khoản (mọi đơn vị với quản trị cổng), và đơn vị nào tài khoản được biên tập. / Your units.',
  input: z.object({}).strict(),
  async handler(run) {
    const user = run.caller.user!;
    return (await unitsOf(run.db, user)).map((o) => ({
      id: o.id, slug: o.slug, title: o.title, identifierCode: o.identifierCode, parentId: o.parentId, canEdit: may.editUnit(user, o.id),
    }));
  },
});

export const workspaceDatasetList = defineAction({
  name: 'workspace_dataset_list', write: false, auth: rules.signedIn,
  help: 'Bộ dữ liệu của các đơn vị của tài khoản (cả bản nháp và đã rút), với hạn cập nhật. / Your units\' datasets with due dates.',
  input: z.object({}).strict(),
  async handler(run) {
    const user = run.caller.user!;
    const units = await unitsOf(run.db, user);
    if (!units.length) return [];
    const rows = await run.db.select().from(datasets).where(inArray(datasets.organizationId, units.map((u) => u.id))).orderBy(asc(datasets.title));
    const fresh = new Map((await currentFreshness(run.db, run.now)).map((f) => [f.id, f]));
    const unitTitle = new Map(units.map((u) => [u.id, u.title]));
    return rows.map((d) => ({
      slug: d.slug, title: d.title, state: d.state, unit: unitTitle.get(d.organizationId) ?? '', lastUpdatedAt: d.lastUpdatedAt,
      freshness: fresh.get(d.id) ?? null, canEdit: may.editUnit(user, d.organizationId),
    })).sort((a, b) => (a.freshness?.nextDueDate ?? '9999').localeCompare(b.freshness?.nextDueDate ?? '9999'));
  },
});

export const workspaceDatasetShow = defineAction({
  name: 'workspace_dataset_show', write: false,
  // the unit's own members (and the admin): the audit trail is the unit's business
  auth: async (caller, input, look) => {
    if (caller.system) return;
    if (!caller.user) throw new NotAuthorized('Bạn cần đăng nhập.', false);
    const d = await look.dataset(input.id);
    if (!d) throw new NotFound(`Không có bộ dữ liệu "${String(input.id ?? '').slice(0, 100)}".`, 'dataset-not-found');
    if (!may.readUnit(caller.user, d.organizationId)) throw new NotAuthorized('Bộ dữ liệu này thuộc đơn vị khác.', true);
  },
  help: 'Một bộ dữ liệu như đơn vị của nó thấy: thông tin, tài nguyên, phiên bản, hạn cập nhật, nhật ký. / A dataset as its unit sees it.',
  input: z.object({ id: ref('id') }).strict(),
  async handler(run, input) {
    const d = await requireDataset(run.db, input.id);
    const org = await requireOrganization(run.db, d.organizationId);
    const versions = await run.db.select({ v: datasetVersions, by: accounts.username }).from(datasetVersions)
      .leftJoin(accounts, eq(accounts.id, datasetVersions.publishedBy)).where(eq(datasetVersions.datasetId, d.id)).orderBy(desc(datasetVersions.number));
    const freshness = (await currentFreshness(run.db, run.now, d.organizationId)).find((f) => f.id === d.id) ?? null;
    const trail = await run.db.select().from(auditEvents).where(and(eq(auditEvents.objectType, 'dataset'), eq(auditEvents.objectId, d.id))).orderBy(desc(auditEvents.id)).limit(50);
    return {
      dataset: { id: d.id, slug: d.slug, title: d.title, state: d.state, withdrawnReason: d.withdrawnReason, lastUpdatedAt: d.lastUpdatedAt },
      organization: { slug: org.slug, title: org.title }, freshness, canEdit: may.editUnit(run.caller.user, d.organizationId) || !!run.caller.system,
      metadata: toForm(metadataOf(d, org.slug)),
      resources: (await resourcesWithFiles(run.db, d.id)).map((r) => ({
        name: r.name, title: r.title, file: r.file && { format: r.file.format, rowCount: r.file.rowCount, originalName: r.file.originalName },
      })),
      versions: versions.map((x) => ({ number: x.v.number, note: x.v.note, publishedAt: x.v.publishedAt, by: x.by ?? 'hệ thống' })),
      audit: trail.map((a) => ({ at: a.at, actor: a.actorLabel, action: a.action, afterHash: a.afterHash })),
    };
  },
});

export const workspaceFormShow = defineAction({
  name: 'workspace_form_show', write: false, auth: rules.signedIn,
  help: 'Các trường của biểu mẫu thông tin bộ dữ liệu, từ bảng trường duy nhất, với lựa chọn (giấy phép, tần suất, chủ đề, đơn vị được biên tập). / The metadata form\'s fields.',
  input: z.object({}).strict(),
  async handler(run) {
    const user = run.caller.user!;
    const editable = (await unitsOf(run.db, user)).filter((o) => may.editUnit(user, o.id));
    return { fields: formFields(editable), dueSoonDays: FRESHNESS_RULES.dueSoonDays };
  },
});

export const reminderList = defineAction({
  name: 'reminder_list', write: false, auth: rules.signedIn,
  help: 'Thư nhắc cập nhật gửi biên tập viên các đơn vị của tài khoản, mới nhất trước. / Update reminders for your units.',
  input: z.object({ limit: int({ min: 1, max: 200, label: 'limit' }).optional() }).strict(),
  async handler(run, input) {
    const units = (await unitsOf(run.db, run.caller.user!)).map((u) => u.id);
    if (!units.length) return [];
    const rows = await run.db.select({ m: outbox, dataset: datasets.slug, to: accounts.username }).from(outbox)
      .innerJoin(datasets, eq(datasets.id, outbox.datasetId)).innerJoin(accounts, eq(accounts.id, outbox.accountId))
      .where(inArray(outbox.organizationId, units)).orderBy(desc(outbox.id)).limit(input.limit ?? 50);
    return rows.map((r) => ({ subject: r.m.subject, to: r.to, dataset: r.dataset, createdAt: r.m.createdAt, sentAt: r.m.sentAt }));
  },
});

export const freshnessDashboardShow = defineAction({
  name: 'freshness_dashboard_show', write: false, auth: rules.admin,
  help: 'Bảng theo dõi cập nhật toàn tỉnh: theo đơn vị (đúng hạn, sắp đến hạn, quá hạn), tỷ lệ đúng hạn theo quý, các lần kiểm tra. Chỉ quản trị cổng. / The province-wide freshness dashboard (admin).',
  input: z.object({}).strict(),
  async handler(run) {
    const [board, quarters, runs] = await Promise.all([
      freshnessDashboard(run.db, run.now), quarterlyUpToDateShare(run.db, run.now, 8),
      run.db.select().from(freshnessRuns).orderBy(desc(freshnessRuns.id)).limit(5),
    ]);
    return { ...board, quarters, runs, dueSoonDays: FRESHNESS_RULES.dueSoonDays };
  },
});

export const freshnessReportShow = defineAction({
  name: 'freshness_report_show', write: false, auth: rules.admin,
  help: 'Báo cáo năm về cập nhật dữ liệu của từng đơn vị (year). Chỉ quản trị cổng. / The yearly report of updates per unit (admin).',
  input: z.object({ year: int({ min: 2000, max: 2100, label: 'Năm' }) }).strict(),
  handler: (run, input) => yearlyReport(run.db, input.year, run.now),
});

export const freshnessCheckRun = defineAction({
  name: 'freshness_check_run', write: true, auth: rules.admin,
  help: 'Kiểm tra hạn cập nhật của mọi bộ dữ liệu, ghi lại lần kiểm tra và xếp thư nhắc (mỗi thư một lần). Quản trị cổng hoặc lịch hằng ngày. / Run the update check (admin, or the daily schedule).',
  input: z.object({ trigger: z.enum(['command', 'schedule', 'admin', 'test']).optional(), once_a_day: z.boolean().optional() }).strict(),
  async handler(run, input) {
    if (input.once_a_day) {
      // the daily schedule runs in every server process: the first of the day does it
      const recent = await run.db.select({ startedAt: freshnessRuns.startedAt }).from(freshnessRuns).where(eq(freshnessRuns.trigger, 'schedule')).orderBy(desc(freshnessRuns.id)).limit(1);
      if (recent[0] && localDate(recent[0].startedAt) === localDate(run.now)) return { skipped: true as const, runId: 0, counts: {} as Record<string, number>, queued: 0 };
    }
    const result = await runFreshnessCheck(run.db, { now: run.now, trigger: input.trigger ?? (run.caller.system === 'schedule' ? 'schedule' : 'command'), siteUrl: run.services.siteUrl });
    run.audit({ action: 'freshness.check', objectType: 'freshness-run', objectId: String(result.runId), details: { counts: result.counts, queued: result.queued } });
    return { skipped: false as const, ...result };
  },
});
