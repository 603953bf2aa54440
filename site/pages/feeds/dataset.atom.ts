import type { APIRoute } from 'astro';
import { loadCatalog } from '../../lib/snapshot.ts';

/** Atom feed of the 50 most recently updated datasets (CKAN's address: /feeds/dataset.atom). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const GET: APIRoute = ({ site }) => {
  const catalog = loadCatalog();
  const base = (site?.toString() ?? catalog.siteUrl).replace(/\/$/, '');
  const orgTitle = new Map(catalog.organizations.map((o) => [o.slug, o.title]));
  const recent = [...catalog.datasets].sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt)).slice(0, 50);
  const entries = recent.map((d) => `  <entry>
    <title>${esc(d.title)}</title>
    <link href="${base}/dataset/${d.slug}/"/>
    <id>${base}/dataset/${d.slug}/</id>
    <updated>${d.modifiedAt}</updated>
    <author><name>${esc(orgTitle.get(d.organization) ?? d.organization)}</name></author>
    <summary>${esc(d.notes.replace(/[#*_>`]/g, '').slice(0, 300))}</summary>
  </entry>`).join('\n');
  const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">
  <title>Cổng dữ liệu mở tỉnh Gia Lai — bộ dữ liệu mới cập nhật</title>
  <link rel="self" href="${base}/feeds/dataset.atom"/>
  <link href="${base}/"/>
  <id>${base}/feeds/dataset.atom</id>
  <updated>${recent[0]?.modifiedAt ?? catalog.generatedAt}</updated>
${entries}
</feed>
`;
  return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
};
