import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../../server/catalog/vocabularies.ts';
import { parseQuery, SearchIndex, type SearchMeta, type SearchResult } from '../../server/contract/search.ts';
import type { SnapshotCatalog, SnapshotDatasetSummary } from '../../server/contract/snapshot.ts';
import { slugify } from '../../server/contract/text.ts';
import { buildSearchData, searchOrder } from '../../server/publish/search-index.ts';

/** A summary with defaults for what a search test does not care about. */
export function summary(d: Partial<SnapshotDatasetSummary> & { title: string }, i = 0): SnapshotDatasetSummary {
  const when = new Date(Date.UTC(2025, 0, 1 + i)).toISOString();
  return {
    id: `id-${i}`, createdAt: when, slug: `${slugify(d.title)}-${i}`, notes: '', organization: 'so-noi-vu', tags: [], topics: [], formats: ['CSV'], licenseId: 'CC-BY-4.0',
    updateFrequency: 'quarterly', modifiedAt: when, lastUpdatedAt: when, publishedAt: when, isSample: false, nextDueDate: null, freshness: 'up-to-date', ...d,
  };
}

/** A catalogue of these datasets and units (slug → title). */
export function catalogOf(datasets: SnapshotDatasetSummary[], units: Record<string, string> = { 'so-noi-vu': 'Sở Nội vụ tỉnh Gia Lai' }): SnapshotCatalog {
  return {
    format: 1, generatedAt: new Date(0).toISOString(), siteUrl: 'http://localhost:4321',
    organizations: Object.entries(units).map(([slug, title]) => ({
      id: `org-${slug}`, createdAt: new Date(0).toISOString(), slug, title, titleEn: null, description: '', identifierCode: null, parent: null, contactEmail: null, website: null,
      datasetCount: datasets.filter((d) => d.organization === slug).length,
    })),
    topics: TOPICS, licences: LICENCES, frequencies: UPDATE_FREQUENCIES, datasets,
  };
}

/** The search data of a catalogue built in memory, queried as the browser does (files added as the query needs them). */
export function searchInMemory(catalog: SnapshotCatalog, opts: { shardBytes?: number } = {}) {
  const { files } = buildSearchData(catalog, opts);
  return searchOver(catalog, (rel) => files.get(rel), files);
}

/** Queries over search data whose files `read` gives (null: not there), as the browser does. */
export function searchOver(catalog: SnapshotCatalog, read: (rel: string) => string | undefined, files = new Map<string, string>()) {
  const meta = JSON.parse(read('meta.json')!) as SearchMeta;
  const order = searchOrder(catalog).order;
  const index = new SearchIndex(meta);
  const run = (q: string): SearchResult => {
    const query = parseQuery(q);
    for (const rel of index.missing(query)) {
      const text = read(rel);
      if (text === undefined) throw new Error(`search data: no ${rel}`);
      index.add(rel, JSON.parse(text));
    }
    return index.search(query);
  };
  const datasetsOf = (q: string) => [...run(q).ids].map((id) => catalog.datasets[order[id]!]!);
  return { files, meta, index, run, datasetsOf, titles: (q: string) => datasetsOf(q).map((d) => d.title), slugs: (q: string) => datasetsOf(q).map((d) => d.slug) };
}
