/**
 * Every DCAT file of the static site, as `{path, mediaType, body}` for the site build to write:
 *
 *   dataset/<slug>.ttl | .jsonld | .rdf        one dataset (ckanext-dcat: /dataset/<name>.<format>)
 *   catalog.ttl | .jsonld | .rdf               the catalogue, page 1 (ckanext-dcat: /catalog.<format>)
 *   catalog/page/<n>.ttl | .jsonld | .rdf      page n ≥ 2 (ckanext-dcat: /catalog.<format>?page=n)
 *
 * Each catalogue page holds the catalogue, 100 datasets in full and a hydra:PagedCollection whose
 * first/next/previous/last name pages of the same format. Datasets are paged in order of first
 * publication (then slug), not by metadata_modified as ckanext-dcat does: an edit does not move a
 * dataset and a new one goes to the last page, so a harvester walking the pages while the catalogue
 * is republished misses nothing it would have seen (under modified-first order, a dataset edited
 * during the walk jumps to page 1, already read). A server that also answers ckanext-dcat's
 * `?page=n` maps it with catalogPagePath().
 *
 * Everything is synchronous and deterministic: the same snapshot gives the same bytes.
 */
import { isValidName } from '../contract/names.ts';
import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import { catalogDates, catalogHeadQuads, datasetQuads, issuedOf, pagingQuads, type CatalogDates, type DatasetDates, type PageInfo } from './dcat.ts';
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
  if (!isValidName(slug)) throw new Error(`not a dataset name: ${JSON.stringify(slug)}`);
  return `dataset/${slug}.${format}`;
}

/** Where page `page` (from 1) of the catalogue is, relative to the site root. */
export function catalogPagePath(page: number, format: RdfFormat): string {
  if (!Number.isInteger(page) || page < 1) throw new Error(`page must be a positive integer: ${page}`);
  return page === 1 ? `catalog.${format}` : `catalog/page/${page}.${format}`;
}

/** The catalogue's datasets in page order: first publication, then slug. */
export function pageOrder<T extends DatasetDates>(datasets: T[]): T[] {
  return [...datasets].sort((a, b) => {
    const x = issuedOf(a);
    const y = issuedOf(b);
    return x < y ? -1 : x > y ? 1 : a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
  });
}

/**
 * The datasets of the catalogue: all of them in memory, or a loader by slug, in which case the
 * page order and the catalogue's dates come from the catalogue's summaries (catalog.json) and only
 * one page of datasets is read at a time.
 */
export type DatasetSource = SnapshotDataset[] | ((slug: string) => SnapshotDataset);

/**
 * The paging of page `page` of `pages` (`total` datasets), with page URLs of `format` (ckanext-dcat's
 * `_pagination_info`; none for an empty catalogue). Page 1 alone carries the total and the last page.
 */
export function pageInfo(c: FormatContext, page: number, pages: number, total: number, perPage: number, format: RdfFormat): PageInfo | undefined {
  if (total === 0) return undefined;
  const url = (n: number) => `${c.base}/${catalogPagePath(n, format)}`;
  return {
    current: url(page), first: url(1),
    ...(page === 1 ? { last: url(pages), totalItems: total } : {}),
    next: page < pages ? url(page + 1) : null,
    previous: page > 1 ? url(Math.min(page - 1, pages)) : null,
    itemsPerPage: perPage,
  };
}

/** One dataset's files (`dataset/<slug>.<ext>`): what the server or the build writes when only that dataset changed. */
export function datasetDcatFiles(d: SnapshotDataset, c: FormatContext, opts: Pick<DcatOptions, 'profile' | 'formats'> = {}): DcatFile[] {
  const quads = datasetQuads(d, c, opts.profile ?? DCAT_AP_3);
  return (opts.formats ?? RDF_FORMAT_NAMES).map((f) => ({ path: datasetPath(d.slug, f), mediaType: RDF_FORMATS[f].mediaType, body: RDF_FORMATS[f].write(quads) }));
}

/**
 * The catalogue's pages: which datasets (by name) each holds, in page order. A withdrawn dataset keeps
 * its place (its page lists one dataset fewer), so a withdrawal changes one page, not every page after it.
 */
export function catalogPages(catalog: Pick<SnapshotCatalog, 'datasets' | 'withdrawn'>, perPage = DATASETS_PER_PAGE): string[][] {
  // a record whose name breaks the name rule is left out, as the site build leaves out its pages
  const slots = pageOrder([
    ...catalog.datasets.filter((d) => isValidName(d.slug)).map((d) => ({ slug: d.slug, publishedAt: d.publishedAt, createdAt: d.createdAt, modifiedAt: d.modifiedAt, listed: true })),
    ...(catalog.withdrawn ?? []).filter((w) => isValidName(w.slug)).map((w) => ({ slug: w.slug, publishedAt: w.publishedAt ?? null, modifiedAt: w.withdrawnAt, listed: false })),
  ]);
  return Array.from({ length: Math.max(1, Math.ceil(slots.length / perPage)) }, (_, i) => slots.slice(i * perPage, (i + 1) * perPage).filter((x) => x.listed).map((x) => x.slug));
}

/**
 * Every DCAT file, a catalogue page at a time: the page's datasets' own files, then the page in
 * each format. Each dataset is mapped and serialised once: its page joins the bodies of its
 * datasets' files after the catalogue's own (see rdf.ts). Holds one page in memory (a 10,000-dataset
 * catalogue is about 0.7 GB of text in all), so the build can write each file as it comes.
 * `only`: these pages (from 1) and no dataset's own file (a publish that touched them).
 */
export function* eachDcatFile(catalog: SnapshotCatalog, datasets: DatasetSource, opts: DcatOptions & { dates?: CatalogDates; only?: number[] } = {}): Generator<DcatFile> {
  const c = formatContext(catalog, { siteUrl: opts.siteUrl, portal: opts.portal });
  const profile = opts.profile ?? DCAT_AP_3;
  const formats = opts.formats ?? RDF_FORMAT_NAMES;
  const perPage = opts.perPage ?? DATASETS_PER_PAGE;
  const listed: DatasetDates[] = (typeof datasets === 'function' ? catalog.datasets : datasets).filter((d) => isValidName(d.slug));
  const pages = catalogPages({ datasets: listed as SnapshotCatalog['datasets'], withdrawn: catalog.withdrawn }, perPage);
  const load = typeof datasets === 'function' ? datasets : (() => {
    const bySlug = new Map(datasets.map((d) => [d.slug, d]));
    return (slug: string) => bySlug.get(slug)!;
  })();
  // the catalogue's dates (a new or edited dataset moves them) are on page 1 only, as the total is
  const dates = opts.dates ?? catalogDates(c, listed);
  const none: CatalogDates = { issued: null, modified: null };
  for (const n of opts.only ?? pages.map((_, i) => i + 1)) {
    if (n > pages.length) continue;
    const slice = pages[n - 1]!.map(load);
    const bodies = new Map<RdfFormat, string[]>(formats.map((f) => [f, []]));
    for (const d of slice) {
      const quads = datasetQuads(d, c, profile);
      for (const f of formats) {
        const body = RDF_FORMATS[f].body(quads);
        bodies.get(f)!.push(body);
        if (!opts.only) yield { path: datasetPath(d.slug, f), mediaType: RDF_FORMATS[f].mediaType, body: RDF_FORMATS[f].document([body]) };
      }
    }
    const head = catalogHeadQuads(c, slice, { dates: n === 1 ? dates : none, profile });
    for (const f of formats) {
      const page = pageInfo(c, n, pages.length, listed.length, perPage, f);
      const s = RDF_FORMATS[f];
      yield { path: catalogPagePath(n, f), mediaType: s.mediaType, body: s.document([s.body(head), page ? s.body(pagingQuads(page)) : '', ...bodies.get(f)!]) };
    }
  }
}

/** Every DCAT file of the catalogue (each dataset's and the catalogue pages), as one list. */
export function dcatFiles(catalog: SnapshotCatalog, datasets: DatasetSource, opts: DcatOptions = {}): DcatFile[] {
  return [...eachDcatFile(catalog, datasets, opts)];
}
