import type lunr from 'lunr';
import { fold, search, words, type SearchDocsFile, type SearchEntry, type SearchIndexFile } from '../../server/contract/search.ts';

/**
 * The dataset list with search as you type, facets with counts, sorting and paging, all kept in
 * the URL so a search can be shared. Result rows are fetched on the first interaction (or when the
 * page opens with parameters); the lunr index only when there is a query. Without JavaScript the
 * page still lists every dataset.
 */
const FACETS = ['org', 'topic', 'tag', 'format', 'license', 'status'] as const;
type Facet = (typeof FACETS)[number];
const PAGE_SIZE = 20;
const collator = new Intl.Collator('vi');

const input = document.querySelector<HTMLInputElement>('#search-q')!;
const status = document.querySelector<HTMLElement>('#search-status')!;
const results = document.querySelector<HTMLUListElement>('#search-results')!;
const pager = document.querySelector<HTMLElement>('#search-pages')!;
const all = document.querySelector<HTMLElement>('#all-datasets')!;
const facetForm = document.querySelector<HTMLFormElement>('#facets')!;
const sortSelect = document.querySelector<HTMLSelectElement>('#sort')!;
facetForm.hidden = false;

/** The page's language and words, rendered by DatasetSearch.astro (the same script serves /dataset/ and /en/dataset/). */
interface Ui {
  lang: 'vi' | 'en'; datasetBase: string; updated: string; searching: string; results: string; result1: string; resultsFor: string;
  pageOf: string; noResults: string; pageN: string; status: Record<string, string>; org: Record<string, string>;
}
const ui = JSON.parse(facetForm.dataset.ui!) as Ui;
const en = ui.lang === 'en';
const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k]));
const num = (n: number) => n.toLocaleString(en ? 'en-GB' : 'vi-VN');

let docsFile: Promise<SearchDocsFile> | undefined;
let lunrIndex: Promise<lunr.Index> | undefined;
const loadDocs = () => (docsFile ??= fetch('/search-docs.json').then((r) => r.json() as Promise<SearchDocsFile>));
const loadIndex = () => (lunrIndex ??= Promise.all([import('lunr'), fetch('/search-index.json').then((r) => r.json() as Promise<SearchIndexFile>)])
  .then(([{ default: l }, data]) => l.Index.load(data.index)));

const valuesOf = (d: SearchEntry, f: Facet): string[] => {
  switch (f) {
    case 'org': return [d.org];
    case 'topic': return d.topics;
    case 'tag': return d.tags;
    case 'format': return d.formats;
    case 'license': return [d.license];
    case 'status': return [d.status];
  }
};

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

const isActive = (s: State) => !!words(s.q).length || FACETS.some((f) => s.filters[f].length) || s.sort !== 'relevance';

function highlighted(text: string, terms: string[]): Node[] {
  return text.split(/([\p{L}\p{N}]+)/u).map((part) => {
    if (part && terms.some((t) => fold(part.toLowerCase()).startsWith(t))) {
      const m = document.createElement('mark');
      m.textContent = part;
      return m;
    }
    return document.createTextNode(part);
  });
}

const dateVi = (iso: string) => new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(iso));
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };

let seq = 0;
async function render(state: State) {
  writeState(state);
  if (!isActive(state)) {
    results.hidden = true;
    pager.replaceChildren();
    all.hidden = false;
    status.textContent = '';
    return;
  }
  const mine = ++seq;
  status.textContent = ui.searching;
  const { docs, labels } = await loadDocs();
  let ranked: { ref: number; score: number }[] = docs.map((_, ref) => ({ ref, score: 0 }));
  if (words(state.q).length) ranked = search(await loadIndex(), state.q, (ref) => `${docs[ref]!.title} ${docs[ref]!.tags.join(' ')}`);
  if (mine !== seq) return; // a newer change is on its way
  const matches = (d: SearchEntry, except?: Facet) => FACETS.every((f) => f === except || !state.filters[f].length || valuesOf(d, f).some((v) => state.filters[f].includes(v)));
  const hits = ranked.filter((r) => matches(docs[r.ref]!));
  const by = {
    title: (a: SearchEntry, b: SearchEntry) => collator.compare(a.title, b.title),
    updated: (a: SearchEntry, b: SearchEntry) => b.updated.localeCompare(a.updated),
    newest: (a: SearchEntry, b: SearchEntry) => b.published.localeCompare(a.published),
  }[state.sort];
  if (by) hits.sort((a, b) => by(docs[a.ref]!, docs[b.ref]!));
  const pages = Math.max(1, Math.ceil(hits.length / PAGE_SIZE));
  const page = Math.min(state.page, pages);
  const terms = words(state.q).map(fold);
  results.replaceChildren(...hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(({ ref }) => {
    const d = docs[ref]!;
    const li = el('li');
    const h = el('h2');
    const a = el('a');
    a.href = `${ui.datasetBase}${d.slug}/`;
    a.append(...highlighted(d.title, terms));
    if (en) { a.lang = 'vi'; }
    h.append(a);
    const p = el('p');
    p.append(...highlighted(d.excerpt, terms));
    if (en) p.lang = 'vi';
    const meta = el('ul');
    meta.className = 'meta';
    const unit = el('li', ui.org[d.org] ?? labels.org?.[d.org] ?? d.org);
    if (en && !ui.org[d.org]) unit.lang = 'vi';
    meta.append(unit);
    for (const text of [`${ui.updated}: ${dateVi(d.updated)}`, d.formats.join(', '), ui.status[d.status] ?? d.status]) meta.append(el('li', text));
    li.append(h, p, meta);
    return li;
  }));
  // facet counts: each facet counts the matches of the query and of every other facet (disjunctive)
  for (const f of FACETS) {
    const counts = new Map<string, number>();
    for (const r of ranked) {
      const d = docs[r.ref]!;
      if (!matches(d, f)) continue;
      for (const v of valuesOf(d, f)) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const box of facetForm.querySelectorAll<HTMLInputElement>(`input[name="${f}"]`)) {
      box.checked = state.filters[f].includes(box.value);
      const n = counts.get(box.value) ?? 0;
      box.closest('li')!.querySelector('.count')!.textContent = `(${num(n)})`;
    }
  }
  pager.replaceChildren();
  if (pages > 1) {
    for (let n = 1; n <= pages; n++) {
      const b = el('button', String(n));
      b.type = 'button';
      if (n === page) b.setAttribute('aria-current', 'page');
      b.setAttribute('aria-label', fill(ui.pageN, { n }));
      b.addEventListener('click', () => void render({ ...readState(), page: n }));
      pager.append(b);
    }
  }
  results.hidden = false;
  all.hidden = true;
  const what = state.q ? fill(ui.resultsFor, { q: state.q }) : '';
  status.textContent = hits.length ? `${fill(hits.length === 1 ? ui.result1 : ui.results, { n: num(hits.length) })}${what}${pages > 1 ? fill(ui.pageOf, { p: page, n: pages }) : ''}` : `${ui.noResults}${what}`;
}

function stateFromForm(): State {
  const filters = Object.fromEntries(FACETS.map((f) => [f, [...facetForm.querySelectorAll<HTMLInputElement>(`input[name="${f}"]:checked`)].map((b) => b.value)])) as Record<Facet, string[]>;
  return { q: input.value, filters, sort: sortSelect.value, page: 1 };
}

let timer: ReturnType<typeof setTimeout> | undefined;
input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => void render(stateFromForm()), 120); });
input.form?.addEventListener('submit', (e) => { e.preventDefault(); void render(stateFromForm()); });
facetForm.addEventListener('change', () => void render(stateFromForm()));
facetForm.addEventListener('submit', (e) => { e.preventDefault(); void render(stateFromForm()); });

const initial = readState();
input.value = initial.q;
sortSelect.value = initial.sort;
if (isActive(initial)) void render(initial);
