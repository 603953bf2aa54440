import type lunr from 'lunr';
import type { SearchIndexFile } from '../../server/publish/search-index.ts';
import { fold, search, words } from './shared.ts';

/**
 * Search as you type on /dataset/: the index is fetched on the first keystroke (or when the page
 * opens with ?q=), never before. The query lives in the URL so a search can be shared. Without
 * JavaScript the page still lists every dataset.
 */
const input = document.querySelector<HTMLInputElement>('#search-q')!;
const status = document.querySelector<HTMLElement>('#search-status')!;
const results = document.querySelector<HTMLUListElement>('#search-results')!;
const all = document.querySelector<HTMLElement>('#all-datasets')!;
let loaded: Promise<{ index: lunr.Index; docs: SearchIndexFile['docs'] }> | undefined;

function load() {
  loaded ??= Promise.all([import('lunr'), fetch('/search-index.json').then((r) => r.json() as Promise<SearchIndexFile>)])
    .then(([{ default: lunrLib }, data]) => ({ index: lunrLib.Index.load(data.index), docs: data.docs }));
  return loaded;
}

/** Text with the words that match the query wrapped in <mark>, built as nodes (never as HTML). */
function highlighted(text: string, terms: string[]): Node[] {
  return text.split(/([\p{L}\p{N}]+)/u).map((part) => {
    const f = fold(part.toLowerCase());
    if (part && terms.some((t) => f.startsWith(t))) {
      const m = document.createElement('mark');
      m.textContent = part;
      return m;
    }
    return document.createTextNode(part);
  });
}

const dateVi = (iso: string) => new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(iso));

async function run(query: string) {
  const url = new URL(location.href);
  if (query) url.searchParams.set('q', query); else url.searchParams.delete('q');
  history.replaceState(null, '', url);
  if (!words(query).length) {
    results.hidden = true;
    all.hidden = false;
    status.textContent = '';
    return;
  }
  status.textContent = 'Đang tìm…';
  const { index, docs } = await load();
  if (input.value !== query) return; // a newer keystroke is on its way
  const found = search(index, query).slice(0, 50);
  const terms = words(query).map(fold);
  results.replaceChildren(...found.map(({ ref }) => {
    const [slug, title, org, formats, updated, excerpt] = docs[ref]!;
    const li = document.createElement('li');
    const h = document.createElement('h2');
    const a = document.createElement('a');
    a.href = `/dataset/${slug}/`;
    a.append(...highlighted(title, terms));
    h.append(a);
    const p = document.createElement('p');
    p.append(...highlighted(excerpt, terms));
    const meta = document.createElement('ul');
    meta.className = 'meta';
    for (const text of [org, `Cập nhật: ${dateVi(updated)}`, formats.join(', ')]) {
      const item = document.createElement('li');
      item.textContent = text;
      meta.append(item);
    }
    li.append(h, p, meta);
    return li;
  }));
  results.hidden = false;
  all.hidden = true;
  status.textContent = found.length ? `${found.length.toLocaleString('vi-VN')} kết quả cho “${query}”` : `Không tìm thấy bộ dữ liệu nào cho “${query}”`;
}

let timer: ReturnType<typeof setTimeout> | undefined;
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => void run(input.value), 120);
});
input.form?.addEventListener('submit', (e) => { e.preventDefault(); void run(input.value); });
const initial = new URL(location.href).searchParams.get('q');
if (initial) { input.value = initial; void run(initial); }
