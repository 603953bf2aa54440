import type { SnapshotCatalog, SnapshotDataset } from '../../server/contract/snapshot.ts';

/**
 * schema.org Dataset for Google Dataset Search (required: name, description; recommended: url,
 * identifier, keywords, license, creator, temporal and spatial coverage, distribution, catalog).
 */
export function datasetJsonLd(d: SnapshotDataset, catalog: SnapshotCatalog, siteUrl: string): string {
  const abs = (p: string) => new URL(p, siteUrl).toString();
  const licence = catalog.licences.find((l) => l.id === d.licenseId);
  const org = { '@type': 'Organization', name: d.organization.title, url: abs(`/organization/${d.organization.slug}/`) };
  const temporal = d.temporalStart || d.temporalEnd ? `${d.temporalStart ?? '..'}/${d.temporalEnd ?? '..'}` : undefined;
  const doc = {
    '@context': 'https://schema.org/',
    '@type': 'Dataset',
    name: d.title,
    description: d.notes.replace(/[#*_>`]/g, '').trim().slice(0, 5000),
    url: abs(`/dataset/${d.slug}/`),
    identifier: d.id,
    inLanguage: 'vi',
    keywords: d.tags,
    license: licence?.url ?? d.licenseId,
    isAccessibleForFree: true,
    version: String(d.version),
    creator: org,
    publisher: org,
    datePublished: d.publishedAt ?? undefined,
    dateModified: d.lastUpdatedAt ?? d.modifiedAt,
    temporalCoverage: temporal,
    spatialCoverage: d.spatial ? { '@type': 'Place', name: d.spatial } : undefined,
    includedInDataCatalog: { '@type': 'DataCatalog', name: 'Cổng dữ liệu mở tỉnh Gia Lai', url: abs('/') },
    distribution: d.resources.flatMap((r) => [r.downloads.csv, r.downloads.json, r.downloads.original].map((f) => ({
      '@type': 'DataDownload', name: `${r.title} (${f.format})`, encodingFormat: f.mediaType, contentUrl: abs(f.url), contentSize: `${f.size} B`,
    }))),
  };
  // inside <script>, "</script>" in a description would end the element: escape every "<"
  return JSON.stringify(doc).replace(/</g, '\\u003c');
}
