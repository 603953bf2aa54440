import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { deriveDataset, formatContext, uris, type DownloadKind, type PortalInfo } from './derive.ts';

/** The order the dataset page lists downloads in: the converted files first. */
const ORDER: DownloadKind[] = ['csv', 'json', 'original'];

/**
 * schema.org Dataset for Google Dataset Search (required: name, description; recommended: url,
 * identifier, keywords, license, creator, temporal and spatial coverage, distribution, catalog).
 * Built from the same derived values as the DCAT-AP mapping (derive.ts). Returns the JSON text,
 * ready to go inside <script type="application/ld+json">.
 */
export function datasetJsonLd(d: SnapshotDataset, catalog: SnapshotCatalog, siteUrl: string, portal?: Partial<PortalInfo>): string {
  const c = formatContext(catalog, { siteUrl, portal });
  const x = deriveDataset(d, c);
  const org = { '@type': 'Organization', name: x.publisher.name.vi, url: x.publisher.page };
  const temporal = x.temporal ? `${x.temporal.start ?? '..'}/${x.temporal.end ?? '..'}` : undefined;
  const doc = {
    '@context': 'https://schema.org/',
    '@type': 'Dataset',
    name: x.title,
    description: x.notes.replace(/[#*_>`]/g, '').trim().slice(0, 5000),
    url: x.landingPage,
    identifier: x.identifier,
    inLanguage: 'vi',
    keywords: x.keywords,
    license: x.licence?.url ?? d.licenseId,
    isAccessibleForFree: true,
    version: x.version,
    creator: org,
    publisher: org,
    datePublished: x.issued,
    dateModified: x.modified,
    temporalCoverage: temporal,
    spatialCoverage: x.spatial ? { '@type': 'Place', name: x.spatial } : undefined,
    includedInDataCatalog: { '@type': 'DataCatalog', name: c.portal.title.vi, url: uris.homepage(c) },
    distribution: d.resources.flatMap((r) => ORDER.map((kind) => x.downloads.find((f) => f.resource === r && f.kind === kind)!).map((f) => ({
      '@type': 'DataDownload', name: `${r.title} (${f.format})`, encodingFormat: f.mediaType, contentUrl: f.url, contentSize: `${f.size} B` as string | undefined,
    }))).concat(x.links.map((l) => ({
      '@type': 'DataDownload', name: l.title, encodingFormat: l.mediaType ?? l.format, contentUrl: l.url, contentSize: l.size === null ? undefined : `${l.size} B`,
    }))),
  };
  // inside <script>, "</script>" in a description would end the element: escape every "<"
  return JSON.stringify(doc).replace(/</g, '\\u003c');
}
