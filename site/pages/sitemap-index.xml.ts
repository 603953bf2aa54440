import type { APIRoute } from 'astro';
import { sitemapUrls, siteBase, URLS_PER_SITEMAP } from '../lib/sitemap.ts';
import { loadCatalog } from '../lib/snapshot.ts';

export const GET: APIRoute = ({ site }) => {
  const base = siteBase(site);
  const files = Math.max(1, Math.ceil(sitemapUrls().length / URLS_PER_SITEMAP));
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${Array.from({ length: files }, (_, i) => `<sitemap><loc>${base}/sitemap-${i + 1}.xml</loc><lastmod>${loadCatalog().generatedAt.slice(0, 10)}</lastmod></sitemap>`).join('\n')}
</sitemapindex>
`;
  return new Response(body, { headers: { 'content-type': 'application/xml; charset=utf-8' } });
};
