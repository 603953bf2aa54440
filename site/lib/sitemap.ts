import { loadCatalog } from './snapshot.ts';

/** Protocol limit is 50,000 URLs per file; 45,000 leaves room, as @astrojs/sitemap does. */
export const URLS_PER_SITEMAP = 45_000;

export function sitemapUrls(): [string, string | undefined][] {
  const catalog = loadCatalog();
  return [
    ['/', catalog.generatedAt], ['/dataset/', catalog.generatedAt], ['/organization/', undefined], ['/group/', undefined],
    ...catalog.organizations.map((o): [string, undefined] => [`/organization/${o.slug}/`, undefined]),
    ...catalog.topics.map((t): [string, undefined] => [`/group/${t.id}/`, undefined]),
    ...catalog.datasets.map((d): [string, string] => [`/dataset/${d.slug}/`, d.modifiedAt]),
  ];
}

export const siteBase = (site: URL | undefined) => (site?.toString() ?? loadCatalog().siteUrl).replace(/\/$/, '');
