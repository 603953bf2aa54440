import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { log } from '../log.ts';
import { FRESHNESS_RULES, freshnessStatus, localDate, nextDueDate, type FreshnessStatus } from './due.ts';
import { formatDateVi } from './labels.ts';

const { datasets, organizations, memberships, accounts, freshnessRuns, outbox } = schema;

export interface DatasetFreshness {
  id: string; slug: string; title: string; organizationId: string; updateFrequency: string;
  lastUpdate: Date; nextDueDate: string | null; status: FreshnessStatus;
}

/** Every published dataset with its due date and status on `now`; the clock counts from the last real update. */
export async function currentFreshness(db: Db, now: Date, organizationId?: string): Promise<DatasetFreshness[]> {
  const rows = await db.select().from(datasets).where(organizationId
    ? and(eq(datasets.state, 'published'), eq(datasets.organizationId, organizationId))
    : eq(datasets.state, 'published'));
  return rows.map((d) => {
    const lastUpdate = d.lastUpdatedAt ?? d.publishedAt ?? d.createdAt;
    const due = nextDueDate(lastUpdate, d.updateFrequency);
    return {
      id: d.id, slug: d.slug, title: d.title, organizationId: d.organizationId, updateFrequency: d.updateFrequency,
      lastUpdate, nextDueDate: due, status: freshnessStatus(due, now),
    };
  }).sort((a, b) => (a.nextDueDate ?? '9999').localeCompare(b.nextDueDate ?? '9999') || a.title.localeCompare(b.title, 'vi'));
}

export interface CheckResult { runId: number; counts: Record<FreshnessStatus, number>; queued: number }

/**
 * The quarterly-update check: computes every dataset's status, records the run, and queues a
 * reminder to each editor of the unit when a dataset is due soon or overdue. A reminder is keyed by
 * (dataset, kind, due date, editor), so running the check again — the same day or the next — queues
 * nothing twice; a new due date (after an update) starts a new cycle.
 */
export async function runFreshnessCheck(db: Db, opts: { now?: Date; trigger: string; siteUrl: string }): Promise<CheckResult> {
  const now = opts.now ?? new Date();
  const [run] = await db.insert(freshnessRuns).values({ trigger: opts.trigger, startedAt: now }).returning({ id: freshnessRuns.id });
  const all = await currentFreshness(db, now);
  const counts: Record<FreshnessStatus, number> = { 'up-to-date': 0, 'due-soon': 0, overdue: 0, exempt: 0 };
  for (const d of all) counts[d.status]++;

  const pending = all.filter((d) => d.status === 'due-soon' || d.status === 'overdue');
  const orgIds = [...new Set(pending.map((d) => d.organizationId))];
  const editors = orgIds.length ? await db.select({ organizationId: memberships.organizationId, accountId: accounts.id, email: accounts.email, name: accounts.displayName })
    .from(memberships).innerJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(and(inArray(memberships.organizationId, orgIds), eq(memberships.role, 'editor'), isNull(accounts.disabledAt))) : [];
  const orgs = orgIds.length ? await db.select({ id: organizations.id, title: organizations.title }).from(organizations).where(inArray(organizations.id, orgIds)) : [];
  const orgTitle = new Map(orgs.map((o) => [o.id, o.title]));

  const values: (typeof outbox.$inferInsert)[] = [];
  for (const d of pending) {
    for (const e of editors.filter((x) => x.organizationId === d.organizationId)) {
      const kind = d.status as 'due-soon' | 'overdue';
      const url = `${opts.siteUrl}/workspace/datasets/${d.slug}/`;
      const due = formatDateVi(d.nextDueDate!);
      values.push({
        dedupeKey: `${d.id}:${kind}:${d.nextDueDate}:${e.accountId}`, kind, datasetId: d.id, organizationId: d.organizationId,
        accountId: e.accountId, toAddress: e.email, dueDate: d.nextDueDate!, runId: run!.id,
        subject: kind === 'overdue' ? `[Quá hạn] Bộ dữ liệu "${d.title}" cần được cập nhật` : `[Sắp đến hạn] Bộ dữ liệu "${d.title}" cần cập nhật trước ${due}`,
        body: [
          `Kính gửi ${e.name} (${orgTitle.get(d.organizationId) ?? ''}),`,
          '',
          kind === 'overdue'
            ? `Bộ dữ liệu "${d.title}" đã quá hạn cập nhật từ ngày ${due}. Theo quy định, dữ liệu mở phải được cập nhật tối thiểu 3 tháng một lần.`
            : `Bộ dữ liệu "${d.title}" đến hạn cập nhật vào ngày ${due} (còn ${FRESHNESS_RULES.dueSoonDays} ngày hoặc ít hơn).`,
          `Lần cập nhật dữ liệu gần nhất: ${formatDateVi(localDate(d.lastUpdate))}.`,
          '',
          `Cập nhật tại: ${url}`,
          '',
          'Thư này được gửi tự động bởi Cổng dữ liệu mở. Nếu dữ liệu không thay đổi, đơn vị vẫn cần xác nhận bằng một bản cập nhật có ghi chú.',
        ].join('\n'),
      });
    }
  }
  let queued = 0;
  for (let i = 0; i < values.length; i += 500) {
    const inserted = await db.insert(outbox).values(values.slice(i, i + 500)).onConflictDoNothing({ target: outbox.dedupeKey }).returning({ id: outbox.id });
    queued += inserted.length;
  }
  await db.update(freshnessRuns).set({ finishedAt: new Date(), counts, remindersQueued: queued }).where(eq(freshnessRuns.id, run!.id));
  log('freshness', `kiểm tra #${run!.id}: ${counts['up-to-date']} đúng hạn, ${counts['due-soon']} sắp đến hạn, ${counts.overdue} quá hạn, ${counts.exempt} miễn; ${queued} thư nhắc mới`);
  return { runId: run!.id, counts, queued };
}

/** Reminders waiting for SMTP (or failed), oldest first. */
export async function undelivered(db: Db, limit = 200) {
  return db.select().from(outbox).where(and(isNull(outbox.sentAt), sql`${outbox.attempts} < 5`)).orderBy(outbox.id).limit(limit);
}
