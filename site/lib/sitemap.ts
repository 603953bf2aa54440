import { loadCatalog } from './snapshot.ts';
import { sitemapUrls as urlsOf } from '../../server/contract/sitemap.ts';

export { URLS_PER_SITEMAP } from '../../server/contract/sitemap.ts';

let urls: [string, string | undefined][] | undefined;
export function sitemapUrls(): [string, string | undefined][] {
  urls ??= urlsOf(loadCatalog());
  return urls;
}

export const siteBase = (site: URL | undefined) => (site?.toString() ?? loadCatalog().siteUrl).replace(/\/$/, '');
