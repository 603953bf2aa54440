import fs from 'node:fs';
import path from 'node:path';
import type { SnapshotCatalog, SnapshotDatasetSummary } from '../contract/snapshot.ts';
import { SearchData, searchOrder } from './search-index.ts';
import type { LoadedSnapshot } from './reader.ts';
import { viCollator } from '../contract/text.ts';

/**
 * CKAN's package_search over the publication snapshot: Solr's filter syntax (the subset CKAN clients
 * and harvesters send), the site's Vietnamese text matching for `q`, CKAN's sorts and facets. Built per
 * snapshot and cached, so deep pages cost what the first page costs.
 */
export class SearchQueryProblem extends Error {}

type Summary = SnapshotDatasetSummary;
type Clause = { negate: boolean; test: (d: Summary) => boolean };

const FACETS: Record<string, (d: Summary) => string[]> = {
  organization: (d) => [d.organization],
  groups: (d) => d.topics,
  tags: (d) => d.tags,
  res_format: (d) => d.formats,
  license_id: (d) => [d.licenseId],
  // the portal's own
  frequency: (d) => [d.updateFrequency],
  freshness: (d) => [d.freshness],
};

interface Prepared {
  list: Summary[];
  /** the site's search data (server/contract/search.ts), and the catalogue position of each of its dataset numbers */
  search: { data: SearchData; position: number[] } | null;
  sorted: Map<string, Summary[]>;
  labels: Record<string, Map<string, string>>;
  orgIdBySlug: Map<string, string>;
}

const cache = new WeakMap<LoadedSnapshot, Prepared>();

function prepare(snap: LoadedSnapshot): Prepared {
  let p = cache.get(snap);
  if (p) return p;
  const c = snap.catalog;
  p = {
    list: c.datasets, search: openSearch(snap), sorted: new Map(),
    labels: {
      organization: new Map(c.organizations.map((o) => [o.slug, o.title])),
      groups: new Map(c.topics.map((t) => [t.id, t.title])),
      license_id: new Map(c.licences.map((l) => [l.id, l.title])),
    },
    orgIdBySlug: new Map(c.organizations.map((o) => [o.slug, o.id])),
  };
  cache.set(snap, p);
  return p;
}

/**
 * The search data the snapshot carries: `q` is matched and ranked by the very code and files the
 * site's search uses. Dataset numbers are read from the state beside the files (searchOrder); the rows' slugs confirm it.
 */
function openSearch(snap: LoadedSnapshot): Prepared['search'] {
  const dir = path.join(snap.dir, 'search');
  if (!fs.existsSync(path.join(dir, 'meta.json'))) return null;
  let data: SearchData;
  try { data = new SearchData(dir); } catch { return null; } // another format of search data: until the next publish

  const c = snap.catalog;
  let position = searchOrder(c, dir).order;
  const { n, rowsPer } = data.index.meta;
  const rowsAgree = (chunk: number) => data.rows(chunk).every((row, i) => (row === 0 ? position[chunk * rowsPer + i] === -1 : c.datasets[position[chunk * rowsPer + i]!]?.slug === row[0]));
  const agrees = position.length === n && (n === 0 || [0, Math.floor((n - 1) / rowsPer)].every(rowsAgree));
  if (!agrees) {
    // written by another version of the numbering: read the numbers from the rows themselves
    const at = new Map(c.datasets.map((d, i) => [d.slug, i]));
    position = [];
    for (let chunk = 0; chunk * rowsPer < n; chunk++) for (const row of data.rows(chunk)) position.push(row === 0 ? -1 : at.get(row[0]) ?? -1);
  }
  return { data, position };
}

// —— filters: Solr's syntax as CKAN clients write it ——

/** Splits a filter into clauses at spaces outside quotes, brackets and parentheses. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = false;
  for (const ch of text) {
    if (ch === '"' ) quote = !quote;
    else if (!quote && (ch === '[' || ch === '{' || ch === '(')) depth++;
    else if (!quote && (ch === ']' || ch === '}' || ch === ')')) depth--;
    if (depth < 0) throw new SearchQueryProblem(`dấu ngoặc không khớp trong "${text.slice(0, 80)}"`);
    if (/\s/.test(ch) && !quote && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quote || depth !== 0) throw new SearchQueryProblem(`dấu ngoặc hoặc ngoặc kép chưa đóng trong "${text.slice(0, 80)}"`);
  if (cur) out.push(cur);
  return out.filter((t) => t !== 'AND' && t !== '&&');
}

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

/** A Solr date: ISO (with or without Z), NOW, NOW-1DAY style; * is open. */
function solrDate(v: string, now: Date): number | null {
  if (v === '*') return null;
  const m = /^NOW(?:([+-])(\d+)(SECOND|MINUTE|HOUR|DAY|MONTH|YEAR)S?)?(?:\/DAY)?$/.exec(v);
  if (m) {
    const unit = { SECOND: 1e3, MINUTE: 6e4, HOUR: 36e5, DAY: 864e5, MONTH: 30 * 864e5, YEAR: 365 * 864e5 }[m[3] ?? 'SECOND']!;
    return now.getTime() + (m[1] === '-' ? -1 : 1) * Number(m[2] ?? 0) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(v)) throw new SearchQueryProblem(`ngày "${v.slice(0, 40)}" không hợp lệ (dạng 2024-01-01T00:00:00Z, NOW hoặc *)`);
  const t = Date.parse(v.includes('T') ? (v.endsWith('Z') ? v : `${v}Z`) : `${v}T00:00:00Z`);
  if (Number.isNaN(t)) throw new SearchQueryProblem(`ngày "${v.slice(0, 40)}" không hợp lệ`);
  return t;
}

function clause(token: string, p: Prepared, now: Date): Clause {
  let t = token;
  let negate = false;
  if (t.startsWith('-') || t.startsWith('!')) { negate = true; t = t.slice(1); }
  else if (t.startsWith('+')) t = t.slice(1);
  if (t === '*:*') return { negate, test: () => true };
  const colon = t.indexOf(':');
  if (colon <= 0) throw new SearchQueryProblem(`điều kiện "${token.slice(0, 60)}" phải có dạng trường:giá trị`);
  const field = t.slice(0, colon);
  const raw = t.slice(colon + 1);
  if (!raw) throw new SearchQueryProblem(`điều kiện "${token.slice(0, 60)}" thiếu giá trị`);

  const range = /^([[{])(\S+)\s+TO\s+(\S+)([\]}])$/.exec(raw);
  if (field === 'metadata_modified' || field === 'metadata_created') {
    const get = field === 'metadata_modified' ? (d: Summary) => Date.parse(d.modifiedAt) : (d: Summary) => Date.parse(d.createdAt);
    if (range) {
      const lo = solrDate(range[2]!, now);
      const hi = solrDate(range[3]!, now);
      const loIn = range[1] === '[';
      const hiIn = range[4] === ']';
      return { negate, test: (d) => { const v = get(d); return (lo === null || (loIn ? v >= lo : v > lo)) && (hi === null || (hiIn ? v <= hi : v < hi)); } };
    }
    const at = solrDate(unquote(raw), now);
    return { negate, test: (d) => at === null || get(d) === at };
  }
  if (range) throw new SearchQueryProblem(`trường "${field}" không nhận khoảng giá trị`);
  // (a OR b OR c) or a single value
  let values: string[];
  if (raw.startsWith('(') && raw.endsWith(')')) {
    values = tokens(raw.slice(1, -1)).filter((v) => v !== 'OR' && v !== '||').map(unquote);
    if (!values.length) throw new SearchQueryProblem(`điều kiện "${token.slice(0, 60)}" không có giá trị`);
  } else values = [unquote(raw)];
  const any = values.includes('*');
  const match = (have: string[]) => any ? have.length > 0 : values.some((v) => have.includes(v));
  switch (field) {
    case 'organization': return { negate, test: (d) => match([d.organization]) };
    case 'owner_org': return { negate, test: (d) => match([p.orgIdBySlug.get(d.organization) ?? '']) };
    case 'groups': return { negate, test: (d) => match(d.topics) };
    case 'tags': return { negate, test: (d) => match(d.tags) };
    case 'res_format': {
      const upper = values.map((v) => v.toUpperCase());
      return { negate, test: (d) => any ? d.formats.length > 0 : upper.some((v) => d.formats.includes(v)) };
    }
    case 'license_id': return { negate, test: (d) => match([d.licenseId]) };
    case 'name': return { negate, test: (d) => match([d.slug]) };
    case 'id': return { negate, test: (d) => match([d.id]) };
    case 'frequency': return { negate, test: (d) => match([d.updateFrequency]) };
    case 'freshness': return { negate, test: (d) => match([d.freshness]) };
    // what CKAN adds to every query: everything here is a public, active dataset
    case 'capacity': return { negate, test: () => match(['public']) };
    case 'dataset_type': case 'type': return { negate, test: () => match(['dataset']) };
    case 'state': return { negate, test: () => match(['active']) };
    case 'site_id': case '+site_id': return { negate, test: () => true };
    default: throw new SearchQueryProblem(`không lọc được theo trường "${field.slice(0, 40)}" (organization, groups, tags, res_format, license_id, metadata_modified, metadata_created, name, id)`);
  }
}

// —— sorts ——

const SORT_KEYS: Record<string, (a: Summary, b: Summary) => number> = {
  id: (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  name: (a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0),
  title_string: (a, b) => viCollator().compare(a.title, b.title),
  metadata_modified: (a, b) => Date.parse(a.modifiedAt) - Date.parse(b.modifiedAt),
  metadata_created: (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt),
};

function parseSort(sort: string): { key: string; dir: 1 | -1 }[] {
  const parts = sort.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new SearchQueryProblem('Invalid "sort" parameter');
  return parts.map((part) => {
    const m = /^(\w+)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m || !(m[1] === 'score' || m[1]! in SORT_KEYS)) throw new SearchQueryProblem('Invalid "sort" parameter');
    return { key: m[1]!, dir: (m[2] ?? 'asc').toLowerCase() === 'desc' ? -1 : 1 };
  });
}

export interface QueryInput {
  q: string; fq: string[]; sort: string; rows: number; start: number;
  facetFields: string[]; facetLimit: number; facetMincount: number; facet: boolean;
}

export interface QueryResult {
  count: number;
  sort: string;
  results: Summary[];
  facets: Record<string, Record<string, number>>;
  search_facets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }>;
}

export function runQuery(snap: LoadedSnapshot, input: QueryInput, now = new Date()): QueryResult {
  const p = prepare(snap);
  // field conditions written in q (CKAN passes them to Solr) join the filters; the rest is text
  const qTokens = input.q.trim() === '' || input.q.trim() === '*:*' ? [] : tokens(input.q);
  const fieldTokens = qTokens.filter((t) => /^[-+!]?[\w]+:/.test(t) || t === '*:*');
  const text = qTokens.filter((t) => !fieldTokens.includes(t)).join(' ');
  const clauses = [...input.fq.flatMap((f) => tokens(f)), ...fieldTokens].map((t) => clause(t, p, now));
  let scores: Map<number, number> | null = null;
  if (text.trim()) {
    scores = new Map();
    if (p.search) {
      const r = p.search.data.search(text);
      for (let j = 0; j < r.ids.length; j++) {
        const i = p.search.position[r.ids[j]!]!;
        if (i >= 0) scores.set(i, r.scores[j]!);
      }
    }
  }
  let matched: Summary[] = [];
  const scoreOf = new Map<Summary, number>();
  if (!scores && clauses.length === 0) matched = p.list; // the whole catalogue: nothing to test
  else {
    p.list.forEach((d, i) => {
      if (scores && !scores.has(i)) return;
      for (const c of clauses) if (c.test(d) === c.negate) return;
      matched.push(d);
      if (scores) scoreOf.set(d, scores.get(i)!);
    });
  }

  const sortText = input.sort || (scores ? 'score desc, metadata_modified desc' : 'score desc, metadata_modified desc');
  const keys = parseSort(sortText);
  let ordered: Summary[];
  const noScore = keys.every((k) => k.key !== 'score') || !scores;
  const cacheKey = keys.filter((k) => k.key !== 'score').map((k) => `${k.key}:${k.dir}`).join(',');
  if (noScore && clauses.length === 0 && !scores) {
    // the unfiltered catalogue in one of its orders: computed once per snapshot (deep pages stay cheap)
    ordered = p.sorted.get(cacheKey) ?? sortBy(matched, keys, scoreOf);
    p.sorted.set(cacheKey, ordered);
  } else {
    ordered = sortBy(matched, keys, scoreOf);
  }

  const facets: QueryResult['facets'] = {};
  const search_facets: QueryResult['search_facets'] = {};
  if (input.facet) {
    for (const field of input.facetFields) {
      const of = FACETS[field];
      if (!of) { facets[field] = {}; search_facets[field] = { title: field, items: [] }; continue; }
      const counts = new Map<string, number>();
      for (const d of matched) for (const v of new Set(of(d))) counts.set(v, (counts.get(v) ?? 0) + 1);
      let entries = [...counts].filter(([, n]) => n >= input.facetMincount).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      if (input.facetLimit >= 0) entries = entries.slice(0, input.facetLimit);
      facets[field] = Object.fromEntries(entries);
      const label = p.labels[field];
      search_facets[field] = {
        title: field,
        // CKAN lists them by display name in reverse (ckan/logic/action/get.py)
        items: entries.map(([name, count]) => ({ name, display_name: label?.get(name) ?? name, count }))
          .sort((a, b) => viCollator().compare(b.display_name, a.display_name)),
      };
    }
  }
  return { count: matched.length, sort: sortText, results: ordered.slice(input.start, input.start + input.rows), facets, search_facets };
}

function sortBy(list: Summary[], keys: { key: string; dir: 1 | -1 }[], scoreOf: Map<Summary, number>): Summary[] {
  return [...list].sort((a, b) => {
    for (const k of keys) {
      const c = k.key === 'score' ? (scoreOf.get(a) ?? 0) - (scoreOf.get(b) ?? 0) : SORT_KEYS[k.key]!(a, b);
      if (c !== 0) return c * k.dir;
    }
    return SORT_KEYS.id!(a, b); // a total order: the same query always pages the same way
  });
}

export type { SnapshotCatalog };
