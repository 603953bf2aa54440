import { loadCatalog } from './snapshot.ts';

/** Datasets per page of the static list (the no-JavaScript view of /dataset/). */
export const STATIC_PAGE_SIZE = 20;

/** Pages 2… of the static list (page 1 is /dataset/ itself). */
export function staticListPaths() {
  const pages = Math.ceil(loadCatalog().datasets.length / STATIC_PAGE_SIZE);
  return Array.from({ length: Math.max(0, pages - 1) }, (_, i) => ({ params: { n: String(i + 2) } }));
}
