import { catalogLists, pageCount, LIST_PAGE_SIZE, type ListEntry } from '../contract/lists.ts';
import type { SnapshotCatalog, SnapshotDatasetSummary, SnapshotOrganization, SnapshotWithdrawn } from '../contract/snapshot.ts';
import { isValidName } from '../contract/names.ts';
import { catalogPages } from '../formats/files.ts';
import { sitemapUrls, URLS_PER_SITEMAP } from '../contract/sitemap.ts';

/**
 * What a publish changes on the site, from the catalogue the site shows and the new one: the pages to
 * render again (a superset: the update writes only those whose bytes differ), the pages that no longer
 * exist, the datasets whose own files (downloads, data package, DCAT) change, and the DCAT catalogue
 * pages to write again. Pure: it reads the two catalogues only.
 */

/** A page of the site: its address and the route (Astro's name for the template) that renders it. */
export interface PageRef { url: string; route: string }

export interface SiteChange {
  render: PageRef[];
  /** addresses of pages that are gone (their files are removed) */
  remove: string[];
  /** datasets whose own files are written again (as they are now) */
  datasets: SnapshotDatasetSummary[];
  /** datasets whose own files go (withdrawn, no longer open, renamed): as they were */
  removedDatasets: SnapshotDatasetSummary[];
  /** DCAT catalogue pages (from 1) to write again, and pages that are gone */
  dcatPages: number[];
  dcatPagesRemoved: number[];
  /** how many datasets and units changed (for the log) */
  changedEntries: number;
}

/** Every route the site prerenders: the update refuses to run (a full build follows) if the site has another. */
export const ROUTES = [
  '/', '/en', '/404', '/api', '/en/api', '/robots.txt', '/feeds/dataset.atom', '/sitemap-index.xml', '/sitemap-[n].xml',
  '/dataset', '/en/dataset', '/dataset/[slug]', '/en/dataset/[slug]', '/dataset/page/[n]', '/en/dataset/page/[n]',
  '/organization', '/en/organization', '/organization/[slug]', '/en/organization/[slug]', '/organization/[slug]/page/[n]', '/en/organization/[slug]/page/[n]',
  '/group', '/group/[topic]', '/group/[topic]/page/[n]',
] as const;

/** The pages that show the whole catalogue (counts, newest datasets, facets, sitemaps): rendered at every publish. */
const EVERY_TIME: PageRef[] = [
  { url: '/', route: '/' }, { url: '/en/', route: '/en' }, { url: '/404.html', route: '/404' }, { url: '/api/', route: '/api' }, { url: '/en/api/', route: '/en/api' },
  { url: '/robots.txt', route: '/robots.txt' }, { url: '/feeds/dataset.atom', route: '/feeds/dataset.atom' }, { url: '/sitemap-index.xml', route: '/sitemap-index.xml' },
  { url: '/dataset/', route: '/dataset' }, { url: '/en/dataset/', route: '/en/dataset' },
  { url: '/organization/', route: '/organization' }, { url: '/en/organization/', route: '/en/organization' }, { url: '/group/', route: '/group' },
];

/** The file a page is written to (as Astro's build writes it: directory format). */
export function pageFile(url: string): string {
  if (url.endsWith('/')) return `${url.slice(1)}index.html`;
  return url.slice(1);
}

type Entry = { kind: 'dataset'; value: SnapshotDatasetSummary } | { kind: 'withdrawn'; value: SnapshotWithdrawn };

function entries(c: SnapshotCatalog): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const s of c.datasets) if (isValidName(s.slug)) out.set(s.id, { kind: 'dataset', value: s });
  for (const w of c.withdrawn ?? []) if (isValidName(w.slug)) out.set(w.id, { kind: 'withdrawn', value: w });
  return out;
}

const orgShown = (o: SnapshotOrganization) => JSON.stringify({ ...o, datasetCount: 0 });
const orgOf = (e: Entry) => (e.kind === 'dataset' ? e.value.organization : e.value.organization.slug);
const topicsOf = (e: Entry) => (e.kind === 'dataset' ? e.value.topics : e.value.topics ?? []);

export function sitemapCount(c: SnapshotCatalog): number {
  return Math.max(1, Math.ceil(sitemapUrls(c).length / URLS_PER_SITEMAP));
}

export function siteChange(prev: SnapshotCatalog, next: SnapshotCatalog): SiteChange {
  const render = new Map<string, PageRef>();
  const remove = new Set<string>();
  const add = (url: string, route: string) => { render.set(url, { url, route }); remove.delete(url); };
  const both = (url: string, route: string) => { add(url, route); add(`/en${url}`, `/en${route}`); };
  for (const p of EVERY_TIME) add(p.url, p.route);

  const before = entries(prev);
  const after = entries(next);
  // units whose page or cards read differently (their datasets' documents name them too)
  const prevOrgs = new Map(prev.organizations.map((o) => [o.slug, o]));
  const nextOrgs = new Map(next.organizations.map((o) => [o.slug, o]));
  const orgsShownChanged = new Set<string>();
  for (const slug of new Set([...prevOrgs.keys(), ...nextOrgs.keys()])) {
    const a = prevOrgs.get(slug);
    const b = nextOrgs.get(slug);
    if (!a || !b || orgShown(a) !== orgShown(b)) orgsShownChanged.add(slug);
  }
  const changed = new Set<string>();
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(id);
    const b = after.get(id);
    if (!a || !b || a.kind !== b.kind || JSON.stringify(a.value) !== JSON.stringify(b.value)) changed.add(id);
    else if (orgsShownChanged.has(orgOf(b))) changed.add(id);
  }

  const slugsAfter = new Set([...after.values()].map((e) => e.value.slug));
  const datasets: SnapshotDatasetSummary[] = [];
  const removedDatasets: SnapshotDatasetSummary[] = [];
  const orgs = new Set<string>();
  const topics = new Set<string>();
  for (const id of changed) {
    const a = before.get(id);
    const b = after.get(id);
    if (b) both(`/dataset/${b.value.slug}/`, '/dataset/[slug]');
    if (a && (!b || a.value.slug !== b.value.slug) && !slugsAfter.has(a.value.slug)) {
      remove.add(`/dataset/${a.value.slug}/`);
      remove.add(`/en/dataset/${a.value.slug}/`);
    }
    if (b?.kind === 'dataset') datasets.push(b.value);
    if (a?.kind === 'dataset' && (b?.kind !== 'dataset' || b.value.slug !== a.value.slug)) removedDatasets.push(a.value);
    for (const e of [a, b]) {
      if (!e) continue;
      orgs.add(orgOf(e));
      for (const t of topicsOf(e)) topics.add(t);
    }
  }
  for (const slug of orgsShownChanged) orgs.add(slug);
  for (const slug of orgs) {
    if (nextOrgs.has(slug)) both(`/organization/${slug}/`, '/organization/[slug]');
    else { remove.add(`/organization/${slug}/`); remove.add(`/en/organization/${slug}/`); }
  }
  for (const t of topics) if (next.topics.some((x) => x.id === t)) add(`/group/${t}/`, '/group/[topic]');

  // the static lists: page n changes when its datasets, one of them, or whether a newer page exists do
  const prevLists = catalogLists(prev);
  const nextLists = catalogLists(next);
  for (const key of new Set([...prevLists.keys(), ...nextLists.keys()])) {
    const a = prevLists.get(key) ?? [];
    const b = nextLists.get(key) ?? [];
    const [kind, name] = key.split(':') as ['all' | 'organization' | 'topic', string | undefined];
    if (kind === 'organization' && !nextOrgs.has(name!)) {
      for (let n = 1; n <= pageCount(a); n++) for (const lang of ['', '/en']) remove.add(`${lang}/organization/${name}/page/${n}/`);
      continue;
    }
    const allPages = kind === 'organization' && orgsShownChanged.has(name!); // the unit's name heads each page
    const pages = (n: number) => {
      if (kind === 'all') both(`/dataset/page/${n}/`, '/dataset/page/[n]');
      else if (kind === 'organization') both(`/organization/${name}/page/${n}/`, '/organization/[slug]/page/[n]');
      else add(`/group/${name}/page/${n}/`, '/group/[topic]/page/[n]');
    };
    const gone = (n: number) => {
      if (kind === 'all') { remove.add(`/dataset/page/${n}/`); remove.add(`/en/dataset/page/${n}/`); }
      else if (kind === 'organization') { remove.add(`/organization/${name}/page/${n}/`); remove.add(`/en/organization/${name}/page/${n}/`); }
      else remove.add(`/group/${name}/page/${n}/`);
    };
    const ka = pageCount(a);
    const kb = pageCount(b);
    for (let n = 1; n <= Math.max(ka, kb); n++) {
      if (n > kb) { gone(n); continue; }
      if (n > ka || allPages || (n === ka) !== (n === kb) || pageDiffers(a, b, n, changed)) pages(n);
    }
  }

  // sitemaps: the index and every file (their last-modified dates move with the catalogue)
  const sa = sitemapCount(prev);
  const sb = sitemapCount(next);
  for (let n = 1; n <= Math.max(sa, sb); n++) {
    if (n <= sb) add(`/sitemap-${n}.xml`, '/sitemap-[n].xml');
    else remove.add(`/sitemap-${n}.xml`);
  }

  // DCAT catalogue pages: page 1 (the catalogue's dates and total), and the pages whose datasets changed
  const pa = catalogPages(prev);
  const pb = catalogPages(next);
  const slugsChanged = new Set<string>();
  for (const id of changed) for (const e of [before.get(id), after.get(id)]) if (e) slugsChanged.add(e.value.slug);
  const dcatPages: number[] = [];
  const dcatPagesRemoved: number[] = [];
  for (let n = 1; n <= Math.max(pa.length, pb.length); n++) {
    if (n > pb.length) { dcatPagesRemoved.push(n); continue; }
    const x = pa[n - 1];
    const y = pb[n - 1]!;
    // a page's `next` appears when a page after it does
    if (n === 1 || !x || x.join('\n') !== y.join('\n') || y.some((s) => slugsChanged.has(s)) || (n === pa.length) !== (n === pb.length)) dcatPages.push(n);
  }
  return { render: [...render.values()], remove: [...remove], datasets, removedDatasets, dcatPages, dcatPagesRemoved, changedEntries: changed.size };
}

function pageDiffers(a: ListEntry[], b: ListEntry[], n: number, changed: Set<string>): boolean {
  const from = (n - 1) * LIST_PAGE_SIZE;
  const to = n * LIST_PAGE_SIZE;
  for (let i = from; i < to; i++) {
    const x = a[i];
    const y = b[i];
    if (x?.id !== y?.id) return true;
    if (y && changed.has(y.id)) return true;
  }
  return false;
}
