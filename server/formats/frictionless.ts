import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { deriveDataset, formatContext } from './derive.ts';

/**
 * A Frictionless Data Package per dataset: its metadata, and each resource's UTF-8 CSV with its
 * Table Schema. Written by the site build next to the dataset page (/dataset/<slug>/datapackage.json)
 * rather than rendered by Astro: 10,000 extra routes cost the build several seconds (bench:site).
 * Built from the same derived values as the DCAT-AP mapping (derive.ts).
 */
export function dataPackageOf(d: SnapshotDataset, catalog: SnapshotCatalog, siteUrl: string): object {
  const x = deriveDataset(d, formatContext(catalog, { siteUrl }));
  return {
    $schema: 'https://datapackage.org/profiles/2.0/datapackage.json',
    name: d.slug,
    id: x.landingPage,
    title: x.title,
    description: x.notes,
    homepage: x.landingPage,
    version: x.version,
    created: x.issued,
    keywords: x.keywords,
    licenses: [{ name: d.licenseId, path: x.licence?.url, title: x.licence?.title }],
    contributors: [{ title: x.publisher.name.vi, roles: ['publisher'], path: x.publisher.page }],
    sources: d.source ? [{ title: d.source }] : undefined,
    resources: d.resources.map((r) => {
      const csv = x.downloads.find((f) => f.resource === r && f.kind === 'csv')!;
      return {
        name: r.name,
        title: r.title,
        description: r.description || undefined,
        path: csv.url,
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        bytes: csv.size,
        hash: `sha256:${csv.sha256}`,
        dialect: { header: true, delimiter: ',' },
        schema: r.schema,
      };
    }).concat(x.links.map((l, i) => ({
      name: `lien-ket-${i + 1}`, title: l.title, description: l.description || undefined, path: l.url,
      format: l.format.toLowerCase() || undefined, mediatype: l.mediaType ?? undefined, bytes: l.size ?? undefined,
      hash: l.sha256 ? `sha256:${l.sha256}` : undefined,
    }) as never)),
  };
}
