import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  encodeIds, encodeVarints, FACET_NAMES, FIELD, fold, MAX_PREFIX, parseQuery, phrases, ROWS_PER, SEARCH_FORMAT, SearchIndex, searchFile, SORTS, unitForms, words,
  type FacetName, type FacetsFile, type RowsFile, type SearchMeta, type SearchResult, type SearchRow, type SearchUnit, type ShardFile, type SortFile, type SortName,
} from '../contract/search.ts';
import { isValidName } from '../contract/names.ts';
import type { SnapshotCatalog } from '../contract/snapshot.ts';
import { localDate } from '../freshness/due.ts';

/**
 * Builds the search data of a snapshot (format and ranking: server/contract/search.ts) into the
 * folder `search/`: meta.json, t/<i>.json (shards of the inverted index), rows/<i>.json, facets.json
 * and sort-<name>.json. Everything is computed from the catalogue's summaries.
 */

/**
 * Raw JSON bytes after which a shard is closed (brotli sends 5–20× less). Each response also costs
 * ~750 bytes of headers and a request: at 24 KB a query read 3–4 shards (median), at 64 KB 2–3 for
 * about the same bytes (bench:site at 10,000 and 100,000).
 */
export const SHARD_BYTES = 64_000;
/** Keyword values the facet file carries (the page shows the 15 most used). */
const TAG_VALUES = 100;
const EXCERPT = 120;

const collator = new Intl.Collator('vi');
const plain = (md: string) => md.replace(/[#*_>`[\]()]/g, '').replace(/\s+/g, ' ').trim();

/**
 * The catalogue's datasets in search order (their numbers in the search data): unit by unit, units
 * by title, then by title. Returns catalogue indices, and each unit's range.
 */
export function searchOrder(catalog: SnapshotCatalog): { order: number[]; units: { slug: string; from: number; to: number }[] } {
  const units = catalog.organizations.filter((o) => isValidName(o.slug)).sort((a, b) => collator.compare(a.title, b.title) || (a.slug < b.slug ? -1 : 1));
  const rank = new Map(units.map((u, i) => [u.slug, i]));
  // as the site does (site/lib/snapshot.ts), a record whose name breaks the name rule has no page: nor a result
  const idx = catalog.datasets.map((_, i) => i).filter((i) => isValidName(catalog.datasets[i]!.slug) && rank.has(catalog.datasets[i]!.organization));
  const ds = catalog.datasets;
  idx.sort((a, b) => rank.get(ds[a]!.organization)! - rank.get(ds[b]!.organization)!
    || collator.compare(ds[a]!.title, ds[b]!.title) || (ds[a]!.slug < ds[b]!.slug ? -1 : ds[a]!.slug > ds[b]!.slug ? 1 : 0));
  const ranges: { slug: string; from: number; to: number }[] = [];
  idx.forEach((ci, d) => {
    const org = ds[ci]!.organization;
    const last = ranges[ranges.length - 1];
    if (last?.slug === org) last.to = d + 1;
    else ranges.push({ slug: org, from: d, to: d + 1 });
  });
  return { order: idx, units: ranges };
}

/** Postings of one key while building: dataset numbers ascending, flags = fields | form × 8. */
interface Building { ids: number[]; flags: number[]; forms: Map<string, number>; counts: number[] }

export interface SearchDataStats { keys: number; shards: number; postings: number }

/** All files of the search data, by path inside `search/`. */
export function buildSearchData(catalog: SnapshotCatalog, opts: { shardBytes?: number } = {}): { files: Map<string, string>; meta: SearchMeta; stats: SearchDataStats } {
  const { order, units: ranges } = searchOrder(catalog);
  const ds = order.map((i) => catalog.datasets[i]!);
  const n = ds.length;
  if (n >= 2 ** 20) throw new Error('search data: more than 1,048,575 datasets');
  const keys = new Map<string, Building>();
  let postings = 0;
  const post = (key: string, d: number, field: number, form: string) => {
    let b = keys.get(key);
    if (!b) keys.set(key, (b = { ids: [], flags: [], forms: new Map(), counts: [] }));
    let f = b.forms.get(form);
    if (f === undefined) { f = b.forms.size; b.forms.set(form, f); b.counts.push(0); }
    for (let j = b.ids.length - 1; j >= 0 && b.ids[j] === d; j--) {
      if (b.flags[j]! >> 3 === f) { b.flags[j]! |= field; return; }
    }
    b.ids.push(d);
    b.flags.push(field | (f << 3));
    b.counts[f]!++;
    postings++;
  };
  const index = (d: number, field: number, text: string) => {
    for (const phrase of phrases(text)) {
      const folded = phrase.map(fold);
      for (let i = 0; i < phrase.length; i++) {
        post(folded[i]!, d, field, phrase[i]!);
        if (i > 0) post(`${folded[i - 1]} ${folded[i]}`, d, field, `${phrase[i - 1]} ${phrase[i]}`);
      }
    }
  };
  ds.forEach((s, d) => {
    index(d, FIELD.title, s.title);
    for (const tag of s.tags) index(d, FIELD.tags, tag);
    index(d, FIELD.notes, plain(s.notes));
  });

  // every key's forms by how many datasets have them, so the common one costs one letter
  const entries = new Map<string, { p: string; f: string; v: string[] | 0 }>();
  for (const [key, b] of keys) {
    const byCount = [...b.forms.keys()].sort((x, y) => b.counts[b.forms.get(y)!]! - b.counts[b.forms.get(x)!]! || (x < y ? -1 : 1));
    const remap = new Map(byCount.map((form, i) => [b.forms.get(form)!, i]));
    // a dataset may hold two forms of a key: keep its postings in form order within the dataset
    const flags = b.flags.map((fl) => (fl & 7) | (remap.get(fl >> 3)! << 3));
    const v = byCount.length === 1 && byCount[0] === key ? 0 : byCount;
    entries.set(key, { p: encodeIds(b.ids), f: encodeVarints(flags), v });
  }
  // prefix keys: the union of every longer syllable starting with the prefix
  const syllables = [...keys.keys()].filter((k) => !k.includes(' ')).sort();
  const prefixes = new Set<string>();
  for (const s of syllables) for (let l = 1; l < Math.min(s.length, MAX_PREFIX + 1); l++) prefixes.add(s.slice(0, l));
  const acc = new Uint8Array(n);
  for (const p of prefixes) {
    let at = lowerBound(syllables, p);
    const touched: number[] = [];
    for (; at < syllables.length && syllables[at]!.startsWith(p); at++) {
      if (syllables[at] === p) continue;
      const b = keys.get(syllables[at]!)!;
      for (let j = 0; j < b.ids.length; j++) {
        const d = b.ids[j]!;
        if (!acc[d]) touched.push(d);
        acc[d]! |= b.flags[j]! & 7;
      }
    }
    if (!touched.length) continue;
    touched.sort((a, b) => a - b);
    entries.set(`${p}*`, { p: encodeIds(touched), f: encodeVarints(touched.map((d) => acc[d]!)), v: 0 });
    for (const d of touched) acc[d] = 0;
    postings += touched.length;
  }

  // shards: the keys in order, cut at about shardBytes of JSON
  const sorted = [...entries.keys()].sort();
  const shardFiles: ShardFile[] = [];
  const firstKeys: string[] = [];
  let cur: ShardFile | null = null;
  let size = 0;
  const limit = opts.shardBytes ?? SHARD_BYTES;
  for (const key of sorted) {
    const e = entries.get(key)!;
    const bytes = key.length * 2 + e.p.length + e.f.length + (e.v ? JSON.stringify(e.v).length : 1) + 12;
    if (!cur || size + bytes > limit) {
      cur = { build: '', k: [], p: [], f: [], v: [] };
      shardFiles.push(cur);
      firstKeys.push(key);
      size = 0;
    }
    cur.k.push(key);
    cur.p.push(e.p);
    cur.f.push(e.f);
    cur.v.push(e.v);
    size += bytes;
  }
  if (!shardFiles.length) { shardFiles.push({ build: '', k: [], p: [], f: [], v: [] }); firstKeys.push(''); }

  // rows
  const rowsFiles: RowsFile[] = [];
  for (let i = 0; i < n; i += ROWS_PER) {
    rowsFiles.push({
      build: '',
      rows: ds.slice(i, i + ROWS_PER).map((s): SearchRow => [
        s.slug, s.title, s.formats.join(', '), localDate(new Date(s.lastUpdatedAt ?? s.modifiedAt)), s.freshness, plain(s.notes).slice(0, EXCERPT),
      ]),
    });
  }

  // facets: for each value, the datasets that have it
  const facetValues: Record<FacetName, (s: SnapshotCatalog['datasets'][number]) => string[]> = {
    topic: (s) => s.topics, tag: (s) => s.tags, format: (s) => s.formats, license: (s) => [s.licenseId], status: (s) => [s.freshness],
  };
  const facets = {} as FacetsFile['facets'];
  for (const name of FACET_NAMES) {
    const lists = new Map<string, number[]>();
    ds.forEach((s, d) => {
      for (const v of new Set(facetValues[name](s))) {
        let l = lists.get(v);
        if (!l) lists.set(v, (l = []));
        l.push(d);
      }
    });
    let values = [...lists.keys()].sort((a, b) => lists.get(b)!.length - lists.get(a)!.length || a.localeCompare(b, 'vi'));
    if (name === 'tag') values = values.slice(0, TAG_VALUES);
    facets[name] = { values, p: values.map((v) => encodeIds(lists.get(v)!)) };
  }
  const facetsFile: FacetsFile = { build: '', facets };

  // sort keys: larger first
  const day = (iso: string | null, fallback: string) => Math.floor(Date.parse(`${localDate(new Date(iso ?? fallback))}T00:00:00Z`) / 864e5);
  const titleRank = ds.map((_, d) => d).sort((a, b) => collator.compare(ds[a]!.title, ds[b]!.title) || a - b);
  const titleKey = new Array<number>(n);
  titleRank.forEach((d, r) => { titleKey[d] = n - 1 - r; });
  const sortKeys: Record<SortName, number[]> = {
    title: titleKey,
    updated: ds.map((s) => day(s.lastUpdatedAt, s.modifiedAt)),
    newest: ds.map((s) => day(s.publishedAt, s.modifiedAt)),
  };

  // units: the catalogue's words that most units share are not distinctive
  const orgs = new Map(catalog.organizations.map((o) => [o.slug, o]));
  const share = new Map<string, number>();
  for (const o of catalog.organizations) for (const w of new Set([...words(o.title), ...words(o.titleEn ?? '')].map(fold))) share.set(w, (share.get(w) ?? 0) + 1);
  const threshold = Math.max(2, Math.ceil(catalog.organizations.length / 3));
  const generic = new Set([...share].filter(([, c]) => c >= threshold).map(([w]) => w));
  const units: SearchUnit[] = ranges.map((r) => {
    const o = orgs.get(r.slug)!;
    return { slug: r.slug, title: o.title, from: r.from, to: r.to, forms: unitForms(o.title, o.titleEn, generic) };
  });

  // every file names the build it belongs to: a hash of all of them
  const bodies: [string, object][] = [
    ...shardFiles.map((f, i): [string, object] => [searchFile.shard(i), f]),
    ...rowsFiles.map((f, i): [string, object] => [searchFile.rows(i), f]),
    [searchFile.facets, facetsFile],
    ...SORTS.map((s): [string, object] => [searchFile.sort(s), { build: '', k: encodeVarints(sortKeys[s].map((x) => Math.max(0, x))) } satisfies SortFile]),
  ];
  const hash = crypto.createHash('sha256');
  const texts = bodies.map(([p, body]) => { const t = JSON.stringify(body); hash.update(p).update(t); return [p, t] as const; });
  hash.update(JSON.stringify(units));
  const build = hash.digest('base64url').slice(0, 12);
  const files = new Map<string, string>();
  for (const [p, t] of texts) files.set(p, t.replace('"build":""', `"build":"${build}"`));
  const meta: SearchMeta = { format: SEARCH_FORMAT, build, n, rowsPer: ROWS_PER, shards: firstKeys, units };
  files.set(searchFile.meta, JSON.stringify(meta));
  return { files, meta, stats: { keys: sorted.length, shards: shardFiles.length, postings } };
}

/** Writes the search data into `dir` (the snapshot's `search/` folder), which must not exist yet or be empty. */
export function writeSearchData(catalog: SnapshotCatalog, dir: string): { files: number; bytes: number; stats: SearchDataStats } {
  const { files, stats } = buildSearchData(catalog);
  const made = new Set<string>();
  let bytes = 0;
  for (const [rel, text] of files) {
    const file = path.join(dir, rel);
    const parent = path.dirname(file);
    if (!made.has(parent)) { fs.mkdirSync(parent, { recursive: true }); made.add(parent); }
    fs.writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
  }
  return { files: files.size, bytes, stats };
}

/** The search data of a snapshot folder, read from disk as queries need its shards (the server's side of the browser's fetches). */
export class SearchData {
  readonly index: SearchIndex;
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
    this.index = new SearchIndex(JSON.parse(fs.readFileSync(path.join(dir, searchFile.meta), 'utf8')) as SearchMeta);
  }

  search(text: string): SearchResult {
    const q = parseQuery(text);
    for (const i of this.index.missing(q)) this.index.add(i, JSON.parse(fs.readFileSync(path.join(this.dir, searchFile.shard(i)), 'utf8')) as ShardFile);
    return this.index.search(q);
  }

  rows(i: number): SearchRow[] {
    return (JSON.parse(fs.readFileSync(path.join(this.dir, searchFile.rows(i)), 'utf8')) as RowsFile).rows;
  }
}

function lowerBound(list: string[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Puts the snapshot's search data at `/search/` in a site folder: hard links to the snapshot's files
 * (the site build then writes their .br/.gz beside them).
 */
export function linkSearchData(snapshot: string, client: string, link: (from: string, to: string) => void): number {
  const from = path.join(snapshot, 'search');
  if (!fs.existsSync(from)) return 0;
  let files = 0;
  const walk = (src: string, dest: string) => {
    fs.mkdirSync(dest, { recursive: true });
    for (const e of fs.readdirSync(src, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(src, e.name), path.join(dest, e.name));
      else if (e.isFile()) { link(path.join(src, e.name), path.join(dest, e.name)); files++; }
    }
  };
  walk(from, path.join(client, 'search'));
  return files;
}
