import { toSearchDoc } from '../../site/search/shared.ts';
import { buildIndex } from '../../site/search/build.ts';
import type { SnapshotCatalog } from './types.ts';
import { localDate, STATUS_LABELS } from '../freshness/due.ts';

/** What a result shows and the facets filter on, without loading the dataset. */
// Kept small, it is downloaded before the first result: unit names come from `labels`, dates are
// calendar days in Asia/Ho_Chi_Minh (yyyy-mm-dd), the excerpt is what a result shows.
export interface SearchEntry {
  slug: string; title: string; org: string; formats: string[]; updated: string; published: string;
  excerpt: string; topics: string[]; tags: string[]; license: string; status: string; due: string | null;
}
export interface SearchIndexFile { index: object }
/** Facet labels and result rows: loaded for filtering; the lunr index only when the visitor types. */
export interface SearchDocsFile { docs: SearchEntry[]; labels: Record<string, Record<string, string>> }

const plain = (md: string) => md.replace(/[#*_>`[\]()]/g, '').replace(/\s+/g, ' ').trim();

/** Built with the snapshot: the lunr index (numeric refs into docs) and the result rows. */
export function buildSearchIndex(catalog: SnapshotCatalog): { index: SearchIndexFile; docs: SearchDocsFile } {
  const docs: SearchEntry[] = [];
  const searchDocs = catalog.datasets.map((d, i) => {
    const notes = plain(d.notes);
    docs.push({
      slug: d.slug, title: d.title, org: d.organization, formats: d.formats, updated: localDate(new Date(d.lastUpdatedAt ?? d.modifiedAt)),
      published: localDate(new Date(d.publishedAt ?? d.modifiedAt)), excerpt: notes.slice(0, 120), topics: d.topics, tags: d.tags, license: d.licenseId,
      status: d.freshness, due: d.nextDueDate,
    });
    // descriptions are not indexed: they tripled the index for little gain (bench:site); titles and keywords are
    return toSearchDoc(i, { title: d.title, tags: d.tags.join(' ') });
  });
  const labels = {
    org: Object.fromEntries(catalog.organizations.map((o) => [o.slug, o.title])),
    topic: Object.fromEntries(catalog.topics.map((t) => [t.id, t.title])),
    license: Object.fromEntries(catalog.licences.map((l) => [l.id, l.title])),
    status: STATUS_LABELS as Record<string, string>,
  };
  return { index: { index: buildIndex(searchDocs).toJSON() }, docs: { docs, labels } };
}
