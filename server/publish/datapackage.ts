import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';

/**
 * A Frictionless Data Package per dataset: its metadata, and each resource's UTF-8 CSV with its
 * Table Schema. Written by the site build next to the dataset page (/dataset/<slug>/datapackage.json)
 * rather than rendered by Astro: 10,000 extra routes cost the build several seconds (bench:site).
 */
export function dataPackageOf(d: SnapshotDataset, catalog: SnapshotCatalog, siteUrl: string): object {
  const base = siteUrl.replace(/\/+$/, '');
  const licence = catalog.licences.find((l) => l.id === d.licenseId);
  return {
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
}
