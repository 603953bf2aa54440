import type { APIRoute } from 'astro';
import { loadCatalog, loadDataset } from '../../../lib/snapshot.ts';
import { siteBase } from '../../../lib/sitemap.ts';

/** A Frictionless Data Package per dataset: its metadata, and each resource's UTF-8 CSV with its Table Schema. */
export function getStaticPaths() {
  return loadCatalog().datasets.map((d) => ({ params: { slug: d.slug } }));
}

export const GET: APIRoute = ({ params, site }) => {
  const catalog = loadCatalog();
  const d = loadDataset(params.slug!);
  const base = siteBase(site);
  const licence = catalog.licences.find((l) => l.id === d.licenseId);
  const pkg = {
    $schema: 'https://datapackage.org/profiles/2.0/datapackage.json',
    name: d.slug,
    id: `${base}/dataset/${d.slug}/`,
    title: d.title,
    description: d.notes,
    homepage: `${base}/dataset/${d.slug}/`,
    version: String(d.version),
    created: d.publishedAt ?? d.createdAt,
    keywords: d.tags,
    licenses: [{ name: d.licenseId, path: licence?.url, title: licence?.title }],
    contributors: [{ title: d.organization.title, roles: ['publisher'], path: `${base}/organization/${d.organization.slug}/` }],
    sources: d.source ? [{ title: d.source }] : undefined,
    resources: d.resources.map((r) => ({
      name: r.name,
      title: r.title,
      description: r.description || undefined,
      path: `${base}${r.downloads.csv.url}`,
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      bytes: r.downloads.csv.size,
      hash: `sha256:${r.downloads.csv.sha256}`,
      dialect: { header: true, delimiter: ',' },
      schema: r.schema,
    })),
  };
  return new Response(JSON.stringify(pkg, null, 2), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};
