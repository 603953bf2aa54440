import type { APIRoute } from 'astro';
import { sitemapUrls, siteBase, URLS_PER_SITEMAP } from '../lib/sitemap.ts';

export function getStaticPaths() {
  const files = Math.max(1, Math.ceil(sitemapUrls().length / URLS_PER_SITEMAP));
  return Array.from({ length: files }, (_, i) => ({ params: { n: String(i + 1) } }));
}

export const GET: APIRoute = ({ params, site }) => {
  const n = Number(params.n);
  const base = siteBase(site);
  const urls = sitemapUrls().slice((n - 1) * URLS_PER_SITEMAP, n * URLS_PER_SITEMAP);
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map(([u, lastmod]) => `<url><loc>${base}${u}</loc>${lastmod ? `<lastmod>${lastmod.slice(0, 10)}</lastmod>` : ''}</url>`).join('\n')}
</urlset>
`;
  return new Response(body, { headers: { 'content-type': 'application/xml; charset=utf-8' } });
};
