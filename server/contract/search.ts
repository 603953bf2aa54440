import { foldVietnamese } from './text.ts';

/**
 * Vietnamese search over the catalogue: one module for the index builder (publish), the browser's
 * search and the CKAN API's package_search `q`, so all three match and rank alike.
 *
 * The index is a hand-written inverted index: lunr's, which this replaces, was 0.51 MB gzipped at
 * 10,000 datasets and 5.6 MB at 100,000, loaded whole; these shards are 0.19 and 0.53 MB brotli in
 * all and a query reads two to four of them (bench:site). lunr could be neither split nor told about
 * syllable pairs. The keys here live in one sorted space:
 *   `dat`      a folded syllable                          (đất, đặt, đạt → dat; đ = d)
 *   `dat dai`  two syllables side by side, in that order   (Vietnamese words are mostly syllable pairs)
 *   `da*`      every longer syllable starting with `da`    (the last word typed is still a prefix)
 * Each key holds postings: dataset numbers (delta-coded) with flags for the fields it is in (title,
 * keywords, description) and which accented form the dataset has (`v`: ["đất", "đặt", …]), so exact
 * accents rank first without a second index. Postings are written as base-64 varint strings in JSON.
 * The keys, in order, are cut into shards of ~64 KB of JSON, 1–10 KB brotli (`meta.json` lists each
 * shard's first key); the browser fetches only the shards holding the keys of the words typed.
 * Datasets are numbered by first publication (withdrawn ones too: their numbers are holes, never a
 * result), so a publish adds numbers at the end and never moves one. The datasets whose text changed
 * since the shards were written are indexed again in a few tail shards, each covering a fixed group of
 * shards, and the shards' postings of their numbers are ignored (`meta.tail.dead`): a publish rewrites
 * a handful of files, not the index (server/publish/search-index.ts). A unit's datasets are listed in
 * `u/<hash>.json`, read when the query names the unit. Result rows (`rows/…`, ROWS_PER numbers each)
 * are fetched only for the results shown; facet postings (`facets.….json`, units included) and sort
 * keys (`sort-….json`) only when counts, filters or another order need them. Every file but meta.json
 * is named by its content or by the publish that wrote it.
 *
 * Ranking, most important first: the datasets of a unit the query names; typed accents found exactly
 * (when the query has accents); typed words side by side as typed (pairs); the last word whole rather
 * than as a prefix; then the fields each word is in (title 4, keywords 2, description 1, added up and
 * weighted by rarity); equal scores, the lower number (the older dataset) first. Every word must
 * match (AND), so nonsense lists nothing.
 */

export const SEARCH_FORMAT = 3;
/**
 * Datasets per result-row file. Ties rank by dataset number, so a page of results often sits in a
 * few files: when datasets were numbered unit by unit, on the realistic test catalogue the first 20
 * results of ten queries took 1–8 files at 32 a file, 1–12 at 16, 1–5 at 64; on the synthetic bench
 * catalogue, whose best results are scattered, 3–19 at any of these sizes. Numbers now follow first
 * publication (a new dataset changes one file). A file of 32 rows is
 * 0.5–1.5 KB on the wire.
 */
export const ROWS_PER = 32;
/** Words of a query that count (the rest is ignored). */
export const MAX_WORDS = 12;
/** Prefix keys are written up to this many letters; a longer prefix typed uses the longest. */
export const MAX_PREFIX = 12;

export const FIELD = { title: 1, tags: 2, notes: 4 } as const;
// title before keywords before description: 4 > 2 + 1
const WEIGHT_TITLE = 4;
const WEIGHT_TAGS = 2;
const WEIGHT_NOTES = 1;
const WEIGHT_UNIT = 3;
const PREFIX_FACTOR = 0.5;
/** A posting's weight: the sum of its fields' (a word in the title and the keywords is more central than in the title alone). */
const FIELD_WEIGHT = Array.from({ length: 8 }, (_, m) => (m & 1 ? WEIGHT_TITLE : 0) + (m & 2 ? WEIGHT_TAGS : 0) + (m & 4 ? WEIGHT_NOTES : 0));

// —— words ——

/** Lower-case words of a text, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).map(canonicalTone);
}

/**
 * Runs of words that stand side by side: separated only by spaces, a hyphen, `&` or `+`. Pairs are
 * taken inside a run, never across a comma, a colon, a dash or a bracket.
 */
export function phrases(text: string): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (const m of text.normalize('NFC').toLowerCase().matchAll(/([\p{L}\p{N}]+)|([^\p{L}\p{N}]+)/gu)) {
    if (m[1]) cur.push(canonicalTone(m[1]));
    else if (!/^[\s\-&+]*$/u.test(m[2]!)) {
      if (cur.length) out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

export const fold = (word: string) => foldVietnamese(word);

/**
 * The tone mark where the new spelling puts it: "hoà" → "hòa", "thuỷ" → "thủy", "khoẻ" → "khỏe".
 * Both spellings are common; folding already makes them equal, this makes them the same exact form.
 */
export function canonicalTone(word: string): string {
  const t = /^(.*?)([ou])([aey])([\u0300\u0301\u0303\u0309\u0323])$/u.exec(word.normalize('NFD'));
  // after q, u belongs to the consonant: "quả", "quý" keep their tone where it is
  if (!t || t[1]!.endsWith('q')) return word;
  return `${t[1]}${t[2]}${t[4]}${t[3]}`.normalize('NFC');
}

// —— postings: base-64 varints in a JSON string ——

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) CODE[ALPHABET.charCodeAt(i)] = i;
const CHAR = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const LATIN1 = new TextDecoder('latin1');

/** Non-negative integers as base-64 varints: 5 bits a character, low bits first, 32 = more follows. */
export function encodeVarints(values: ArrayLike<number>): string {
  let buf = new Uint8Array(Math.max(16, values.length * 2));
  let o = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]!;
    if (o + 8 > buf.length) { const more = new Uint8Array(buf.length * 2); more.set(buf); buf = more; }
    for (;;) {
      const low = v % 32;
      v = Math.floor(v / 32);
      buf[o++] = CHAR[v > 0 ? low | 32 : low]!;
      if (v === 0) break;
    }
  }
  return LATIN1.decode(buf.subarray(0, o));
}

export function decodeVarints(s: string): Uint32Array {
  const out = new Uint32Array(s.length);
  let n = 0;
  let v = 0;
  let shift = 1;
  for (let i = 0; i < s.length; i++) {
    const c = CODE[s.charCodeAt(i)]!;
    if (c < 0) throw new Error('search data: bad posting character');
    v += (c & 31) * shift;
    if (c & 32) shift *= 32;
    else {
      out[n++] = v;
      v = 0;
      shift = 1;
    }
  }
  return out.subarray(0, n);
}

/** Sorted dataset numbers as deltas (the first from -1), so dense lists are runs of one letter. */
export function encodeIds(ids: ArrayLike<number>): string {
  const d = new Array<number>(ids.length);
  let prev = -1;
  for (let i = 0; i < ids.length; i++) { d[i] = ids[i]! - prev; prev = ids[i]!; }
  return encodeVarints(d);
}

export function decodeIds(s: string): Uint32Array {
  const d = decodeVarints(s);
  let prev = -1;
  for (let i = 0; i < d.length; i++) { prev += d[i]!; d[i] = prev; }
  return d;
}

// —— files ——

/**
 * `search/meta.json`: what the browser fetches first, and the names of every other file. Files are
 * named by their content (a hash) or, for the many result-row files, by the lineage of the data and
 * the publish that last wrote them: a file a publish leaves alone keeps its name and bytes, so a
 * publish of one dataset writes a handful of files. A name asked for after another publish removed it
 * answers 404: the browser then reads meta.json again.
 */
export interface SearchMeta {
  format: typeof SEARCH_FORMAT;
  /** the data's lineage (a hash of its first full build) and how many publishes it has had since */
  line: string;
  serial: number;
  /** dataset numbers in use (numbers are never reused: withdrawn or removed datasets leave holes) */
  n: number;
  /** datasets that can be results (the rarity of a word is counted against these) */
  live: number;
  rowsPer: number;
  /** the first key of each shard of the main index, ascending */
  shards: string[];
  /** the publish that wrote the main index's shards (`t/<i>.<line>.<tSerial>.json`) */
  tSerial: number;
  /** the publish that last wrote each rows file (varints) */
  rows: string;
  /** hashes of facets.json and the sort files */
  facets: string;
  sorts: Record<SortName, string>;
  units: SearchUnit[];
  /**
   * What changed since the main index was written: the postings of those datasets live in a few tail
   * shards (`tail.files[j]` covers main shards [j × group, (j + 1) × group); '' when empty), and the
   * main index's postings of `dead` datasets are ignored.
   */
  tail: { dead: string; group: number; files: string[] };
}

/** A unit (organisation): `count` datasets, whose numbers are in `u/<p>.json`. */
export interface SearchUnit {
  slug: string; title: string; count: number; p: string;
  /** ways of writing its name, folded (title, UBND ↔ Ủy ban nhân dân, initials, English); `core` is the distinctive span [start, end) */
  forms: { w: string[]; core: [number, number] }[];
}

/** One key's postings: `p` dataset numbers (delta varints), `f` flags (fields | form index × 8), `v` the accented forms. */
export interface KeyPostings { p: string; f: string; v?: string[] }
/** `search/t/….json` and `search/tt/<hash>.json`: keys in order and their postings, as parallel arrays. */
export interface ShardFile { k: string[]; p: string[]; f: string[]; v: (string[] | 0)[] }

/** A result row: slug, title, formats (comma-separated), updated (yyyy-mm-dd), freshness status, excerpt, unit. */
export type SearchRow = [slug: string, title: string, formats: string, updated: string, status: string, excerpt: string, unit: string];
/** `search/rows/<i>.….json`: rows of dataset numbers [i × rowsPer, (i + 1) × rowsPer); 0 for a number that is not a result. */
export interface RowsFile { rows: (SearchRow | 0)[] }

export const FACET_NAMES = ['org', 'topic', 'tag', 'format', 'license', 'status'] as const;
export type FacetName = (typeof FACET_NAMES)[number];
/** `search/facets.<hash>.json`: for each facet value, the dataset numbers that have it. */
export interface FacetsFile { facets: Record<FacetName, { values: string[]; p: string[] }> }

export const SORTS = ['title', 'updated', 'newest'] as const;
export type SortName = (typeof SORTS)[number];
/** `search/sort-<name>.<hash>.json`: one key per dataset number (varints); a larger key sorts first. */
export interface SortFile { k: string }
/** `search/u/<hash>.json`: a unit's dataset numbers. */
export interface UnitFile { p: string }

/** The path of each file of the search data the meta names. */
export function searchPaths(meta: SearchMeta) {
  const rowSerials = decodeVarints(meta.rows);
  return {
    meta: 'meta.json',
    shard: (i: number) => `t/${i}.${meta.line}.${meta.tSerial}.json`,
    tail: (j: number) => (meta.tail.files[j] ? `tt/${meta.tail.files[j]}.json` : null),
    rows: (i: number) => `rows/${i}.${meta.line}.${rowSerials[i]}.json`,
    rowFiles: rowSerials.length,
    facets: `facets.${meta.facets}.json`,
    sort: (s: SortName) => `sort-${s}.${meta.sorts[s]}.json`,
    unit: (u: number) => `u/${meta.units[u]!.p}.json`,
    /** every file but meta.json */
    all(): string[] {
      const out: string[] = [];
      meta.shards.forEach((_, i) => out.push(this.shard(i)));
      meta.tail.files.forEach((_, j) => { const t = this.tail(j); if (t) out.push(t); });
      for (let i = 0; i < rowSerials.length; i++) out.push(this.rows(i));
      out.push(this.facets);
      for (const s of SORTS) out.push(this.sort(s));
      meta.units.forEach((_, u) => out.push(this.unit(u)));
      return [...new Set(out)];
    },
  };
}
export type SearchPaths = ReturnType<typeof searchPaths>;

// —— queries ——

export interface Query {
  /** the words as typed (lower case, canonical tone), at most MAX_WORDS */
  typed: string[];
  folded: string[];
}

export function parseQuery(text: string): Query {
  const typed = words(text).slice(0, MAX_WORDS);
  return { typed, folded: typed.map(fold) };
}

export const pairKey = (a: string, b: string) => `${a} ${b}`;
export const prefixKey = (p: string) => `${p.slice(0, MAX_PREFIX)}*`;
const END = '\uffff';

interface Decoded { ids: Uint32Array; flags: Uint32Array; v: string[] }
/** Postings kept decoded (8 bytes each): 4 million is 32 MB. */
const DECODED_MAX = 4_000_000;

/** A unit the query names, the query words its name covers, and the tier its datasets rank in. */
export interface NamedUnit { unit: number; slug: string; title: string; count: number; covered: number[] }

export interface SearchResult {
  /** dataset numbers, best first */
  ids: Uint32Array;
  /** their scores (larger is better), for merging with other sorts */
  scores: Float64Array;
  units: NamedUnit[];
}

/**
 * The part of the index a process has loaded: the meta and the files fetched so far. The browser
 * asks `missing(query)` for the paths the query reads, fetches them and `add`s them; the server reads
 * them from disk.
 */
export class SearchIndex {
  private readonly shards = new Map<number, ShardFile>();
  private readonly tails = new Map<number, ShardFile>();
  private readonly unitIds = new Map<number, Uint32Array>();
  /** path → what it is */
  private readonly byPath = new Map<string, ['t' | 'tt' | 'u', number]>();
  /** numbers whose postings in the main index are void (see SearchMeta.tail) */
  private readonly dead: Uint8Array | null;
  /** decoded postings, dropped all at once past DECODED_MAX (a server answers every query there is) */
  private readonly decoded = new Map<string, Decoded | null>();
  private decodedPostings = 0;

  readonly meta: SearchMeta;
  readonly paths: SearchPaths;
  constructor(meta: SearchMeta) {
    if (meta.format !== SEARCH_FORMAT) throw new StaleSearchData();
    this.meta = meta;
    this.paths = searchPaths(meta);
    meta.shards.forEach((_, i) => this.byPath.set(this.paths.shard(i), ['t', i]));
    meta.tail.files.forEach((_, j) => { const p = this.paths.tail(j); if (p) this.byPath.set(p, ['tt', j]); });
    meta.units.forEach((_, u) => this.byPath.set(this.paths.unit(u), ['u', u]));
    const dead = decodeIds(meta.tail.dead);
    this.dead = dead.length ? new Uint8Array(meta.n) : null;
    for (const d of dead) this.dead![d] = 1;
  }

  shardOf(key: string): number {
    const s = this.meta.shards;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private shardsIn(lo: string, hi: string): number[] {
    const out: number[] = [];
    for (let i = this.shardOf(lo); i < this.meta.shards.length && (i === this.shardOf(lo) || this.meta.shards[i]! < hi); i++) out.push(i);
    return out;
  }

  /** Every shard of the main index the query reads. */
  shardsFor(q: Query): number[] {
    const need = new Set<number>();
    const k = q.folded.length;
    q.folded.forEach((f, i) => {
      need.add(this.shardOf(f));
      if (i === k - 1) need.add(this.shardOf(prefixKey(f)));
      if (i < k - 1) {
        const pair = pairKey(f, q.folded[i + 1]!);
        if (i + 1 < k - 1) need.add(this.shardOf(pair));
        else for (const s of this.shardsIn(pair, pair + END)) need.add(s);
      }
    });
    return [...need].sort((a, b) => a - b);
  }

  /** Every file the query reads: its shards, their tail shards, the postings of the units it names. */
  filesFor(q: Query): string[] {
    const out: string[] = [];
    const tails = new Set<number>();
    for (const i of this.shardsFor(q)) {
      out.push(this.paths.shard(i));
      tails.add(Math.floor(i / this.meta.tail.group));
    }
    for (const j of tails) { const p = this.paths.tail(j); if (p) out.push(p); }
    for (const u of this.units(q)) out.push(this.paths.unit(u.unit));
    return out;
  }

  missing(q: Query): string[] {
    return this.filesFor(q).filter((p) => {
      const [kind, i] = this.byPath.get(p)!;
      return !(kind === 't' ? this.shards : kind === 'tt' ? this.tails : this.unitIds).has(i);
    });
  }

  /** A file `missing` named, parsed. */
  add(rel: string, body: unknown): void {
    const what = this.byPath.get(rel);
    if (!what) throw new StaleSearchData();
    const [kind, i] = what;
    if (kind === 'u') this.unitIds.set(i, decodeIds((body as UnitFile).p));
    else (kind === 't' ? this.shards : this.tails).set(i, body as ShardFile);
  }

  private entry(file: ShardFile | undefined, key: string): Decoded | null {
    if (!file) return null;
    const at = bisect(file.k, key);
    if (file.k[at] !== key) return null;
    return { ids: decodeIds(file.p[at]!), flags: decodeVarints(file.f[at]!), v: file.v[at] || [key] };
  }

  /** A key's postings: the main index's but those of dead datasets, and the tail's. */
  private find(key: string): Decoded | null {
    const hit = this.decoded.get(key);
    if (hit !== undefined) return hit;
    const i = this.shardOf(key);
    const d = merge(this.entry(this.shards.get(i), key), this.entry(this.tails.get(Math.floor(i / this.meta.tail.group)), key), this.dead);
    if ((this.decodedPostings += d?.ids.length ?? 0) > DECODED_MAX) { this.decoded.clear(); this.decodedPostings = d?.ids.length ?? 0; }
    this.decoded.set(key, d);
    return d;
  }

  /** Keys in [lo, hi) with their postings (from the loaded shards). */
  private range(lo: string, hi: string): [string, Decoded][] {
    const keys = new Set<string>();
    const tails = new Set<number>();
    for (const i of this.shardsIn(lo, hi)) {
      tails.add(Math.floor(i / this.meta.tail.group));
      const file = this.shards.get(i);
      if (file) for (let at = bisect(file.k, lo); at < file.k.length && file.k[at]! < hi; at++) keys.add(file.k[at]!);
    }
    for (const j of tails) {
      const file = this.tails.get(j);
      if (file) for (let at = bisect(file.k, lo); at < file.k.length && file.k[at]! < hi; at++) keys.add(file.k[at]!);
    }
    const out: [string, Decoded][] = [];
    for (const key of [...keys].sort()) { const d = this.find(key); if (d) out.push([key, d]); }
    return out;
  }

  /** Units the query names (see nameUnits), best first. */
  units(q: Query): NamedUnit[] {
    return nameUnits(this.meta.units, q.folded);
  }

  /**
   * The datasets matching every word of the query, best first. Words must be whole syllables but
   * the last, which may be a prefix; a unit the query names stands in for the words of its name.
   */
  search(q: Query): SearchResult {
    const n = this.meta.n;
    const live = this.meta.live;
    const k = q.folded.length;
    const named = this.units(q);
    if (k === 0) return { ids: new Uint32Array(0), scores: new Float64Array(0), units: named };
    const last = k - 1;
    const hits = new Uint8Array(n); // words matched so far, in order: a dataset stays a candidate while hits = word index
    const fieldScore = new Float32Array(n);
    const exact = new Uint8Array(n);
    const lastWhole = new Uint8Array(n);
    const tier = new Uint8Array(n);
    const word = new Float32Array(n); // the current word's best score in each dataset
    const mark = new Uint8Array(n); // 1 exact accent, 2 whole (not only a prefix)
    const members = (u: NamedUnit) => this.unitIds.get(u.unit) ?? new Uint32Array(0);
    for (const u of named) for (const d of members(u)) tier[d] = Math.min(15, u.covered.length);
    let touched = new Uint32Array(0);
    for (let i = 0; i < k; i++) {
      const whole = this.find(q.folded[i]!);
      const prefix = i === last ? this.find(prefixKey(q.folded[i]!)) : null;
      const df = Math.max(whole?.ids.length ?? 0, prefix?.ids.length ?? 0, 1);
      const idf = Math.log(1 + live / df);
      const accented = q.typed[i] !== q.folded[i];
      const list: number[] = [];
      const touch = (d: number, w: number, m: number) => {
        if (hits[d] !== i) return;
        if (word[d] === 0) list.push(d);
        if (w > word[d]!) word[d] = w;
        mark[d]! |= m;
      };
      if (whole) {
        const form = accented ? whole.v.indexOf(q.typed[i]!) : -1;
        for (let j = 0; j < whole.ids.length; j++) {
          const fl = whole.flags[j]!;
          touch(whole.ids[j]!, idf * FIELD_WEIGHT[fl & 7]!, (form >= 0 && fl >> 3 === form ? 1 : 0) | 2);
        }
      }
      if (prefix) for (let j = 0; j < prefix.ids.length; j++) touch(prefix.ids[j]!, idf * FIELD_WEIGHT[prefix.flags[j]! & 7]! * PREFIX_FACTOR, 0);
      for (const u of named) {
        if (!u.covered.includes(i)) continue;
        for (const d of members(u)) touch(d, idf * WEIGHT_UNIT, 2);
      }
      for (const d of list) {
        hits[d] = i + 1;
        fieldScore[d]! += word[d]!;
        if (mark[d]! & 1) exact[d]!++;
        if (i === last && mark[d]! & 2) lastWhole[d] = 1;
        word[d] = 0;
        mark[d] = 0;
      }
      if (i === last) touched = Uint32Array.from(list);
      if (!list.length) break;
    }
    // pairs: the typed words side by side, in the typed order (the last pair may end in a prefix)
    const pairs = new Uint8Array(n);
    for (let i = 0; i < last && touched.length; i++) {
      const a = q.folded[i]!;
      const key = pairKey(a, q.folded[i + 1]!);
      const typedPair = pairKey(q.typed[i]!, q.typed[i + 1]!);
      const accented = typedPair !== key;
      const idf = Math.log(1 + live / Math.max(1, this.find(a)?.ids.length ?? 1)) + Math.log(1 + live / Math.max(1, this.find(q.folded[i + 1]!)?.ids.length ?? 1));
      const one = i + 1 < last ? this.find(key) : null;
      const entries: [string, Decoded][] = i + 1 < last ? (one ? [[key, one]] : []) : this.range(key, key + END);
      const list: number[] = [];
      for (const [entryKey, e] of entries) {
        const form = accented && entryKey === key ? e.v.indexOf(typedPair) : -1;
        const factor = entryKey === key ? 1 : PREFIX_FACTOR;
        for (let j = 0; j < e.ids.length; j++) {
          const d = e.ids[j]!;
          if (hits[d] !== k) continue;
          const fl = e.flags[j]!;
          const w = idf * FIELD_WEIGHT[fl & 7]! * factor;
          if (word[d] === 0) list.push(d);
          if (w > word[d]!) word[d] = w;
          if (form >= 0 && fl >> 3 === form) mark[d] = 1;
        }
      }
      for (const d of list) {
        pairs[d]!++;
        fieldScore[d]! += word[d]!;
        if (mark[d]) exact[d]!++;
        word[d] = 0;
        mark[d] = 0;
      }
    }
    // one number per dataset: the tiers above, then the field score; ties go to the lower number
    const keys = new Float64Array(touched.length);
    const ID = 2 ** 20;
    for (let j = 0; j < touched.length; j++) {
      const d = touched[j]!;
      keys[j] = rankScore(tier[d]!, exact[d]!, pairs[d]!, lastWhole[d]!, fieldScore[d]!) * ID + (ID - 1 - d);
    }
    keys.sort().reverse();
    const ids = new Uint32Array(keys.length);
    const scores = new Float64Array(keys.length);
    for (let j = 0; j < keys.length; j++) {
      const s = Math.floor(keys[j]! / ID);
      ids[j] = ID - 1 - (keys[j]! - s * ID);
      scores[j] = s;
    }
    return { ids, scores, units: named };
  }
}

/** The main index's postings of a key without those of dead datasets, with the tail's (other datasets) merged in, by number. */
function merge(base: Decoded | null, tail: Decoded | null, dead: Uint8Array | null): Decoded | null {
  if (!tail) {
    if (!base || !dead) return base;
    let keep = 0;
    for (let j = 0; j < base.ids.length; j++) if (!dead[base.ids[j]!]) keep++;
    if (keep === base.ids.length) return base;
    if (!keep) return null;
    const ids = new Uint32Array(keep);
    const flags = new Uint32Array(keep);
    for (let j = 0, o = 0; j < base.ids.length; j++) if (!dead[base.ids[j]!]) { ids[o] = base.ids[j]!; flags[o++] = base.flags[j]!; }
    return { ids, flags, v: base.v };
  }
  if (!base) return tail;
  const v = [...base.v];
  const remap = tail.v.map((form) => { let at = v.indexOf(form); if (at < 0) { at = v.length; v.push(form); } return at; });
  const ids = new Uint32Array(base.ids.length + tail.ids.length);
  const flags = new Uint32Array(ids.length);
  let o = 0;
  let t = 0;
  const takeTail = () => { ids[o] = tail.ids[t]!; flags[o++] = (tail.flags[t]! & 7) | (remap[tail.flags[t]! >> 3]! << 3); t++; };
  for (let j = 0; j < base.ids.length; j++) {
    const d = base.ids[j]!;
    if (dead && dead[d]) continue;
    while (t < tail.ids.length && tail.ids[t]! < d) takeTail();
    ids[o] = d;
    flags[o++] = base.flags[j]!;
  }
  while (t < tail.ids.length) takeTail();
  return o ? { ids: ids.subarray(0, o), flags: flags.subarray(0, o), v } : null;
}

/** Integer score from the ranking tiers (see the top of this module). */
function rankScore(tier: number, exact: number, pairs: number, lastWhole: number, fields: number): number {
  return ((((Math.min(tier, 15) * 32 + Math.min(exact, 31)) * 16 + Math.min(pairs, 15)) * 2 + lastWhole) * 16384) + Math.min(16383, Math.round(fields * 16));
}

/** Thrown when a file the meta names is gone, or the meta is of another format (a publish happened meanwhile). */
export class StaleSearchData extends Error {
  constructor() { super('search data changed: reload meta.json'); }
}

/** The first index of a sorted list whose key is not below `key` (where it would be inserted). */
export function bisect(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// —— units ——

/**
 * Units whose name the query says. A unit is named by a run of query words that stand, in that
 * order, in one of its forms — with the last word as a prefix — and either hold two words with at
 * least one of the distinctive part ("so y", "y te", "cong an", "ubnd xa ia l"), or all of it
 * ("kbang"). Generic words alone ("so", "tinh gia lai", "ubnd xa") name nothing. Other query words
 * that stand anywhere in the same form ("ubnd ia ly": ubnd) are covered too.
 */
export function nameUnits(units: SearchUnit[], folded: string[]): NamedUnit[] {
  const k = folded.length;
  const out: (NamedUnit & { core: number })[] = [];
  if (!k) return out;
  units.forEach((u, index) => {
    let best: { covered: number[]; core: number } | null = null;
    for (const form of u.forms) {
      const w = form.w;
      const [c0, c1] = form.core;
      const distinct = distinctive(w, c0, c1);
      const coreLen = distinct.filter(Boolean).length;
      for (let s = 0; s < k; s++) {
        for (let p = 0; p < w.length; p++) {
          let len = 0;
          while (s + len < k && p + len < w.length && (folded[s + len] === w[p + len]
            // the last word as a prefix: of one letter only after a whole word of the run ("dak d" → Đak Đoa)
            || (s + len === k - 1 && (len > 0 || folded[s + len]!.length >= 2) && w[p + len]!.startsWith(folded[s + len]!)))) len++;
          if (!len) continue;
          let core = 0;
          for (let j = p; j < p + len; j++) if (distinct[j]) core++;
          // one word alone names a unit only when it is the whole distinctive part, typed in full ("kbang", not "kb")
          const whole = folded[s + len - 1] === w[p + len - 1];
          if (!(coreLen > 0 && ((len >= 2 && core >= 1) || (core === coreLen && (len >= 2 || whole))))) continue;
          const covered = new Set<number>();
          for (let j = s; j < s + len; j++) covered.add(j);
          folded.forEach((f, j) => { if (w.includes(f)) covered.add(j); });
          const c = { covered: [...covered].sort((a, b) => a - b), core: core / coreLen };
          if (!best || c.covered.length > best.covered.length || (c.covered.length === best.covered.length && c.core > best.core)) best = c;
        }
      }
    }
    if (best) out.push({ unit: index, slug: u.slug, title: u.title, count: u.count, covered: best.covered, core: best.core });
  });
  out.sort((a, b) => b.covered.length - a.covered.length || b.core - a.core || b.count - a.count);
  return out.map(({ core: _, ...u }) => u);
}

const GENERIC_HEADS = [['so'], ['ubnd'], ['uy', 'ban', 'nhan', 'dan'], ['xa'], ['phuong'], ['thi', 'tran'], ['dac', 'khu']];

/** Which words of a form's distinctive span say something of their own: not "Ủy ban nhân dân" inside "Văn phòng Ủy ban nhân dân". */
function distinctive(w: string[], c0: number, c1: number): boolean[] {
  const out = w.map((_, j) => j >= c0 && j < c1);
  for (const head of GENERIC_HEADS) {
    if (head.length < 2 && head[0] !== 'ubnd') continue; // "xã", "sở" inside a name are its own words ("Bảo hiểm xã hội")
    for (let j = c0; j + head.length <= c1; j++) if (head.every((h, k) => w[j + k] === h)) for (let k = 0; k < head.length; k++) out[j + k] = false;
  }
  return out;
}

/**
 * The forms of a unit's name people type: the title as written; "UBND" for "Ủy ban nhân dân" and the
 * other way round; the initials of its parts ("Sở Giáo dục và Đào tạo" → "so gd dt", "so gddt"); the
 * English title. `generic` holds words most units share ("tỉnh", "gia", "lai", "department"), which
 * are not distinctive.
 */
export function unitForms(title: string, titleEn: string | null, generic: Set<string>): SearchUnit['forms'] {
  const forms: SearchUnit['forms'] = [];
  const add = (w: string[]) => {
    if (!w.length || forms.some((f) => f.w.join(' ') === w.join(' '))) return;
    let c0 = 0;
    let c1 = w.length;
    for (let again = true; again;) {
      again = false;
      for (const head of GENERIC_HEADS) {
        if (c1 - c0 > head.length && head.every((h, j) => w[c0 + j] === h)) { c0 += head.length; again = true; }
      }
      if (c1 - c0 > 1 && generic.has(w[c0]!)) { c0++; again = true; }
    }
    while (c1 - c0 > 1 && generic.has(w[c1 - 1]!)) c1--;
    // "… tỉnh Gia Lai": the province after "tỉnh" is not distinctive
    const t = w.indexOf('tinh', c0 + 1);
    if (t > c0 && t < c1) c1 = t;
    forms.push({ w, core: [c0, c1] });
  };
  const base = words(title).map(fold);
  add(base);
  const joined = ` ${base.join(' ')} `;
  if (joined.includes(' uy ban nhan dan ')) add(joined.replace(' uy ban nhan dan ', ' ubnd ').trim().split(' '));
  else if (joined.includes(' ubnd ')) add(joined.replace(' ubnd ', ' uy ban nhan dan ').trim().split(' '));
  // initials of the distinctive part's pieces: "Giáo dục và Đào tạo" → gd dt, "Văn hóa, Thể thao và Du lịch" → vh tt dl
  const main = forms[0]!;
  const starts = new Set<number>();
  let at = 0;
  for (const p of phrases(title)) { starts.add(at); at += p.length; }
  const pieces: string[][] = [];
  let cur: string[] = [];
  for (let j = main.core[0]; j < main.core[1]; j++) {
    if (base[j] === 'va' || (starts.has(j) && cur.length)) {
      if (cur.length) pieces.push(cur);
      cur = [];
      if (base[j] === 'va') continue;
    }
    cur.push(base[j]!);
  }
  if (cur.length) pieces.push(cur);
  if (pieces.length >= 2 && pieces.every((p) => p.length >= 2 && p.length <= 3)) {
    const initials = pieces.map((p) => p.map((x) => x[0]).join(''));
    const head = main.w.slice(0, main.core[0]);
    add([...head, ...initials]);
    add([...head, initials.join('')]);
  }
  if (titleEn) add(words(titleEn).map(fold));
  return forms;
}
