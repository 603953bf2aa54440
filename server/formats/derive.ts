/**
 * The values every metadata format derives from a published dataset — addresses, download URLs,
 * sizes, hashes, licence, publisher, contact, dates — computed once here, so that DCAT-AP,
 * schema.org and the Frictionless data package cannot disagree. Pure: no I/O, no RDF library (the
 * site's dataset page imports this through schemaorg.ts).
 */
import type { Licence, SnapshotCatalog, SnapshotDataset, SnapshotFile, SnapshotOrganization, SnapshotResource, UpdateFrequency } from '../contract/snapshot.ts';

/** A text the portal has in Vietnamese, and in English where it has a translation. */
export interface Text { vi: string; en?: string | null }

/**
 * What the catalogue says about itself. The snapshot does not carry it yet (the site keeps the
 * portal's name in site/lib/i18n.ts), so it is an input with the demo portal's values as default.
 */
export interface PortalInfo {
  title: Text;
  description: Text;
  /** slug of the unit that runs the portal: the catalogue's publisher (DCAT-AP: mandatory) */
  operator: string | null;
  /** the area the catalogue covers (dct:spatial of the catalogue) */
  spatial: string | null;
  /** URL of the licence of the catalogue's metadata, when the province has chosen one */
  metadataLicence: string | null;
  /** first publication of the catalogue (ISO date or date-time); default: the earliest dataset's */
  issued: string | null;
}

export const DEFAULT_PORTAL: PortalInfo = {
  title: { vi: 'Cổng dữ liệu mở tỉnh Gia Lai', en: 'Gia Lai Province Open Data Portal' },
  description: {
    vi: 'Dữ liệu do các sở, ban, ngành và địa phương công bố, được cập nhật ít nhất mỗi quý. Tải về tự do dưới dạng tệp gốc, CSV (UTF-8) hoặc JSON.',
    en: "Data published by the province's departments and communes, updated at least every quarter. Download it freely as the original file, UTF-8 CSV or JSON.",
  },
  operator: 'so-khoa-hoc-va-cong-nghe',
  spatial: 'Tỉnh Gia Lai',
  metadataLicence: null,
  issued: null,
};

export interface FormatContext {
  /** the public base address, without a trailing slash (`https://dulieu.gialai.gov.vn`) */
  base: string;
  catalog: SnapshotCatalog;
  portal: PortalInfo;
}

export function formatContext(catalog: SnapshotCatalog, opts: { siteUrl?: string; portal?: Partial<PortalInfo> } = {}): FormatContext {
  return { base: (opts.siteUrl ?? catalog.siteUrl).replace(/\/+$/, ''), catalog, portal: { ...DEFAULT_PORTAL, ...opts.portal } };
}

/**
 * Addresses. Entities (what RDF describes) follow ckanext-dcat: catalogue = the site URL, dataset =
 * `{site}/dataset/{slug}`, distribution = `{site}/dataset/{slug}/resource/{id}` plus `#original`,
 * `#csv` or `#json` (each resource is published as three files, and each is a DCAT distribution);
 * the unit = `{site}/organization/{slug}`, a topic = `{site}/group/{id}`. Pages (what a person
 * reads) are the same paths with a trailing slash.
 */
export const uris = {
  catalog: (c: FormatContext) => c.base,
  homepage: (c: FormatContext) => `${c.base}/`,
  dataset: (c: FormatContext, slug: string) => `${c.base}/dataset/${slug}`,
  datasetPage: (c: FormatContext, slug: string) => `${c.base}/dataset/${slug}/`,
  distribution: (c: FormatContext, slug: string, resourceId: string, kind: DownloadKind) => `${c.base}/dataset/${slug}/resource/${resourceId}#${kind}`,
  organization: (c: FormatContext, slug: string) => `${c.base}/organization/${slug}`,
  organizationPage: (c: FormatContext, slug: string) => `${c.base}/organization/${slug}/`,
  topicScheme: (c: FormatContext) => `${c.base}/group`,
  topic: (c: FormatContext, id: string) => `${c.base}/group/${id}`,
  /** a path of the snapshot (`/dataset/…/download/…`) as an absolute URL */
  file: (c: FormatContext, path: string) => `${c.base}${path.startsWith('/') ? '' : '/'}${path}`,
};

export type DownloadKind = 'original' | 'csv' | 'json';
export const DOWNLOAD_KINDS: readonly DownloadKind[] = ['original', 'csv', 'json'];

/** What each download is, in the portal's two languages. */
export const DOWNLOAD_LABELS: Record<DownloadKind, { vi: string; en: string; describeVi: string; describeEn: string }> = {
  original: {
    vi: 'tệp gốc', en: 'original file',
    describeVi: 'Tệp gốc do đơn vị cung cấp tải lên, không thay đổi.',
    describeEn: 'The file as the publishing unit uploaded it, unchanged.',
  },
  csv: {
    vi: 'CSV UTF-8', en: 'UTF-8 CSV',
    describeVi: 'Bảng dữ liệu đã kiểm tra, dạng CSV (mã hóa UTF-8, dấu phẩy phân cách, dòng đầu là tên cột).',
    describeEn: 'The checked table as CSV (UTF-8, comma-separated, header row).',
  },
  json: {
    vi: 'JSON', en: 'JSON',
    describeVi: 'Bảng dữ liệu đã kiểm tra, dạng mảng JSON, mỗi dòng là một đối tượng.',
    describeEn: 'The checked table as a JSON array with one object per row.',
  },
};

export interface DerivedDownload {
  kind: DownloadKind;
  resource: SnapshotResource;
  /** the distribution's URI (RDF) */
  uri: string;
  /** absolute download URL */
  url: string;
  size: number;
  sha256: string;
  mediaType: string;
  /** CKAN-style format name: CSV, TSV, XLSX, JSON, NDJSON */
  format: string;
  /** publication time of the version since which this file has been the same bytes */
  since: string | null;
}

/** A resource that links to data held elsewhere (one distribution; hash and size as its publisher gave them). */
export interface DerivedLink {
  uri: string;
  url: string;
  title: string;
  description: string;
  format: string;
  mediaType: string | null;
  size: number | null;
  /** hex sha256 when the publisher gave one as `sha256:…` or bare hex */
  sha256: string | null;
}

export interface DerivedAgent {
  slug: string;
  uri: string;
  page: string;
  name: Text;
  identifierCode: string | null;
  email: string | null;
  website: string | null;
  org: SnapshotOrganization | undefined;
}

export interface DerivedDataset {
  d: SnapshotDataset;
  uri: string;
  landingPage: string;
  identifier: string;
  title: string;
  /** the description as the unit wrote it (Markdown) */
  notes: string;
  keywords: string[];
  /** first publication (CKAN metadata_created's place): publishedAt, or createdAt */
  issued: string;
  /** last change of data or metadata (CKAN metadata_modified) */
  modified: string;
  version: string;
  versionNote: string | null;
  licence: Licence | undefined;
  frequency: UpdateFrequency | undefined;
  publisher: DerivedAgent;
  contact: { name: string; email: string | null };
  temporal: { start: string | null; end: string | null } | null;
  spatial: string | null;
  topics: { id: string; uri: string; title: string; titleEn: string | null }[];
  downloads: DerivedDownload[];
  links: DerivedLink[];
}

export function deriveAgent(c: FormatContext, slug: string, fallbackTitle: string): DerivedAgent {
  const org = c.catalog.organizations.find((o) => o.slug === slug);
  return {
    slug,
    uri: uris.organization(c, slug),
    page: uris.organizationPage(c, slug),
    name: { vi: org?.title ?? fallbackTitle, en: org?.titleEn ?? null },
    identifierCode: org?.identifierCode ?? null,
    email: org?.contactEmail ?? null,
    website: org?.website ?? null,
    org,
  };
}

/** The publication time of the oldest version in the unbroken run, up to the current one, in which the file had these bytes. */
function sameBytesSince(d: SnapshotDataset, resourceId: string, kind: DownloadKind, sha256: string): string | null {
  let since: string | null = null;
  for (const v of [...d.versions].sort((a, b) => b.number - a.number)) {
    const r = v.resources.find((x) => x.id === resourceId);
    if (!r || r[kind].sha256 !== sha256) break;
    since = v.publishedAt;
  }
  return since;
}

export function deriveDataset(d: SnapshotDataset, c: FormatContext): DerivedDataset {
  const latest = d.versions.reduce<SnapshotDataset['versions'][number] | undefined>((a, v) => (!a || v.number > a.number ? v : a), undefined);
  const publisher = deriveAgent(c, d.organization.slug, d.organization.title);
  const downloads: DerivedDownload[] = [];
  for (const r of d.resources) {
    for (const kind of DOWNLOAD_KINDS) {
      const f: SnapshotFile = r.downloads[kind];
      downloads.push({
        kind, resource: r, uri: uris.distribution(c, d.slug, r.id, kind), url: uris.file(c, f.url),
        size: f.size, sha256: f.sha256, mediaType: f.mediaType, format: f.format, since: sameBytesSince(d, r.id, kind, f.sha256),
      });
    }
  }
  return {
    d,
    uri: uris.dataset(c, d.slug),
    landingPage: uris.datasetPage(c, d.slug),
    identifier: d.id,
    title: d.title,
    notes: d.notes,
    keywords: d.tags,
    issued: d.publishedAt ?? d.createdAt,
    modified: d.modifiedAt,
    version: String(d.version),
    versionNote: latest?.note || null,
    licence: c.catalog.licences.find((l) => l.id === d.licenseId),
    frequency: c.catalog.frequencies.find((f) => f.id === d.updateFrequency),
    publisher,
    contact: { name: d.contactName ?? publisher.name.vi, email: d.contactEmail ?? publisher.email },
    temporal: d.temporalStart || d.temporalEnd ? { start: d.temporalStart, end: d.temporalEnd } : null,
    spatial: d.spatial,
    topics: d.topics.map((id) => {
      const t = c.catalog.topics.find((x) => x.id === id);
      return { id, uri: uris.topic(c, id), title: t?.title ?? id, titleEn: t?.titleEn ?? null };
    }),
    downloads,
    links: (d.links ?? []).map((l, i) => ({
      uri: `${uris.dataset(c, d.slug)}#link-${i + 1}`, url: l.url, title: l.title, description: l.description, format: l.format,
      mediaType: l.mediaType, size: l.size, sha256: /^(?:sha256:)?([0-9a-f]{64})$/i.exec(l.hash ?? '')?.[1]?.toLowerCase() ?? null,
    })),
  };
}
