import type { SnapshotCatalog, SnapshotDatasetSummary, SnapshotWithdrawn } from './snapshot.ts';

/**
 * The static lists of the site (for visitors without JavaScript, and crawlers): every dataset, each
 * unit's and each topic's. A list is in order of first publication and cut into pages of 20 counted
 * from the oldest, so page n holds the same datasets for good: a new dataset joins the last page, an
 * edit changes the one page that shows it, and a withdrawn dataset keeps its place (shown as withdrawn,
 * with its reason). A publish then renders a few list pages again, not every page after the change.
 * The first page of each list (/dataset/, the unit's, the topic's page) shows the newest instead.
 */
export const LIST_PAGE_SIZE = 20;

export type ListEntry =
  | { kind: 'dataset'; id: string; slug: string; published: string; summary: SnapshotDatasetSummary }
  | { kind: 'withdrawn'; id: string; slug: string; published: string; withdrawn: SnapshotWithdrawn };

/** Which list: all datasets, a unit's or a topic's. */
export type ListKey = { kind: 'all' } | { kind: 'organization'; slug: string } | { kind: 'topic'; id: string };

/** When a dataset was first published, and a withdrawn one (the order of the lists, and of the search data's dataset numbers). */
export const publishedOf = (s: SnapshotDatasetSummary) => s.publishedAt ?? s.createdAt;
export const withdrawnPublishedOf = (w: SnapshotWithdrawn) => w.publishedAt ?? w.withdrawnAt;
/** Oldest first publication first, then by id. */
export const byPublication = (a: { published: string; id: string }, b: { published: string; id: string }) => (a.published < b.published ? -1 : a.published > b.published ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const order = byPublication;

/** Every list of the catalogue, by key ('all', 'organization:<slug>', 'topic:<id>'), entries oldest first. */
export function catalogLists(catalog: Pick<SnapshotCatalog, 'datasets' | 'withdrawn' | 'organizations' | 'topics'>): Map<string, ListEntry[]> {
  const lists = new Map<string, ListEntry[]>([['all', []]]);
  for (const o of catalog.organizations) lists.set(`organization:${o.slug}`, []);
  for (const t of catalog.topics) lists.set(`topic:${t.id}`, []);
  const add = (e: ListEntry, org: string, topics: string[]) => {
    lists.get('all')!.push(e);
    lists.get(`organization:${org}`)?.push(e);
    for (const t of topics) lists.get(`topic:${t}`)?.push(e);
  };
  for (const s of catalog.datasets) add({ kind: 'dataset', id: s.id, slug: s.slug, published: publishedOf(s), summary: s }, s.organization, s.topics);
  for (const w of catalog.withdrawn ?? []) add({ kind: 'withdrawn', id: w.id, slug: w.slug, published: withdrawnPublishedOf(w), withdrawn: w }, w.organization.slug, w.topics ?? []);
  for (const l of lists.values()) l.sort(order);
  return lists;
}

export function listKey(key: ListKey): string {
  return key.kind === 'all' ? 'all' : key.kind === 'organization' ? `organization:${key.slug}` : `topic:${key.id}`;
}

/** Pages of a list (page 1 is the oldest twenty). */
export function pageCount(entries: readonly unknown[]): number {
  return Math.ceil(entries.length / LIST_PAGE_SIZE);
}

/** Page n (from 1) of a list, newest first on the page. */
export function listPage(entries: readonly ListEntry[], n: number): ListEntry[] {
  return entries.slice((n - 1) * LIST_PAGE_SIZE, n * LIST_PAGE_SIZE).reverse();
}

/** The newest entries of a list, newest first (the list's first page shows them). */
export function newestEntries(entries: readonly ListEntry[], count = LIST_PAGE_SIZE): ListEntry[] {
  return entries.slice(-count).reverse();
}

/** The address of page n of a list (without the /en prefix). */
export function listPagePath(key: ListKey, n: number): string {
  const base = key.kind === 'all' ? '/dataset' : key.kind === 'organization' ? `/organization/${key.slug}` : `/group/${key.id}`;
  return `${base}/page/${n}/`;
}

/** How many datasets a list shows as published (withdrawn ones keep their place but are not counted). */
export function publishedCount(entries: readonly ListEntry[]): number {
  let n = 0;
  for (const e of entries) if (e.kind === 'dataset') n++;
  return n;
}
