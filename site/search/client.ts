import {
  decodeIds, decodeVarints, FACET_NAMES, fold, parseQuery, SearchIndex, StaleSearchData,
  type FacetName, type FacetsFile, type NamedUnit, type RowsFile, type SearchMeta, type SearchRow, type SortFile, type SortName,
} from '../../server/contract/search.ts';

/**
 * The dataset list with search as you type, facets with counts, sorting and paging, all kept in
 * the URL so a search can be shared. What it fetches (format: server/contract/search.ts): meta.json
 * once the page has loaded (2 KB: a first key then waits for one round trip less), then only the index
 * shards of the words typed and the result rows of the page shown (the first FIRST_ROWS results show
 * when theirs are here); facet postings once results are on screen (or first, when a filter other
 * is set); sort keys when another order is chosen. Every file but meta.json is named by its content
 * or the publish that wrote it, so it is never stale: when one answers 404 (a publish replaced it
 * meanwhile), meta.json is fetched again and the search runs once more. Without JavaScript the page
 * still lists every dataset.
 */
const FACETS = ['org', 'topic', 'tag', 'format', 'license', 'status'] as const;
type Facet = (typeof FACETS)[number];
const PAGE_SIZE = 20;
/** results shown before the rest of the page's rows are here (what a screen shows first) */
const FIRST_ROWS = 5;
const BASE = '/search/';

const input = document.querySelector<HTMLInputElement>('#search-q')!;
const status = document.querySelector<HTMLElement>('#search-status')!;
const results = document.querySelector<HTMLUListElement>('#search-results')!;
const unitBox = document.querySelector<HTMLElement>('#search-units')!;
const pager = document.querySelector<HTMLElement>('#search-pages')!;
const all = document.querySelector<HTMLElement>('#all-datasets')!;
const facetForm = document.querySelector<HTMLFormElement>('#facets')!;
const sortSelect = document.querySelector<HTMLSelectElement>('#sort')!;
facetForm.hidden = false;

/** The page's language and words, rendered by DatasetSearch.astro (the same script serves /dataset/ and /en/dataset/). */
interface Ui {
  lang: 'vi' | 'en'; datasetBase: string; updated: string; searching: string; results: string; result1: string; resultsFor: string;
  pageOf: string; noResults: string; pageN: string; unitSuggestion: string; status: Record<string, string>; org: Record<string, string>;
}
const ui = JSON.parse(facetForm.dataset.ui!) as Ui;
const en = ui.lang === 'en';
const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k]));
const num = (n: number) => n.toLocaleString(en ? 'en-GB' : 'vi-VN');

// —— the search data, fetched piece by piece ——

interface Facets { values: Record<FacetName, string[]>; lists: Record<FacetName, Uint32Array[]> }
interface Data {
  meta: SearchMeta; index: SearchIndex;
  files: Map<string, Promise<void>>; rows: Map<number, Promise<(SearchRow | 0)[]>>;
  facets?: Promise<Facets>; sorts: Map<SortName, Promise<Uint32Array>>;
}
let data: Promise<Data> | undefined;

function load(): Promise<Data> {
  if (data) return data;
  const p: Promise<Data> = fetch(`${BASE}meta.json`, { cache: 'no-cache' }).then((r) => {
    if (!r.ok) throw new Error(`search data: ${r.status}`);
    return r.json() as Promise<SearchMeta>;
  }).then((meta) => ({ meta, index: new SearchIndex(meta), files: new Map(), rows: new Map(), sorts: new Map() }));
  p.catch(() => { if (data === p) data = undefined; }); // the next search asks again
  return (data = p);
}

/** A file the meta names (its name changes with its content: a cache never serves another publish's). */
async function part<T>(rel: string): Promise<T> {
  const r = await fetch(`${BASE}${rel}`);
  if (!r.ok) throw r.status === 404 ? new StaleSearchData() : new Error(`search data: ${r.status}`);
  return (await r.json()) as T;
}

/** The index files (shards, tail shards, unit postings) a query reads. */
function indexFiles(d: Data, need: string[]): Promise<void[]> {
  return Promise.all(need.map((rel) => {
    let p = d.files.get(rel);
    if (!p) {
      p = part<unknown>(rel).then((f) => d.index.add(rel, f));
      p.catch(() => d.files.delete(rel));
      d.files.set(rel, p);
    }
    return p;
  }));
}

function row(d: Data, id: number): Promise<SearchRow> {
  const chunk = Math.floor(id / d.meta.rowsPer);
  let p = d.rows.get(chunk);
  if (!p) {
    p = part<RowsFile>(d.index.paths.rows(chunk)).then((f) => f.rows);
    p.catch(() => d.rows.delete(chunk));
    d.rows.set(chunk, p);
  }
  return p.then((rows) => {
    const r = rows[id - chunk * d.meta.rowsPer];
    if (!r) throw new StaleSearchData(); // not a result in these rows: they are of another publish
    return r;
  });
}

function facets(d: Data): Promise<Facets> {
  d.facets ??= part<FacetsFile>(d.index.paths.facets).then((f) => {
    const values = {} as Facets['values'];
    const lists = {} as Facets['lists'];
    for (const name of FACET_NAMES) {
      values[name] = f.facets[name].values;
      lists[name] = f.facets[name].p.map(decodeIds);
    }
    return { values, lists };
  });
  d.facets.catch(() => { d.facets = undefined; });
  return d.facets;
}

/** Every dataset number that is a result (not a hole), ascending: the list without a query. */
async function everyDataset(d: Data): Promise<Uint32Array> {
  const fx = await facets(d);
  const mask = new Uint8Array(d.meta.n);
  for (const list of fx.lists.org) for (const id of list) mask[id] = 1;
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return Uint32Array.from(out);
}

function sortKeys(d: Data, name: SortName): Promise<Uint32Array> {
  let p = d.sorts.get(name);
  if (!p) {
    p = part<SortFile>(d.index.paths.sort(name)).then((f) => decodeVarints(f.k));
    p.catch(() => d.sorts.delete(name));
    d.sorts.set(name, p);
  }
  return p;
}

// —— state in the URL ——

interface State { q: string; filters: Record<Facet, string[]>; sort: string; page: number }

function readState(): State {
  const p = new URL(location.href).searchParams;
  const filters = Object.fromEntries(FACETS.map((f) => [f, p.getAll(f)])) as Record<Facet, string[]>;
  return { q: p.get('q') ?? '', filters, sort: p.get('sort') ?? 'relevance', page: Math.max(1, Number(p.get('page') ?? 1) || 1) };
}

function writeState(s: State) {
  const url = new URL(location.pathname, location.origin);
  if (s.q) url.searchParams.set('q', s.q);
  for (const f of FACETS) for (const v of s.filters[f]) url.searchParams.append(f, v);
  if (s.sort !== 'relevance') url.searchParams.set('sort', s.sort);
  if (s.page > 1) url.searchParams.set('page', String(s.page));
  history.replaceState(null, '', url);
}

const isActive = (s: State) => !!parseQuery(s.q).typed.length || FACETS.some((f) => s.filters[f].length) || s.sort !== 'relevance';

// —— filters and counts ——

/** Datasets each facet's ticked values allow (null: no filter on it). */
function allowedBy(d: Data, fx: Facets | null, s: State): Partial<Record<Facet, Uint8Array>> {
  const n = d.meta.n;
  const out: Partial<Record<Facet, Uint8Array>> = {};
  for (const f of FACETS) {
    const chosen = s.filters[f];
    if (!chosen.length) continue;
    const mask = new Uint8Array(n);
    if (fx) {
      const values = fx.values[f];
      values.forEach((v, i) => { if (chosen.includes(v)) for (const id of fx.lists[f][i]!) mask[id] = 1; });
    }
    out[f] = mask;
  }
  return out;
}

function passes(allowed: Partial<Record<Facet, Uint8Array>>, id: number, except?: Facet): boolean {
  for (const f of FACETS) if (f !== except && allowed[f] && allowed[f]![id] !== 1) return false;
  return true;
}

/** Each facet's checkboxes and their count labels, found once. */
const boxes = new Map(FACETS.map((f) => [f, [...facetForm.querySelectorAll<HTMLInputElement>(`input[name="${f}"]`)].map((box) => ({ box, count: box.closest('li')!.querySelector<HTMLElement>('.count')! }))]));

function counts(d: Data, fx: Facets | null, ranked: Uint32Array, allowed: Partial<Record<Facet, Uint8Array>>, s: State) {
  const n = d.meta.n;
  const inRanked = new Uint8Array(n);
  for (const id of ranked) inRanked[id] = 1;
  const filtered = FACETS.filter((f) => allowed[f]);
  for (const f of FACETS) {
    if (!fx) continue;
    // each facet counts the matches of the query and of every other facet (disjunctive)
    let mask = inRanked;
    if (filtered.some((g) => g !== f)) {
      mask = new Uint8Array(n);
      for (const id of ranked) if (passes(allowed, id, f)) mask[id] = 1;
    }
    const count = new Map<string, number>();
    fx.values[f].forEach((v, i) => {
      let c = 0;
      for (const id of fx.lists[f][i]!) c += mask[id]!;
      count.set(v, c);
    });
    for (const { box, count: label } of boxes.get(f)!) {
      box.checked = s.filters[f].includes(box.value);
      const text = `(${num(count.get(box.value) ?? 0)})`;
      if (label.textContent !== text) label.textContent = text;
    }
  }
}

// —— rendering ——

/** The text with the words the query matched marked: whole words, and the last one as a prefix. */
function highlighted(text: string, terms: string[]): Node[] {
  const last = terms.length - 1;
  return text.split(/([\p{L}\p{N}]+)/u).map((part, i) => {
    const f = i % 2 ? fold(part.toLowerCase()) : '';
    if (f && terms.some((t, j) => (j === last ? f.startsWith(t) : f === t))) {
      const m = document.createElement('mark');
      m.textContent = part;
      return m;
    }
    return document.createTextNode(part);
  });
}

const dateVi = (day: string) => { const [y, m, dd] = day.split('-'); return `${dd}/${m}/${y}`; };
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };

function unitSuggestions(named: NamedUnit[], s: State) {
  const typed = parseQuery(s.q).typed;
  const items = named.filter((u) => !s.filters.org.includes(u.slug)).slice(0, 3).map((u) => {
    const li = el('li');
    const b = el('button', fill(ui.unitSuggestion, { unit: ui.org[u.slug] ?? u.title, n: num(u.count) }));
    b.type = 'button';
    if (en && !ui.org[u.slug]) b.lang = 'vi';
    b.addEventListener('click', () => {
      // the unit's words become its filter; the rest of the query stays
      input.value = typed.filter((_, i) => !u.covered.includes(i)).join(' ');
      for (const box of facetForm.querySelectorAll<HTMLInputElement>('input[name="org"]')) box.checked = box.value === u.slug;
      void render(stateFromForm());
      input.focus();
    });
    li.append(b);
    return li;
  });
  unitBox.querySelector('ul')!.replaceChildren(...items);
  unitBox.hidden = !items.length;
}

function pageButtons(page: number, pages: number) {
  pager.replaceChildren();
  if (pages <= 1) return;
  // first, last and two around the current page
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  let prev = 0;
  for (const n of shown) {
    if (n > prev + 1) pager.append(el('span', '…'));
    const b = el('button', String(n));
    b.type = 'button';
    if (n === page) b.setAttribute('aria-current', 'page');
    b.setAttribute('aria-label', fill(ui.pageN, { n }));
    b.addEventListener('click', () => void render({ ...readState(), page: n }));
    pager.append(b);
    prev = n;
  }
}

/**
 * Renders are numbered; the newest one's answer is final (status, facet counts, aria-busy). An older
 * render still paints its results when nothing newer has painted yet: while a visitor types, the
 * results of what they had typed show as soon as they are ready instead of waiting for the last key
 * (at 150 ms a key, a search that needs 160 ms would otherwise show nothing until typing pauses).
 */
let seq = 0;
let painted = 0;
/** what the newest render searches for: a key that changes nothing the search reads ("xe" → "xe ") starts no new one */
let current = '';
const searchKey = (s: State) => JSON.stringify([parseQuery(s.q).typed, s.filters, s.sort, s.page]);
async function render(state: State, retry = true): Promise<void> {
  writeState(state);
  const key = searchKey(state);
  if (key === current && retry) return; // the same search is on its way (or on screen)
  current = key;
  const mine = ++seq;
  if (!isActive(state)) {
    painted = mine;
    facetForm.removeAttribute('aria-busy');
    results.hidden = true;
    unitBox.hidden = true;
    pager.replaceChildren();
    all.hidden = false;
    status.textContent = '';
    return;
  }
  status.textContent = ui.searching;
  facetForm.setAttribute('aria-busy', 'true'); // until every count is up to date
  const loading = load();
  try {
    const d = await loading;
    const q = parseQuery(state.q);
    const needFacets = FACETS.some((f) => state.filters[f].length);
    const [fx, sortKey] = await Promise.all([
      needFacets ? facets(d) : null,
      state.sort === 'title' || state.sort === 'updated' || state.sort === 'newest' ? sortKeys(d, state.sort) : null,
      indexFiles(d, d.index.missing(q)),
    ]);
    if (mine < painted) return; // a newer search is on screen
    const found = q.typed.length ? d.index.search(q) : null;
    const ranked = found ? found.ids : (await everyDataset(d));
    const allowed = allowedBy(d, fx, state);
    let hits = FACETS.some((f) => allowed[f]) ? Array.from(ranked).filter((id) => passes(allowed, id)) : Array.from(ranked);
    if (sortKey) {
      // larger key first, then the relevance order: both packed in one number, sorted natively
      const packed = new Float64Array(hits.length);
      hits.forEach((id, i) => { packed[i] = sortKey[id]! * 2 ** 20 + (2 ** 20 - 1 - i); });
      packed.sort().reverse();
      const before = hits;
      hits = Array.from(packed, (x) => before[2 ** 20 - 1 - (x % 2 ** 20)]!);
    }
    const pages = Math.max(1, Math.ceil(hits.length / PAGE_SIZE));
    const page = Math.min(state.page, pages);
    const shown = hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    // the rows of the first results are asked for first and shown as soon as they are here (a page's
    // rows sit in up to 20 files: the first few files arrive well before the last), then the rest
    const asked = shown.map((id) => row(d, id));
    for (const a of asked) a.catch(() => {}); // awaited below (a failure is handled there)
    const head = await Promise.all(asked.slice(0, FIRST_ROWS));
    if (mine < painted) return; // a newer search is on screen
    painted = mine;
    const item = ([slug, title, formats, updated, st, excerpt, unitSlug]: SearchRow) => {
      const li = el('li');
      const h = el('h2');
      const a = el('a');
      a.href = `${ui.datasetBase}${slug}/`;
      a.append(...highlighted(title, q.folded));
      if (en) a.lang = 'vi';
      h.append(a);
      const p = el('p');
      p.append(...highlighted(excerpt, q.folded));
      if (en) p.lang = 'vi';
      const meta = el('ul');
      meta.className = 'meta';
      const u = d.meta.units.find((x) => x.slug === unitSlug);
      const unit = el('li', (u && (ui.org[u.slug] ?? u.title)) ?? '');
      if (en && u && !ui.org[u.slug]) unit.lang = 'vi';
      meta.append(unit);
      for (const text of [`${ui.updated}: ${dateVi(updated)}`, formats, ui.status[st] ?? st]) meta.append(el('li', text));
      li.append(h, p, meta);
      return li;
    };
    results.replaceChildren(...head.map(item));
    results.hidden = false;
    all.hidden = true;
    if (asked.length > head.length) {
      const rest = await Promise.all(asked.slice(head.length));
      if (mine < painted) return;
      results.append(...rest.map(item));
    }
    unitSuggestions(found?.units ?? [], state);
    pageButtons(page, pages);
    if (mine !== seq) return; // an earlier search's results, shown while the newest one loads
    const what = state.q ? fill(ui.resultsFor, { q: state.q }) : '';
    status.textContent = hits.length ? `${fill(hits.length === 1 ? ui.result1 : ui.results, { n: num(hits.length) })}${what}${pages > 1 ? fill(ui.pageOf, { p: page, n: pages }) : ''}` : `${ui.noResults}${what}`;
    // facet counts, when their postings are here
    counts(d, fx, ranked, allowed, state);
    if (!fx) {
      const later = await facets(d);
      if (mine !== seq) return;
      counts(d, later, ranked, allowedBy(d, later, state), state);
    }
    facetForm.removeAttribute('aria-busy');
  } catch (err) {
    // published again meanwhile: the next search starts from the new meta
    if (err instanceof StaleSearchData && data === loading) data = undefined;
    if (mine !== seq) return; // an earlier search: the newest one answers
    current = ''; // typing the same again searches again
    if (err instanceof StaleSearchData && retry) return render(state, false);
    status.textContent = `${ui.noResults}${state.q ? fill(ui.resultsFor, { q: state.q }) : ''}`;
    facetForm.removeAttribute('aria-busy');
    console.error(err);
  }
}

function stateFromForm(): State {
  const filters = Object.fromEntries(FACETS.map((f) => [f, [...facetForm.querySelectorAll<HTMLInputElement>(`input[name="${f}"]:checked`)].map((b) => b.value)])) as Record<Facet, string[]>;
  return { q: input.value, filters, sort: sortSelect.value, page: 1 };
}

// as you type: the first key searches at once, then at most one search per 100 ms, and always the last input
let timer: ReturnType<typeof setTimeout> | undefined;
let pending = false;
const typed = () => {
  if (timer) { pending = true; return; }
  void render(stateFromForm());
  const tick = () => {
    timer = pending ? setTimeout(tick, 100) : undefined;
    if (pending) { pending = false; void render(stateFromForm()); }
  };
  timer = setTimeout(tick, 100);
};
// the meta (2–3 KB on the wire, the names of every other file) once the page has loaded, before the first key
const preload = () => void load().catch(() => {});
for (const ev of ['focus', 'pointerdown'] as const) input.addEventListener(ev, preload, { once: true });
if (document.readyState === 'complete') setTimeout(preload, 0);
else addEventListener('load', () => setTimeout(preload, 0), { once: true });
input.addEventListener('input', typed);
input.form?.addEventListener('submit', (e) => { e.preventDefault(); pending = false; void render(stateFromForm()); });
facetForm.addEventListener('change', () => void render(stateFromForm()));
facetForm.addEventListener('submit', (e) => { e.preventDefault(); void render(stateFromForm()); });

const initial = readState();
input.value = initial.q;
sortSelect.value = initial.sort;
if (isActive(initial)) void render(initial);
