import { toSearchDoc } from '../../site/search/shared.ts';
import { buildIndex } from '../../site/search/build.ts';
import type { SnapshotCatalog } from './types.ts';

/** What a search result shows without loading the dataset: [slug, title, unit, formats, last update, excerpt]. */
export type SearchEntry = [string, string, string, string[], string, string];
export interface SearchIndexFile { index: object; docs: SearchEntry[] }

const plain = (md: string) => md.replace(/[#*_>`[\]()]/g, '').replace(/\s+/g, ' ').trim();

/** Built with the snapshot: the lunr index (numeric refs into docs) and the result rows. */
export function buildSearchIndex(catalog: SnapshotCatalog): SearchIndexFile {
  const orgTitle = new Map(catalog.organizations.map((o) => [o.slug, o.title]));
  const docs: SearchEntry[] = [];
  const searchDocs = catalog.datasets.map((d, i) => {
    const org = orgTitle.get(d.organization) ?? d.organization;
    const notes = plain(d.notes);
    docs.push([d.slug, d.title, org, d.formats, d.lastUpdatedAt ?? d.modifiedAt, notes.slice(0, 180)]);
    return toSearchDoc(i, { title: d.title, tags: d.tags.join(' '), org, notes });
  });
  return { index: buildIndex(searchDocs).toJSON(), docs };
}
