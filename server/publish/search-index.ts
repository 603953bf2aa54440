import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  bisect, decodeVarints, encodeIds, encodeVarints, FACET_NAMES, FIELD, fold, MAX_PREFIX, parseQuery, phrases, ROWS_PER, SEARCH_FORMAT, SearchIndex, searchPaths, SORTS, unitForms, words,
  type FacetName, type FacetsFile, type RowsFile, type SearchMeta, type SearchResult, type SearchRow, type SearchUnit, type ShardFile, type SortFile, type SortName, type UnitFile,
} from '../contract/search.ts';
import { byPublication, publishedOf, withdrawnPublishedOf } from '../contract/lists.ts';
import { isValidName } from '../contract/names.ts';
import type { SnapshotCatalog, SnapshotDatasetSummary } from '../contract/snapshot.ts';
import { localDate } from '../freshness/due.ts';
import { viCollator } from '../contract/text.ts';

/**
 * Builds the search data of a snapshot (format and ranking: server/contract/search.ts) into the
 * folder `search/`, and brings it up to date after a publish without building it again.
 *
 * Dataset numbers follow first publication (the order of the site's lists): every dataset and
 * withdrawn dataset has one, a new dataset takes the next, and a number never moves — a withdrawn or
 * removed dataset leaves a hole (a number that is never a result). `.state.json` beside the files
 * (not published: it holds every id) keeps the numbering.
 *
 * An update (`updateSearchData`) re-indexes only the datasets whose text changed since the main
 * index was written: their postings go to a few tail shards (fixed key ranges: groups of the main
 * index's shards), and the main index's postings of those numbers are marked dead. The main index's
 * shards are hard links to the previous snapshot's; so are the rows files no change touches, and
 * every other file whose content (hence name) is unchanged. Facets, sort keys and unit postings are
 * computed again from the summaries (no tokenising: tens of milliseconds at 100,000 datasets). When
 * the tail grows past TAIL_DATASETS or TAIL_BYTES, the update writes the main index again (the
 * numbers stay), which costs what a full build costs.
 */

/**
 * Raw JSON bytes after which a shard is closed (brotli sends 5–20× less). Each response also costs
 * ~750 bytes of headers and a request: at 24 KB a query read 3–4 shards (median), at 64 KB 2–3 for
 * about the same bytes (bench:site at 10,000 and 100,000).
 */
export const SHARD_BYTES = 64_000;
/** Tail shards at most (each covers a fixed group of the main index's shards). */
export const TAIL_SHARDS = 8;
/**
 * Datasets re-indexed in the tail, and its raw bytes, past which an update writes the main index again.
 * On the synthetic bench catalogue (10,000), 400 new datasets made 7 tail shards of 16–19 KB raw (a query
 * reads one to three) and indexing them took ~40 ms of an update.
 */
export const TAIL_DATASETS = 500;
export const TAIL_BYTES = TAIL_SHARDS * 32_000;
/** Keyword values the facet file carries (the page shows the 15 most used). */
const TAG_VALUES = 100;
const EXCERPT = 120;
const STATE = '.state.json';

const plain = (md: string) => md.replace(/[#*_>`[\]()]/g, '').replace(/\s+/g, ' ').trim();
const hash = (text: string, len = 12) => crypto.createHash('sha256').update(text).digest('base64url').slice(0, len);

type Summary = SnapshotDatasetSummary;

/** What an update needs besides the files: the id of each dataset number, and what changed since the main index. */
export interface SearchState {
  format: typeof SEARCH_FORMAT;
  /** the id holding each number (null: removed from the catalogue for good) */
  ids: (string | null)[];
  /** numbers whose text changed (or that were added, withdrawn, removed) since the main index was written */
  changed: number[];
}

/**
 * The datasets that can be results, by number (null: a hole): a record whose name breaks the name
 * rule has no page (site/lib/snapshot.ts), nor a result.
 */
function byNumberOf(catalog: SnapshotCatalog, numberOf: Map<string, number>, n: number): (Summary | null)[] {
  const units = new Set<string>();
  for (const o of catalog.organizations) if (isValidName(o.slug)) units.add(o.slug);
  const out = new Array<Summary | null>(n).fill(null);
  for (const s of catalog.datasets) {
    if (!units.has(s.organization) || !isValidName(s.slug)) continue;
    const d = numberOf.get(s.id);
    if (d !== undefined) out[d] = s;
  }
  return out;
}

/** Each id's number. */
function numbersOf(ids: (string | null)[]): Map<string, number> {
  const m = new Map<string, number>();
  ids.forEach((id, d) => { if (id !== null) m.set(id, d); });
  return m;
}

/**
 * Dataset numbers: every dataset and withdrawn dataset by first publication, then id. With the
 * previous numbering, known ids keep theirs and new ones follow in that order; null when that would
 * not be the order of first publication (a dataset published before one already numbered).
 */
export function numbering(catalog: SnapshotCatalog, previous?: (string | null)[]): (string | null)[] | null {
  return assign(catalog, previous)?.ids ?? null;
}

function assign(catalog: SnapshotCatalog, previous?: (string | null)[]): { ids: (string | null)[]; numberOf: Map<string, number> } | null {
  const entries: { id: string; published: string }[] = [];
  if (!previous) {
    const seen = new Set<string>();
    for (const s of catalog.datasets) { seen.add(s.id); entries.push({ id: s.id, published: publishedOf(s) }); }
    for (const w of catalog.withdrawn ?? []) if (!seen.has(w.id)) entries.push({ id: w.id, published: withdrawnPublishedOf(w) });
    const ids = entries.sort(byPublication).map((e) => e.id);
    return { ids, numberOf: numbersOf(ids) };
  }
  // known ids keep their numbers, new ones follow by first publication
  const ids = [...previous];
  const numberOf = numbersOf(previous);
  const at = new Array<string | undefined>(ids.length);
  const fresh = new Map<string, string>();
  const note = (id: string, published: string) => {
    const d = numberOf.get(id);
    if (d === undefined) fresh.set(id, published);
    else at[d] = published;
  };
  for (const w of catalog.withdrawn ?? []) note(w.id, withdrawnPublishedOf(w));
  for (const s of catalog.datasets) note(s.id, publishedOf(s));
  for (const e of [...fresh].map(([id, published]) => ({ id, published })).sort(byPublication)) {
    numberOf.set(e.id, ids.length);
    ids.push(e.id);
    at.push(e.published);
  }
  // the numbers must still follow first publication, as a full build numbers them
  let prevId = '';
  let prevAt: string | undefined;
  for (let d = 0; d < ids.length; d++) {
    const published = at[d];
    if (published === undefined) continue;
    if (prevAt !== undefined && (prevAt > published || (prevAt === published && prevId >= ids[d]!))) return null;
    prevId = ids[d]!;
    prevAt = published;
  }
  return { ids, numberOf };
}

/**
 * The dataset numbers of a snapshot's search data: number → index in catalog.datasets (-1 for a hole).
 * Read from the state beside the files when there is one, else the numbering a full build gives.
 */
export function searchOrder(catalog: SnapshotCatalog, dir?: string): { order: number[] } {
  let ids: (string | null)[] | null = null;
  if (dir) try { ids = (JSON.parse(fs.readFileSync(path.join(dir, STATE), 'utf8')) as SearchState).ids; } catch { ids = null; }
  ids ??= numbering(catalog)!;
  const at = new Map(catalog.datasets.map((s, i) => [s, i]));
  return { order: byNumberOf(catalog, numbersOf(ids), ids.length).map((s) => (s ? at.get(s)! : -1)) };
}

/** Postings of one key while building: dataset numbers ascending, flags = fields | form × 8. */
interface Building { ids: number[]; flags: number[]; forms: Map<string, number>; counts: number[] }
type Entries = Map<string, { p: string; f: string; v: string[] | 0 }>;

/** The inverted index of these datasets (numbers ascending): syllables, pairs, prefixes. */
function indexPostings(items: [number, Summary][], n: number): { entries: Entries; postings: number } {
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
  for (const [d, s] of items) {
    index(d, FIELD.title, s.title);
    for (const tag of s.tags) index(d, FIELD.tags, tag);
    index(d, FIELD.notes, plain(s.notes));
  }

  // every key's forms by how many datasets have them, so the common one costs one letter
  const entries: Entries = new Map();
  for (const [key, b] of keys) {
    const byCount = [...b.forms.keys()].sort((x, y) => b.counts[b.forms.get(y)!]! - b.counts[b.forms.get(x)!]! || (x < y ? -1 : 1));
    const remap = new Map(byCount.map((form, i) => [b.forms.get(form)!, i]));
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
    let at = bisect(syllables, p);
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
  return { entries, postings };
}

const entryBytes = (key: string, e: { p: string; f: string; v: string[] | 0 }) => key.length * 2 + e.p.length + e.f.length + (e.v ? JSON.stringify(e.v).length : 1) + 12;
const emptyShard = (): ShardFile => ({ k: [], p: [], f: [], v: [] });

/** The keys in order, cut at about `limit` bytes of JSON. */
function cutShards(entries: Entries, limit: number): { files: ShardFile[]; first: string[] } {
  const files: ShardFile[] = [];
  const first: string[] = [];
  let cur: ShardFile | null = null;
  let size = 0;
  for (const key of [...entries.keys()].sort()) {
    const e = entries.get(key)!;
    const bytes = entryBytes(key, e);
    if (!cur || size + bytes > limit) {
      cur = emptyShard();
      files.push(cur);
      first.push(key);
      size = 0;
    }
    cur.k.push(key); cur.p.push(e.p); cur.f.push(e.f); cur.v.push(e.v);
    size += bytes;
  }
  if (!files.length) { files.push(emptyShard()); first.push(''); }
  return { files, first };
}

function rowOf(s: Summary): SearchRow {
  return [s.slug, s.title, s.formats.join(', '), localDate(new Date(s.lastUpdatedAt ?? s.modifiedAt)), s.freshness, plain(s.notes).slice(0, EXCERPT), s.organization];
}

const sameText = (a: Summary, b: Summary) => a.title === b.title && a.notes === b.notes && a.tags.length === b.tags.length && a.tags.every((t, i) => t === b.tags[i]);
const sameRow = (a: SearchRow, b: SearchRow) => a.every((x, i) => x === b[i]);

export interface SearchDataStats { keys: number; shards: number; postings: number; tail: number; phases?: string }

interface Previous { dir: string; meta: SearchMeta; state: SearchState; catalog: SnapshotCatalog }
interface Produced { files: Map<string, string>; links: Map<string, string>; meta: SearchMeta; state: SearchState; stats: SearchDataStats }

/**
 * The search data of `catalog` with these numbers. Without `prev`, every file (a full build). With
 * it, the files that differ from prev's, and links to prev's files for the rest.
 */
export interface SearchBuildOptions {
  /** raw bytes of a main shard (SHARD_BYTES) */
  shardBytes?: number;
  /** datasets the tail holds before the main index is written again (TAIL_DATASETS) */
  tailDatasets?: number;
}

function produce(catalog: SnapshotCatalog, numbers: { ids: (string | null)[]; numberOf: Map<string, number> }, prev: Previous | null, opts: SearchBuildOptions): Produced {
  const { ids, numberOf } = numbers;
  const n = ids.length;
  if (n >= 2 ** 20) throw new Error('search data: more than 1,048,575 dataset numbers');
  const phases: string[] = [];
  let mark = performance.now();
  const phase = (name: string) => { const now = performance.now(); phases.push(`${name} ${(now - mark).toFixed(0)}`); mark = now; };
  const byNumber = byNumberOf(catalog, numberOf, n);
  let liveCount = 0;
  for (const s of byNumber) if (s) liveCount++;
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const prevPaths = prev ? searchPaths(prev.meta) : null;
  const prevFiles = new Set(prevPaths?.all() ?? []);
  /** a file named by its content: the previous one when it is there */
  const put = (rel: string, text: string) => {
    if (prev && prevFiles.has(rel)) links.set(rel, path.join(prev.dir, rel));
    else files.set(rel, text);
  };

  // what changed since the previous data: text (re-indexed in the tail), result rows, sort keys
  const changed = new Set<number>(prev?.state.changed ?? []);
  const rowsTouched = new Set<number>();
  /** numbers whose sort keys may have moved (or that are new) */
  const resort = new Set<number>();
  const wasLive = new Uint8Array(n);
  if (prev) {
    const prevN = prev.state.ids.length;
    const was = byNumberOf(prev.catalog, numberOf, prevN); // numbers never move: the previous ones are the same
    for (let d = 0; d < n; d++) {
      const a = d < prevN ? was[d] ?? undefined : undefined;
      const b = byNumber[d] ?? undefined;
      if (a) wasLive[d] = 1;
      if (a === b) { if (d >= prevN) resort.add(d); continue; } // the same summary (the snapshot keeps the previous one's), or neither
      if (!a || !b || !sameText(a, b)) changed.add(d);
      if (!a || !b || a.title !== b.title || a.lastUpdatedAt !== b.lastUpdatedAt || a.modifiedAt !== b.modifiedAt || a.publishedAt !== b.publishedAt || d >= prevN) resort.add(d);
      if (!a || !b || !(a.slug === b.slug && a.title === b.title && a.notes === b.notes && a.freshness === b.freshness && a.organization === b.organization
        && a.lastUpdatedAt === b.lastUpdatedAt && a.modifiedAt === b.modifiedAt && a.formats.join() === b.formats.join()) && !sameRow(rowOf(a), rowOf(b))) {
        rowsTouched.add(Math.floor(d / ROWS_PER));
      }
    }
  }
  phase('changes');
  const serial = prev ? prev.meta.serial + 1 : 0;

  // the main index: the previous one, or written again (a full build; a tail grown too large)
  let tailItems: [number, Summary][] = [...changed].sort((a, b) => a - b).filter((d) => byNumber[d]).map((d) => [d, byNumber[d]!]);
  let tail = prev ? indexPostings(tailItems, n) : null;
  let tailBytes = 0;
  if (tail) for (const [key, e] of tail.entries) tailBytes += entryBytes(key, e);
  const rebuild = !prev || tailItems.length > (opts.tailDatasets ?? TAIL_DATASETS) || tailBytes > TAIL_BYTES;
  const stats: SearchDataStats = { keys: 0, shards: 0, postings: 0, tail: 0 };
  let first: string[];
  let group: number;
  let shardTexts: string[] | null = null;
  if (rebuild) {
    const { entries, postings } = indexPostings(byNumber.flatMap((s, d): [number, Summary][] => (s ? [[d, s]] : [])), n);
    const cut = cutShards(entries, opts.shardBytes ?? SHARD_BYTES);
    first = cut.first;
    shardTexts = cut.files.map((f) => JSON.stringify(f));
    group = Math.max(1, Math.ceil(first.length / TAIL_SHARDS));
    changed.clear();
    tailItems = [];
    tail = null;
    Object.assign(stats, { keys: entries.size, postings });
  } else {
    first = prev!.meta.shards;
    group = prev!.meta.tail.group;
    for (let i = 0; i < first.length; i++) links.set(prevPaths!.shard(i), path.join(prev!.dir, prevPaths!.shard(i)));
  }
  stats.shards = first.length;
  stats.tail = tailItems.length;

  phase('index');
  // tail shards: the changed datasets' postings, by groups of main shards
  const tailFiles: string[] = Array.from({ length: Math.ceil(first.length / group) }, () => '');
  if (tail && tail.entries.size) {
    const parts = tailFiles.map(emptyShard);
    for (const key of [...tail.entries.keys()].sort()) {
      const e = tail.entries.get(key)!;
      const f = parts[Math.floor(shardOf(first, key) / group)]!;
      f.k.push(key); f.p.push(e.p); f.f.push(e.f); f.v.push(e.v);
    }
    parts.forEach((f, j) => {
      if (!f.k.length) return;
      const text = JSON.stringify(f);
      tailFiles[j] = hash(text);
      put(`tt/${tailFiles[j]}.json`, text);
    });
  }

  phase('tail');
  // result rows: the files a change touched, the previous ones for the rest
  const chunks = Math.ceil(n / ROWS_PER);
  const prevSerials = prev ? decodeVarints(prev.meta.rows) : new Uint32Array(0);
  const serials: number[] = [];
  const rowTexts = new Map<number, string>();
  for (let c = 0; c < chunks; c++) {
    if (prev && c < prevSerials.length && !rowsTouched.has(c)) { serials.push(prevSerials[c]!); continue; }
    serials.push(serial);
    const rows: RowsFile = { rows: byNumber.slice(c * ROWS_PER, (c + 1) * ROWS_PER).map((s) => (s ? rowOf(s) : 0)) };
    rowTexts.set(c, JSON.stringify(rows));
  }
  phase('rows');
  // a full build's lineage: a hash of what it holds (two full builds of different catalogues never share a name)
  const line = prev ? prev.meta.line : hash([...shardTexts!, ...rowTexts.values()].join('\n'), 8);

  // facets: for each value, the datasets that have it
  const lists = Object.fromEntries(FACET_NAMES.map((f) => [f, new Map<string, number[]>()])) as Record<FacetName, Map<string, number[]>>;
  const addTo = (m: Map<string, number[]>, v: string, d: number) => {
    const l = m.get(v);
    if (!l) m.set(v, [d]);
    else if (l[l.length - 1] !== d) l.push(d); // a value twice in one dataset counts once
  };
  for (let d = 0; d < n; d++) {
    const s = byNumber[d];
    if (!s) continue;
    addTo(lists.org, s.organization, d);
    addTo(lists.license, s.licenseId, d);
    addTo(lists.status, s.freshness, d);
    for (const v of s.topics) addTo(lists.topic, v, d);
    for (const v of s.tags) addTo(lists.tag, v, d);
    for (const v of s.formats) addTo(lists.format, v, d);
  }
  const facets = {} as FacetsFile['facets'];
  for (const name of FACET_NAMES) {
    const m = lists[name];
    let values = [...m.keys()].sort((a, b) => m.get(b)!.length - m.get(a)!.length || viCollator().compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
    if (name === 'tag') values = values.slice(0, TAG_VALUES);
    facets[name] = { values, p: values.map((v) => encodeIds(m.get(v)!)) };
  }
  const facetsText = JSON.stringify({ facets } satisfies FacetsFile);
  const facetsHash = hash(facetsText);
  put(`facets.${facetsHash}.json`, facetsText);

  phase('facets');
  // sort keys: larger first (0 for a hole); after a publish, the previous keys with those of the datasets that moved
  const day = (iso: string | null, fallback: string) => Math.floor(Date.parse(`${localDate(new Date(iso ?? fallback))}T00:00:00Z`) / 864e5);
  const byTitle = (a: number, b: number) => viCollator().compare(byNumber[a]!.title, byNumber[b]!.title) || a - b;
  const prevSort = (name: SortName) => decodeVarints((JSON.parse(fs.readFileSync(path.join(prev!.dir, prevPaths!.sort(name)), 'utf8')) as SortFile).k);
  let titleRank: number[];
  if (prev) {
    // the previous order (keys are ranks from the end), without the datasets that moved, then those put back in their place
    const keys = prevSort('title');
    const prevLive = prev.meta.live;
    const ranked = new Array<number>(prevLive).fill(-1);
    for (let d = 0; d < keys.length; d++) if (wasLive[d]) ranked[prevLive - 1 - keys[d]!] = d;
    titleRank = ranked.filter((d) => d >= 0 && !resort.has(d) && byNumber[d]);
    for (const d of [...resort].sort((a, b) => a - b)) {
      if (!byNumber[d]) continue;
      let lo = 0;
      let hi = titleRank.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (byTitle(titleRank[mid]!, d) < 0) lo = mid + 1; else hi = mid; }
      titleRank.splice(lo, 0, d);
    }
  } else {
    titleRank = [];
    byNumber.forEach((s, d) => { if (s) titleRank.push(d); });
    titleRank.sort(byTitle);
  }
  const titleKey = new Array<number>(n).fill(0);
  titleRank.forEach((d, r) => { titleKey[d] = liveCount - 1 - r; });
  const dayKeys = (name: SortName, of: (s: Summary) => number): ArrayLike<number> => {
    if (!prev) return byNumber.map((s) => (s ? of(s) : 0));
    const keys = new Uint32Array(n);
    keys.set(prevSort(name).subarray(0, n));
    for (let d = 0; d < n; d++) if (!byNumber[d]) keys[d] = 0;
    for (const d of resort) keys[d] = byNumber[d] ? of(byNumber[d]!) : 0;
    return keys;
  };
  const sortKeys: Record<SortName, ArrayLike<number>> = {
    title: titleKey,
    updated: dayKeys('updated', (s) => day(s.lastUpdatedAt, s.modifiedAt)),
    newest: dayKeys('newest', (s) => day(s.publishedAt, s.modifiedAt)),
  };
  const sorts = {} as Record<SortName, string>;
  for (const s of SORTS) {
    const text = JSON.stringify({ k: encodeVarints(Array.from(sortKeys[s], (x) => Math.max(0, x))) } satisfies SortFile);
    sorts[s] = hash(text);
    put(`sort-${s}.${sorts[s]}.json`, text);
  }

  phase('sorts');
  // units: the catalogue's words that most units share are not distinctive
  const share = new Map<string, number>();
  for (const o of catalog.organizations) for (const w of new Set([...words(o.title), ...words(o.titleEn ?? '')].map(fold))) share.set(w, (share.get(w) ?? 0) + 1);
  const threshold = Math.max(2, Math.ceil(catalog.organizations.length / 3));
  const generic = new Set([...share].filter(([, c]) => c >= threshold).map(([w]) => w));
  const members = new Map<string, number[]>();
  byNumber.forEach((s, d) => { if (s) (members.get(s.organization) ?? members.set(s.organization, []).get(s.organization)!).push(d); });
  const units: SearchUnit[] = catalog.organizations.filter((o) => isValidName(o.slug) && members.has(o.slug))
    .sort((a, b) => viCollator().compare(a.title, b.title) || (a.slug < b.slug ? -1 : 1))
    .map((o) => {
      const ids = members.get(o.slug)!;
      const text = JSON.stringify({ p: encodeIds(ids) } satisfies UnitFile);
      const p = hash(text);
      put(`u/${p}.json`, text);
      return { slug: o.slug, title: o.title, count: ids.length, p, forms: unitForms(o.title, o.titleEn, generic) };
    });

  phase('units');
  const meta: SearchMeta = {
    // the publish's number moves only when a file is named by it: a publish that changes nothing writes the same meta
    format: SEARCH_FORMAT, line, serial: prev && !rebuild && !rowTexts.size ? prev.meta.serial : serial, n, live: liveCount, rowsPer: ROWS_PER, shards: first, tSerial: rebuild ? serial : prev!.meta.tSerial,
    rows: encodeVarints(serials), facets: facetsHash, sorts, units,
    tail: { dead: encodeIds([...changed].sort((a, b) => a - b)), group, files: tailFiles },
  };
  const paths = searchPaths(meta);
  if (shardTexts) shardTexts.forEach((t, i) => files.set(paths.shard(i), t));
  for (let c = 0; c < chunks; c++) {
    const text = rowTexts.get(c);
    if (text !== undefined) files.set(paths.rows(c), text);
    else links.set(paths.rows(c), path.join(prev!.dir, prevPaths!.rows(c)));
  }
  files.set(paths.meta, JSON.stringify(meta));
  phase('meta');
  stats.phases = phases.join(', ');
  return { files, links, meta, state: { format: SEARCH_FORMAT, ids, changed: [...changed].sort((a, b) => a - b) }, stats };
}

/** All files of the search data of a catalogue (a full build), by path inside `search/`; `state` goes beside them. */
export function buildSearchData(catalog: SnapshotCatalog, opts: { shardBytes?: number } = {}): { files: Map<string, string>; meta: SearchMeta; state: SearchState; stats: SearchDataStats } {
  const { files, meta, state, stats } = produce(catalog, assign(catalog)!, null, opts);
  return { files, meta, state, stats };
}

function writeFiles(dir: string, files: Map<string, string>, links: Map<string, string>, state: SearchState): number {
  const made = new Set<string>();
  let bytes = 0;
  const parent = (file: string) => {
    const p = path.dirname(file);
    if (!made.has(p)) { fs.mkdirSync(p, { recursive: true }); made.add(p); }
    return file;
  };
  for (const [rel, text] of files) {
    fs.writeFileSync(parent(path.join(dir, rel)), text);
    bytes += Buffer.byteLength(text);
  }
  for (const [rel, from] of links) linkOrCopy(from, parent(path.join(dir, rel)));
  fs.writeFileSync(parent(path.join(dir, STATE)), JSON.stringify(state));
  return bytes;
}

/** Writes the search data into `dir` (the snapshot's `search/` folder), which must not exist yet or be empty. */
export function writeSearchData(catalog: SnapshotCatalog, dir: string, opts: SearchBuildOptions = {}): { files: number; bytes: number; stats: SearchDataStats } {
  const { files, state, stats } = buildSearchData(catalog, opts);
  const bytes = writeFiles(dir, files, new Map(), state);
  return { files: files.size, bytes, stats };
}

export interface SearchUpdate {
  /** a full build was written (no previous data of this format, numbers that could not follow, or the main index written again) */
  full: boolean;
  /** files written (the state included), and files linked from the previous data */
  written: number;
  linked: number;
  bytes: number;
  ms: number;
  stats: SearchDataStats;
}

/**
 * The search data of `after` in `dir` (new, empty), from the previous snapshot's search folder
 * `prevDir`, written from `before`: only the files the change touches are written, the others are
 * hard links to the previous ones. Falls back to a full build when the previous data is not of this
 * format or has no state.
 */
export function updateSearchData(prevDir: string, before: SnapshotCatalog, after: SnapshotCatalog, dir: string, opts: SearchBuildOptions = {}): SearchUpdate {
  const t0 = performance.now();
  let prev: Previous | null = null;
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(prevDir, 'meta.json'), 'utf8')) as SearchMeta;
    const state = JSON.parse(fs.readFileSync(path.join(prevDir, STATE), 'utf8')) as SearchState;
    if (meta.format === SEARCH_FORMAT && state.format === SEARCH_FORMAT && state.ids.length === meta.n) prev = { dir: prevDir, meta, state, catalog: before };
  } catch {
    prev = null;
  }
  const t1 = performance.now();
  const ids = prev ? assign(after, prev.state.ids) : null;
  const t2 = performance.now();
  const r = produce(after, ids ?? assign(after)!, ids ? prev : null, opts);
  const t3 = performance.now();
  const bytes = writeFiles(dir, r.files, r.links, r.state);
  r.stats.phases = `read ${(t1 - t0).toFixed(0)}, numbers ${(t2 - t1).toFixed(0)}, ${r.stats.phases}, write and link ${(performance.now() - t3).toFixed(0)}`;
  return { full: !ids || r.links.size === 0, written: r.files.size + 1, linked: r.links.size, bytes, ms: performance.now() - t0, stats: r.stats };
}

/** Hard-links a file (the same immutable bytes); copies across filesystems or past the link limit. */
function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (err) {
    if (!['EXDEV', 'EMLINK', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    fs.copyFileSync(from, to);
  }
}

/** The search data of a snapshot folder, read from disk as queries need its files (the server's side of the browser's fetches). */
export class SearchData {
  readonly index: SearchIndex;
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
    this.index = new SearchIndex(JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as SearchMeta);
  }

  search(text: string): SearchResult {
    const q = parseQuery(text);
    for (const rel of this.index.missing(q)) this.index.add(rel, JSON.parse(fs.readFileSync(path.join(this.dir, rel), 'utf8')));
    return this.index.search(q);
  }

  rows(i: number): (SearchRow | 0)[] {
    return (JSON.parse(fs.readFileSync(path.join(this.dir, this.index.paths.rows(i)), 'utf8')) as RowsFile).rows;
  }
}

/** The shard of the main index that holds a key (its first keys ascending). */
function shardOf(first: string[], key: string): number {
  let lo = 0;
  let hi = first.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (first[mid]! <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Puts the snapshot's search data at `/search/` in a site folder: hard links to the snapshot's files
 * (the site build then writes their .br/.gz beside them). The state (a dotfile) stays behind.
 */
export function linkSearchData(snapshot: string, client: string, link: (from: string, to: string) => void): number {
  const from = path.join(snapshot, 'search');
  if (!fs.existsSync(from)) return 0;
  let files = 0;
  const walk = (src: string, dest: string) => {
    fs.mkdirSync(dest, { recursive: true });
    for (const e of fs.readdirSync(src, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(path.join(src, e.name), path.join(dest, e.name));
      else if (e.isFile()) { link(path.join(src, e.name), path.join(dest, e.name)); files++; }
    }
  };
  walk(from, path.join(client, 'search'));
  return files;
}
