/**
 * Every DCAT file of the static site, as `{path, mediaType, body}` for the site build to write:
 *
 *   dataset/<slug>.ttl | .jsonld | .rdf        one dataset (ckanext-dcat: /dataset/<name>.<format>)
 *   catalog.ttl | .jsonld | .rdf               the catalogue, page 1 (ckanext-dcat: /catalog.<format>)
 *   catalog/page/<n>.ttl | .jsonld | .rdf      page n ≥ 2 (ckanext-dcat: /catalog.<format>?page=n)
 *
 * Each catalogue page holds the catalogue, 100 datasets in full and a hydra:PagedCollection whose
 * first/next/previous/last name pages of the same format. Datasets are paged in order of first
 * publication (then slug), so a new dataset changes only the last page and an edit only its own
 * page (ckanext-dcat orders by metadata_modified, which would move a dataset to page 1 on every
 * edit and rewrite every page before it). A server that also answers ckanext-dcat's `?page=n` maps
 * it with catalogPagePath().
 */
import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { catalogDates, catalogQuads, datasetQuads, pagingQuads, type CatalogDates, type PageInfo } from './dcat.ts';
import { formatContext, type FormatContext, type PortalInfo } from './derive.ts';
import type { DcatProfile } from './profiles/profile.ts';
import { DCAT_AP_3 } from './profiles/dcat-ap-3.ts';
import { RDF_FORMAT_NAMES, RDF_FORMATS, type RdfFormat } from './rdf.ts';

/** ckanext-dcat's `ckanext.dcat.datasets_per_page` default */
export const DATASETS_PER_PAGE = 100;

export interface DcatFile { path: string; mediaType: string; body: string }

export interface DcatOptions {
  /** public base address; default: the snapshot's siteUrl */
  siteUrl?: string;
  portal?: Partial<PortalInfo>;
  profile?: DcatProfile;
  perPage?: number;
  /** the serialisations to write; default all three */
  formats?: RdfFormat[];
}

export function datasetPath(slug: string, format: RdfFormat): string {
  return `dataset/${slug}.${format}`;
}

/** Where page `page` (from 1) of the catalogue is, relative to the site root. */
export function catalogPagePath(page: number, format: RdfFormat): string {
  if (!Number.isInteger(page) || page < 1) throw new Error(`page must be a positive integer: ${page}`);
  return page === 1 ? `catalog.${format}` : `catalog/page/${page}.${format}`;
}

/** The catalogue's datasets in page order. */
export function pageOrder(datasets: SnapshotDataset[]): SnapshotDataset[] {
  const issued = (d: SnapshotDataset) => d.publishedAt ?? d.createdAt;
  return [...datasets].sort((a, b) => (issued(a) < issued(b) ? -1 : issued(a) > issued(b) ? 1 : a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

export async function datasetDcatFiles(d: SnapshotDataset, c: FormatContext, opts: Pick<DcatOptions, 'profile' | 'formats'> = {}): Promise<DcatFile[]> {
  const quads = datasetQuads(d, c, opts.profile ?? DCAT_AP_3);
  const out: DcatFile[] = [];
  for (const f of opts.formats ?? RDF_FORMAT_NAMES) out.push({ path: datasetPath(d.slug, f), mediaType: RDF_FORMATS[f].mediaType, body: await RDF_FORMATS[f].write(quads) });
  return out;
}

/** The paging of page `page` of `total` datasets, with page URLs of `format` (ckanext-dcat's `_pagination_info`; none for an empty catalogue). */
export function pageInfo(c: FormatContext, page: number, total: number, perPage: number, format: RdfFormat): PageInfo | undefined {
  if (total === 0) return undefined;
  const last = Math.max(1, Math.ceil(total / perPage));
  const url = (n: number) => `${c.base}/${catalogPagePath(n, format)}`;
  return {
    current: url(page), first: url(1), last: url(last),
    next: page * perPage < total ? url(page + 1) : null,
    previous: page > 1 ? url(Math.min(page - 1, last)) : null,
    totalItems: total, itemsPerPage: perPage,
  };
}

export async function catalogDcatFiles(c: FormatContext, datasets: SnapshotDataset[], opts: Omit<DcatOptions, 'siteUrl' | 'portal'> & { dates?: CatalogDates } = {}): Promise<DcatFile[]> {
  const perPage = opts.perPage ?? DATASETS_PER_PAGE;
  const ordered = pageOrder(datasets);
  const dates = opts.dates ?? catalogDates(c, datasets);
  const pages = Math.max(1, Math.ceil(ordered.length / perPage));
  const out: DcatFile[] = [];
  for (let n = 1; n <= pages; n++) {
    const quads = catalogQuads(c, ordered.slice((n - 1) * perPage, n * perPage), { dates, profile: opts.profile });
    for (const f of opts.formats ?? RDF_FORMAT_NAMES) {
      const page = pageInfo(c, n, ordered.length, perPage, f);
      out.push({ path: catalogPagePath(n, f), mediaType: RDF_FORMATS[f].mediaType, body: await RDF_FORMATS[f].write(page ? [...quads, ...pagingQuads(page)] : quads) });
    }
  }
  return out;
}

/** Every DCAT file of the catalogue: each dataset's, then the catalogue pages. */
export async function dcatFiles(catalog: SnapshotCatalog, datasets: SnapshotDataset[], opts: DcatOptions = {}): Promise<DcatFile[]> {
  const c = formatContext(catalog, { siteUrl: opts.siteUrl, portal: opts.portal });
  const out: DcatFile[] = [];
  for (const d of datasets) out.push(...(await datasetDcatFiles(d, c, opts)));
  out.push(...(await catalogDcatFiles(c, datasets, opts)));
  return out;
}
