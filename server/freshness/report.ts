import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { freshnessStatus, localDate, nextDueDate, type FreshnessStatus } from './due.ts';
import { currentFreshness } from './check.ts';

const { datasets, organizations, datasetVersions, versionResources, auditEvents } = schema;

export interface UnitFreshness {
  organizationId: string; slug: string; title: string; identifierCode: string | null;
  datasets: number; counts: Record<FreshnessStatus, number>; lastUpdate: Date | null;
}

/** The province-wide freshness dashboard: one row per unit, with units that have no data included. */
export async function freshnessDashboard(db: Db, now: Date): Promise<{ units: UnitFreshness[]; totals: Record<FreshnessStatus, number> & { datasets: number } }> {
  const orgs = await db.select().from(organizations).orderBy(asc(organizations.title));
  const all = await currentFreshness(db, now);
  const totals = { datasets: all.length, 'up-to-date': 0, 'due-soon': 0, overdue: 0, exempt: 0 };
  const units = orgs.map((o) => {
    const mine = all.filter((d) => d.organizationId === o.id);
    const counts: Record<FreshnessStatus, number> = { 'up-to-date': 0, 'due-soon': 0, overdue: 0, exempt: 0 };
    for (const d of mine) { counts[d.status]++; totals[d.status]++; }
    const last = mine.reduce<Date | null>((m, d) => (!m || d.lastUpdate > m ? d.lastUpdate : m), null);
    return { organizationId: o.id, slug: o.slug, title: o.title, identifierCode: o.identifierCode, datasets: mine.length, counts, lastUpdate: last };
  });
  return { units, totals };
}

/** The dates on which each dataset's data really changed (versions whose files differ from the previous one). */
export async function realUpdateDates(db: Db, datasetIds?: string[]): Promise<Map<string, Date[]>> {
  const versions = await db.select().from(datasetVersions)
    .where(datasetIds ? inArray(datasetVersions.datasetId, datasetIds.length ? datasetIds : ['00000000-0000-0000-0000-000000000000']) : undefined)
    .orderBy(asc(datasetVersions.datasetId), asc(datasetVersions.number));
  const files = versions.length ? await db.select({ versionId: versionResources.versionId, resourceId: versionResources.resourceId, sha256: versionResources.sha256 })
    .from(versionResources).where(inArray(versionResources.versionId, versions.map((v) => v.id))) : [];
  const keyOf = new Map<string, string[]>();
  for (const f of files) (keyOf.get(f.versionId) ?? keyOf.set(f.versionId, []).get(f.versionId)!).push(`${f.resourceId}:${f.sha256}`);
  const out = new Map<string, Date[]>();
  let prev: { datasetId: string; key: string } | null = null;
  for (const v of versions) {
    const key = (keyOf.get(v.id) ?? []).sort().join(',');
    if (!prev || prev.datasetId !== v.datasetId || prev.key !== key) (out.get(v.datasetId) ?? out.set(v.datasetId, []).get(v.datasetId)!).push(v.publishedAt);
    prev = { datasetId: v.datasetId, key };
  }
  return out;
}

/** The last day of each of the last `count` quarters (the current quarter ends "today"), in UTC+7 dates. */
export function quarterEnds(now: Date, count: number): { label: string; date: string }[] {
  const today = localDate(now);
  const [y, m] = today.split('-').map(Number) as [number, number];
  const out: { label: string; date: string }[] = [];
  let q = Math.floor((m - 1) / 3);
  let year = y;
  for (let i = 0; i < count; i++) {
    const endMonth = q * 3 + 3;
    const end = new Date(Date.UTC(year, endMonth, 0)).toISOString().slice(0, 10);
    out.unshift({ label: `Q${q + 1}/${year}`, date: end < today ? end : today });
    if (--q < 0) { q = 3; year--; }
  }
  return out;
}

/**
 * The share of datasets that were up to date (not overdue) at the end of each quarter, computed from
 * the version history so the chart is honest about the past: exempt datasets are left out.
 */
export async function quarterlyUpToDateShare(db: Db, now: Date, count = 8): Promise<{ label: string; date: string; considered: number; upToDate: number; share: number | null }[]> {
  const rows = await db.select().from(datasets).where(inArray(datasets.state, ['published', 'withdrawn']));
  const updates = await realUpdateDates(db, rows.map((d) => d.id));
  return quarterEnds(now, count).map(({ label, date }) => {
    let considered = 0;
    let upToDate = 0;
    for (const d of rows) {
      const before = (updates.get(d.id) ?? []).filter((t) => localDate(t) <= date);
      if (!before.length) continue; // not yet published then
      const due = nextDueDate(before[before.length - 1]!, d.updateFrequency);
      if (due === null) continue;
      considered++;
      if (freshnessStatus(due, new Date(`${date}T12:00:00+07:00`)) !== 'overdue') upToDate++;
    }
    return { label, date, considered, upToDate, share: considered ? upToDate / considered : null };
  });
}

export interface YearlyUnitRow {
  slug: string; title: string; identifierCode: string | null;
  datasetsAtYearEnd: number; newDatasets: number; versions: number; dataUpdates: number;
  datasetsUpdated: number; overdueAtYearEnd: number; withdrawn: number;
}

/** The yearly report of who updated what (the admin's duty to report), one row per unit. */
export async function yearlyReport(db: Db, year: number, now: Date): Promise<{ year: number; until: string; units: YearlyUnitRow[] }> {
  const start = new Date(`${year}-01-01T00:00:00+07:00`);
  const endExclusive = new Date(`${year + 1}-01-01T00:00:00+07:00`);
  const until = endExclusive < now ? new Date(endExclusive.getTime() - 1) : now;
  const orgs = await db.select().from(organizations).orderBy(asc(organizations.title));
  const ds = await db.select().from(datasets).where(inArray(datasets.state, ['published', 'withdrawn']));
  const versions = await db.select({ datasetId: datasetVersions.datasetId, publishedAt: datasetVersions.publishedAt }).from(datasetVersions)
    .where(and(gte(datasetVersions.publishedAt, start), lt(datasetVersions.publishedAt, endExclusive)));
  const updates = await realUpdateDates(db, ds.map((d) => d.id));
  const withdrawals = await db.select({ objectId: auditEvents.objectId }).from(auditEvents)
    .where(and(eq(auditEvents.action, 'dataset.withdraw'), gte(auditEvents.at, start), lt(auditEvents.at, endExclusive)));
  const units = orgs.map((o) => {
    const mine = ds.filter((d) => d.organizationId === o.id && d.publishedAt && d.publishedAt < endExclusive);
    const ids = new Set(mine.map((d) => d.id));
    const inYear = (t: Date) => t >= start && t < endExclusive;
    const dataUpdates = mine.flatMap((d) => (updates.get(d.id) ?? []).filter(inYear));
    let overdue = 0;
    for (const d of mine) {
      if (d.state !== 'published') continue;
      const before = (updates.get(d.id) ?? []).filter((t) => t <= until);
      const due = before.length ? nextDueDate(before[before.length - 1]!, d.updateFrequency) : null;
      if (due && freshnessStatus(due, until) === 'overdue') overdue++;
    }
    return {
      slug: o.slug, title: o.title, identifierCode: o.identifierCode,
      datasetsAtYearEnd: mine.filter((d) => d.state === 'published').length,
      newDatasets: mine.filter((d) => inYear(d.publishedAt!)).length,
      versions: versions.filter((v) => ids.has(v.datasetId)).length,
      dataUpdates: dataUpdates.length,
      datasetsUpdated: mine.filter((d) => (updates.get(d.id) ?? []).some(inYear)).length,
      overdueAtYearEnd: overdue,
      withdrawn: withdrawals.filter((w) => ids.has(w.objectId)).length,
    };
  });
  return { year, until: localDate(until), units };
}
