import type { SnapshotCatalog } from './snapshot.ts';

/** Protocol limit is 50,000 URLs per file; 45,000 leaves room, as @astrojs/sitemap does. */
export const URLS_PER_SITEMAP = 45_000;

/** The sitemap's addresses and their last-modified dates: the fixed pages, the units, the topics, the datasets. */
export function sitemapUrls(catalog: Pick<SnapshotCatalog, 'generatedAt' | 'organizations' | 'topics' | 'datasets'>): [string, string | undefined][] {
  return [
    ['/', catalog.generatedAt], ['/dataset/', catalog.generatedAt], ['/organization/', undefined], ['/group/', undefined],
    ...catalog.organizations.map((o): [string, undefined] => [`/organization/${o.slug}/`, undefined]),
    ...catalog.topics.map((t): [string, undefined] => [`/group/${t.id}/`, undefined]),
    ...catalog.datasets.map((d): [string, string] => [`/dataset/${d.slug}/`, d.modifiedAt]),
  ];
}
