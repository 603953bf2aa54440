/**
 * Catalogue paging as ckanext-dcat's DCAT RDF harvester walks it: from /catalog.<ext>, follow
 * hydra:next (or the deprecated hydra:nextPage) of the hydra:PagedCollection until there is none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Quad } from '@rdfjs/types';
import { DataFactory, Store } from 'n3';
import { dcatFiles, type DcatFile } from '../server/formats/files.ts';
import type { RdfFormat } from '../server/formats/rdf.ts';
import { NS } from '../server/formats/vocab.ts';
import { parseJsonLd, parseRdfXml, parseTurtle, summarise, validate } from './helpers/rdf.ts';
import { SITE, syntheticCatalog, syntheticDataset } from './helpers/snapshots.ts';

const { namedNode } = DataFactory;
const hydra = (local: string) => namedNode(NS.hydra + local);
const TYPE = namedNode(`${NS.rdf}type`);

const parse: Record<RdfFormat, (text: string) => Quad[] | Promise<Quad[]>> = { ttl: parseTurtle, jsonld: parseJsonLd, rdf: parseRdfXml };

interface Walk { pages: string[]; datasets: string[]; perPage: string[][]; totals: string[]; lastHasNext: boolean; previous: (string | null)[] }

/** ckanext-dcat processors.py next_page(): hydra:next, else hydra:nextPage, of the PagedCollection */
async function walk(files: Map<string, DcatFile>, format: RdfFormat): Promise<Walk> {
  const out: Walk = { pages: [], datasets: [], perPage: [], totals: [], lastHasNext: false, previous: [] };
  let url: string | null = `${SITE}/catalog.${format}`;
  while (url) {
    expect(url.startsWith(`${SITE}/`), url).toBe(true);
    const file = files.get(url.slice(SITE.length + 1));
    expect(file, `the page ${url} exists`).toBeDefined();
    const store = new Store(await parse[format](file!.body));
    out.pages.push(url);
    const listed = store.getObjects(namedNode(SITE), namedNode(`${NS.dcat}dataset`), null).map((t) => t.value);
    out.datasets.push(...listed);
    out.perPage.push(listed.sort());
    const [paging, ...more] = store.getSubjects(TYPE, hydra('PagedCollection'), null);
    expect(more).toEqual([]);
    expect(paging?.value).toBe(url);
    out.totals.push(...store.getObjects(paging!, hydra('totalItems'), null).map((t) => t.value));
    out.previous.push(store.getObjects(paging!, hydra('previous'), null)[0]?.value ?? null);
    const next = store.getObjects(paging!, hydra('next'), null)[0] ?? store.getObjects(paging!, hydra('nextPage'), null)[0];
    expect(store.getObjects(paging!, hydra('nextPage'), null)[0]?.value).toBe(next?.value);
    url = next?.value ?? null;
    if (out.pages.length > 10) throw new Error('paging loops');
  }
  return out;
}

describe('catalogue paging (Hydra, as ckanext-dcat writes it)', () => {
  const datasets = Array.from({ length: 250 }, (_, i) => syntheticDataset(i + 1));
  // a catalogue whose input order is not the page order: shuffled deterministically
  const shuffled = [...datasets].sort((a, b) => (a.id < b.id ? -1 : 1));
  let files: Map<string, DcatFile>;
  beforeAll(async () => {
    files = new Map((await dcatFiles(syntheticCatalog(shuffled), shuffled)).map((f) => [f.path, f]));
  });

  it('names the pages /catalog.<ext> and /catalog/page/<n>.<ext>', () => {
    expect([...files.keys()].filter((p) => p.startsWith('catalog')).sort()).toEqual([
      'catalog.jsonld', 'catalog.rdf', 'catalog.ttl',
      'catalog/page/2.jsonld', 'catalog/page/2.rdf', 'catalog/page/2.ttl',
      'catalog/page/3.jsonld', 'catalog/page/3.rdf', 'catalog/page/3.ttl',
    ]);
  });

  for (const format of ['ttl', 'jsonld', 'rdf'] as RdfFormat[]) {
    it(`${format}: following hydra:next from page 1 reaches every dataset exactly once, in order of publication`, async () => {
      const w = await walk(files, format);
      expect(w.pages).toEqual([`${SITE}/catalog.${format}`, `${SITE}/catalog/page/2.${format}`, `${SITE}/catalog/page/3.${format}`]);
      expect(w.datasets).toHaveLength(250);
      expect(new Set(w.datasets).size).toBe(250);
      expect(new Set(w.datasets)).toEqual(new Set(datasets.map((d) => `${SITE}/dataset/${d.slug}`)));
      const uri = (i: number) => `${SITE}/dataset/${datasets[i]!.slug}`;
      expect(w.perPage).toEqual([0, 100, 200].map((from) => Array.from({ length: Math.min(100, 250 - from) }, (_, k) => uri(from + k)).sort()));
      // the total is on page 1 only: a new dataset would otherwise change every page
      expect(w.totals).toEqual(['250']);
      expect(w.previous).toEqual([null, `${SITE}/catalog.${format}`, `${SITE}/catalog/page/2.${format}`]);
    });
  }

  it('writes the paging node with the current and the deprecated Hydra names, links as literals, counts as integers', () => {
    const store = new Store(parseTurtle(files.get('catalog/page/2.ttl')!.body));
    const page = namedNode(`${SITE}/catalog/page/2.ttl`);
    const get = (p: string) => store.getObjects(page, hydra(p), null).map((t) => `${t.termType}:${t.value}`);
    expect(get('first')).toEqual([`Literal:${SITE}/catalog.ttl`]);
    expect(get('firstPage')).toEqual(get('first'));
    expect(get('next')).toEqual([`Literal:${SITE}/catalog/page/3.ttl`]);
    expect(get('previous')).toEqual([`Literal:${SITE}/catalog.ttl`]);
    expect(get('previousPage')).toEqual(get('previous'));
    expect(get('itemsPerPage')).toEqual(['Literal:100']);
    expect(store.getObjects(page, hydra('itemsPerPage'), null)[0]).toMatchObject({ datatype: { value: `${NS.xsd}integer` } });
    // the last page and the total are on page 1 (they move with every new dataset; page n ≥ 2 changes only with its own datasets)
    expect(get('last')).toEqual([]);
    expect(get('totalItems')).toEqual([]);
    const first = new Store(parseTurtle(files.get('catalog.ttl')!.body));
    const one = (p: string) => first.getObjects(namedNode(`${SITE}/catalog.ttl`), hydra(p), null).map((t) => `${t.termType}:${t.value}`);
    expect(one('last')).toEqual([`Literal:${SITE}/catalog/page/3.ttl`]);
    expect(one('lastPage')).toEqual(one('last'));
    expect(one('totalItems')).toEqual(['Literal:250']);
    expect(first.getObjects(namedNode(`${SITE}/catalog.ttl`), hydra('totalItems'), null)[0]).toMatchObject({ datatype: { value: `${NS.xsd}integer` } });
    const last = new Store(parseTurtle(files.get('catalog/page/3.ttl')!.body));
    expect(last.getObjects(namedNode(`${SITE}/catalog/page/3.ttl`), hydra('next'), null)).toEqual([]);
    expect(last.getObjects(namedNode(`${SITE}/catalog/page/3.ttl`), hydra('nextPage'), null)).toEqual([]);
    expect(last.getObjects(namedNode(SITE), namedNode(`${NS.dcat}dataset`), null)).toHaveLength(50);
  });

  it('keeps every dataset on its page when one is added or edited: the new one goes to the last page', async () => {
    const edited = { ...shuffled[0]!, title: 'Tên đã sửa', modifiedAt: '2026-11-29T00:00:00.000Z' };
    const more = [edited, ...shuffled.slice(1), syntheticDataset(251)];
    const after = new Map((await dcatFiles(syntheticCatalog(more), more, { formats: ['ttl'] })).map((f) => [f.path, f]));
    const listed = (m: Map<string, DcatFile>, p: string) => new Store(parseTurtle(m.get(p)!.body)).getObjects(namedNode(SITE), namedNode(`${NS.dcat}dataset`), null).map((t) => t.value).sort();
    expect(listed(after, 'catalog.ttl')).toEqual(listed(files, 'catalog.ttl'));
    expect(listed(after, 'catalog/page/2.ttl')).toEqual(listed(files, 'catalog/page/2.ttl'));
    // a page without the edited or the new dataset keeps its bytes
    expect(after.get('catalog/page/2.ttl')!.body).toBe(files.get('catalog/page/2.ttl')!.body);
    expect(listed(after, 'catalog/page/3.ttl')).toEqual([...listed(files, 'catalog/page/3.ttl'), `${SITE}/dataset/bo-du-lieu-0251`].sort());
  });

  it('keeps the pages after a withdrawn dataset as they were: it leaves its page, and its place stays empty', async () => {
    const [gone, ...rest] = datasets;
    const catalog = { ...syntheticCatalog(rest), withdrawn: [{ id: gone!.id, slug: gone!.slug, title: gone!.title, organization: gone!.organization, reason: 'Trùng lặp', withdrawnAt: '2026-11-29T00:00:00.000Z', lastVersion: 1, publishedAt: gone!.publishedAt, topics: gone!.topics }] };
    const after = new Map((await dcatFiles(catalog, rest, { formats: ['ttl'] })).map((f) => [f.path, f]));
    const listed = (m: Map<string, DcatFile>, p: string) => new Store(parseTurtle(m.get(p)!.body)).getObjects(namedNode(SITE), namedNode(`${NS.dcat}dataset`), null).map((t) => t.value).sort();
    expect(listed(after, 'catalog.ttl')).toEqual(listed(files, 'catalog.ttl').filter((u) => !u.endsWith(gone!.slug)));
    expect(after.get('catalog/page/2.ttl')!.body).toBe(files.get('catalog/page/2.ttl')!.body);
    expect(after.get('catalog/page/3.ttl')!.body).toBe(files.get('catalog/page/3.ttl')!.body);
  });

  it('a catalogue page conforms to the mandatory shapes', async () => {
    expect(summarise(await validate(parseTurtle(files.get('catalog/page/3.ttl')!.body), 'shapes.ttl'))).toEqual([]);
  });

  it('pages exactly at the boundary: 200 datasets make two pages, the second without next', async () => {
    const two = datasets.slice(0, 200);
    const f = new Map((await dcatFiles(syntheticCatalog(two), two, { formats: ['ttl'] })).map((x) => [x.path, x]));
    const w = await walk(f, 'ttl');
    expect(w.pages).toEqual([`${SITE}/catalog.ttl`, `${SITE}/catalog/page/2.ttl`]);
    expect(w.datasets).toHaveLength(200);
    expect(f.has('catalog/page/3.ttl')).toBe(false);
  });

  it('leaves out a record whose name breaks the name rule (no path outside dataset/, no page entry)', () => {
    const evil = [syntheticDataset(1), syntheticDataset(2, { slug: '../../etc/passwd' }), syntheticDataset(3, { slug: 'Hoa-Hong' })];
    const f = dcatFiles(syntheticCatalog(evil), evil, { formats: ['ttl'] });
    expect(f.map((x) => x.path)).toEqual(['dataset/bo-du-lieu-0001.ttl', 'catalog.ttl']);
    expect(f[1]!.body).not.toContain('passwd');
    expect(f[1]!.body).toContain('hydra:totalItems 1');
  });

  it('an empty catalogue is one page with no paging (as ckanext-dcat: no count, no Hydra)', async () => {
    const f = await dcatFiles(syntheticCatalog([]), []);
    expect(f.map((x) => x.path)).toEqual(['catalog.ttl', 'catalog.jsonld', 'catalog.rdf']);
    const store = new Store(parseTurtle(f[0]!.body));
    expect(store.getSubjects(TYPE, hydra('PagedCollection'), null)).toEqual([]);
    expect(store.getSubjects(TYPE, namedNode(`${NS.dcat}Catalog`), null).map((t) => t.value)).toEqual([SITE]);
    expect(summarise(await validate(parseTurtle(f[0]!.body), 'shapes.ttl'))).toEqual([]);
  });
});
