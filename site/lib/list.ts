import { catalogLists, listKey, listPage, newestEntries, pageCount, publishedCount, type ListEntry, type ListKey } from '../../server/contract/lists.ts';
import { loadCatalog } from './snapshot.ts';

export { LIST_PAGE_SIZE, listPagePath } from '../../server/contract/lists.ts';
export type { ListEntry, ListKey } from '../../server/contract/lists.ts';

let lists: Map<string, ListEntry[]> | undefined;
/** The entries of a list, oldest first (server/contract/lists.ts: in order of first publication). */
export function entriesOf(key: ListKey): ListEntry[] {
  lists ??= catalogLists(loadCatalog());
  return lists.get(listKey(key)) ?? [];
}

/** A list's pages for getStaticPaths (props: the list's key). */
export function listPaths(key: ListKey) {
  return Array.from({ length: pageCount(entriesOf(key)) }, (_, i) => ({ params: { n: String(i + 1) } }));
}

/** What a list page shows: its entries (newest first), its number and the number of the last page. */
export function pageOf(key: ListKey, n: number) {
  const entries = entriesOf(key);
  return { entries: listPage(entries, n), page: n, last: pageCount(entries) };
}

/** What a list's first page shows: the newest entries, how many datasets it has, how many pages. */
export function newestOf(key: ListKey) {
  const entries = entriesOf(key);
  return { entries: newestEntries(entries), published: publishedCount(entries), last: pageCount(entries) };
}

const orgTitles = new Map<string, string>();
export function orgTitle(slug: string): string {
  if (!orgTitles.size) for (const o of loadCatalog().organizations) orgTitles.set(o.slug, o.title);
  return orgTitles.get(slug) ?? slug;
}
