import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nameUnits, parseQuery, unitForms } from '../server/contract/search.ts';
import { runQuery } from '../server/publish/query.ts';
import { SearchData, searchOrder, writeSearchData } from '../server/publish/search-index.ts';
import type { LoadedSnapshot } from '../server/publish/reader.ts';
import { judge, QUERIES, realisticCatalog, realisticDatasets, type QueryClass } from './helpers/search-catalogue.ts';
import { tempDir } from './helpers/fixtures.ts';
import { catalogOf, searchInMemory, summary } from './helpers/search-memory.ts';

/** Search on the realistic catalogue (test/helpers/search-catalogue.ts): 27 units, ~300 datasets with near-neighbours. */
const catalog = realisticCatalog();
const search = searchInMemory(catalog);
const unitOf = new Map(catalog.datasets.map((d) => [d.title, d.organization]));
const top = (q: string, k = 5) => search.titles(q).slice(0, k);
const unitCount = (slug: string) => catalog.datasets.filter((d) => d.organization === slug).length;

describe('a unit named in the query', () => {
  it.each([
    ['so y te', 'so-y-te'], ['sở y tế', 'so-y-te'], ['Sở Y tế', 'so-y-te'], ['y te', 'so-y-te'],
    ['cong an tinh', 'cong-an-tinh'], ['công an', 'cong-an-tinh'], ['thanh tra tinh', 'thanh-tra-tinh'],
    ['ubnd xa ia ly', 'ubnd-xa-ia-ly'], ['uy ban nhan dan xa ia ly', 'ubnd-xa-ia-ly'], ['xa ia ly', 'ubnd-xa-ia-ly'], ['ubnd ia ly', 'ubnd-xa-ia-ly'],
    ['phuong pleiku', 'ubnd-phuong-pleiku'], ['so gd&dt', 'so-giao-duc-va-dao-tao'], ['sở gd&đt', 'so-giao-duc-va-dao-tao'], ['so gddt', 'so-giao-duc-va-dao-tao'],
    ['so vh tt dl', 'so-van-hoa-the-thao-va-du-lich'], ['department of health', 'so-y-te'],
  ])('"%s" ranks every dataset of %s first and suggests the unit', (q, slug) => {
    const n = unitCount(slug);
    const r = search.datasetsOf(q);
    expect(r.slice(0, n).map((d) => d.organization)).toEqual(Array(n).fill(slug));
    expect(search.run(q).units[0]).toMatchObject({ slug, count: n });
  });
  it('names the unit while its name is still being typed', () => {
    expect(search.run('so y t').units[0]?.slug).toBe('so-y-te');
    expect(search.run('ubnd xa ia l').units[0]?.slug).toBe('ubnd-xa-ia-ly');
    expect(search.run('dak d').units.map((u) => u.slug)).toEqual(['ubnd-xa-dak-doa']); // not Đak Pơ
  });
  it('keeps the rest of the query as words to find in that unit', () => {
    expect(top('so y te nha thuoc', 1)).toEqual(['Danh sách nhà thuốc đạt chuẩn GPP']);
    const r = search.run('so y te nha thuoc');
    expect(r.units[0]).toMatchObject({ slug: 'so-y-te', covered: [0, 1, 2] });
    expect(search.titles('ubnd xa ia ly ho ngheo')[0]).toBe('Danh sách hộ nghèo, hộ cận nghèo xã Ia Ly năm 2025');
  });
  it('names nothing with words every unit shares, or a prefix of a one-word name', () => {
    for (const q of ['so', 'tinh gia lai', 'ubnd xa', 'uy ban nhan dan', 'phuong', 'nha thu', 'do th', 'th']) expect(search.run(q).units, q).toEqual([]);
    // the generic words alone do not make every dataset match
    expect(search.titles('tinh gia lai').length).toBeLessThan(catalog.datasets.length / 10);
  });
  it('writes the forms of a unit name people type', () => {
    const forms = unitForms('Sở Giáo dục và Đào tạo tỉnh Gia Lai', 'Department of Education and Training, Gia Lai', new Set(['so', 'tinh', 'gia', 'lai', 'department', 'of']));
    expect(forms.map((f) => f.w.slice(f.core[0], f.core[1]).join(' '))).toEqual(['giao duc va dao tao', 'gd dt', 'gddt', 'education and training']);
    expect(unitForms('UBND xã Ia Ly', null, new Set()).map((f) => f.w.join(' '))).toEqual(['ubnd xa ia ly', 'uy ban nhan dan xa ia ly']);
    expect(nameUnits([{ slug: 'x', title: 'UBND xã Kbang', count: 1, p: '', forms: unitForms('UBND xã Kbang', null, new Set()) }], parseQuery('kbang').folded)).toHaveLength(1);
    expect(nameUnits([{ slug: 'x', title: 'UBND xã Kbang', count: 1, p: '', forms: unitForms('UBND xã Kbang', null, new Set()) }], parseQuery('kb').folded)).toHaveLength(0);
  });
});

describe('ranking', () => {
  it('puts syllables side by side in the typed order before the same syllables apart (dat dai)', () => {
    const titles = search.titles('dat dai');
    const land = titles.findIndex((t) => t === 'Kế hoạch sử dụng đất đai năm 2025');
    // first, or tied first (equal scores go by dataset number, i.e. first publication)
    expect(search.run('dat dai').scores[land]).toBe(search.run('dat dai').scores[0]);
    // "đặt hàng … Đài" and "Chiều dài … đạt chuẩn" hold both syllables apart: after every land dataset
    const apart = ['Kế hoạch đặt hàng dịch vụ sự nghiệp công của Đài Phát thanh và Truyền hình', 'Chiều dài đường giao thông nông thôn đạt chuẩn'];
    const together = titles.filter((t) => !apart.includes(t));
    for (const t of apart) if (titles.includes(t)) expect(titles.indexOf(t), t).toBeGreaterThan(titles.indexOf(together.at(-1)!));
  });
  it('puts whole syllables before prefixes, and pairs before scattered words (do thi, nha thu, giao d, dak d)', () => {
    expect(top('do thi', 2).sort()).toEqual(['Danh sách đô thị loại I, II, III trên địa bàn tỉnh', 'Quy hoạch chung đô thị Pleiku']);
    expect(search.titles('do thi').indexOf('Thiệt hại do bão và áp thấp nhiệt đới năm 2024')).toBeGreaterThan(1);
    expect(top('nha thu', 1)).toEqual(['Danh sách nhà thuốc đạt chuẩn GPP']);
    const giao = search.titles('giao d');
    const lastEducation = Math.max(...giao.map((t, i) => (/giáo dục/i.test(t) && unitOf.get(t) !== 'so-giao-duc-va-dao-tao' ? i : -1)));
    for (const other of ['Danh sách cơ sở tôn giáo được công nhận', 'Tuyến đường giao thông xã Đak Đoa']) {
      if (giao.includes(other)) expect(giao.indexOf(other), other).toBeGreaterThan(lastEducation);
    }
    const dak = search.titles('dak d');
    const lastDoa = Math.max(...dak.map((t, i) => (/Đak Đoa/.test(t) ? i : -1)));
    const firstPo = dak.findIndex((t) => /Đak Pơ/.test(t));
    expect(firstPo === -1 || firstPo > lastDoa).toBe(true);
  });
  it('matches the last syllable as a prefix while typing, the others whole', () => {
    const benh = search.titles('benh v');
    expect(benh.slice(0, 2).sort()).toEqual(['Danh sách bệnh viện công lập và tư nhân', 'Số giường bệnh theo bệnh viện']);
    expect(benh.length).toBeGreaterThan(2); // "bệnh" with another word starting with v elsewhere, after them
    expect(search.titles('ben vien')).toEqual([]); // "ben" is not a prefix there: it is a whole word and must be typed whole
  });
  it('puts exact accents first when the query has them', () => {
    expect(top('dân sự', 2).every((t) => t.includes('dân sự'))).toBe(true);
    expect(top('dân số', 3).every((t) => /[Dd]ân số/.test(t))).toBe(true);
    expect(top('trưởng thôn', 3).every((t) => t.includes('trưởng thôn'))).toBe(true);
    expect(top('Đak Pơ', 3).every((t) => t.includes('Đak Pơ'))).toBe(true);
    // the same letters without accents find both, as typed citizens expect
    expect(search.titles('dan su').some((t) => t.includes('dân sự'))).toBe(true);
  });
  it('ranks the title before keywords before the description', () => {
    const s = searchInMemory(catalogOf([
      summary({ title: 'Báo cáo năm 2024', notes: 'Số liệu về cà phê của tỉnh.' }, 0),
      summary({ title: 'Báo cáo quý 3', tags: ['cà phê'] }, 1),
      summary({ title: 'Sản lượng cà phê theo xã' }, 2),
    ]));
    expect(s.titles('ca phe')).toEqual(['Sản lượng cà phê theo xã', 'Báo cáo quý 3', 'Báo cáo năm 2024']);
  });
  it('lists nothing for nonsense, and nothing for a known word next to an unknown one', () => {
    for (const q of ['xyzw', 'qwerty asdf', 'iphone 15 pro max', 'bong da ngoai hang anh', 'dat dai xyz', 'so y te kfc']) expect(search.titles(q), q).toEqual([]);
  });
});

describe('the labelled query set', () => {
  it.each(['accent-free', 'd-for-đ', 'unit', 'pair', 'typing', 'accented'] as QueryClass[])('finds what %s queries mean: recall@10 and MRR ≥ 0.95', (cls) => {
    const datasets = realisticDatasets();
    const scores = QUERIES.filter((q) => q.cls === cls).map((q) => ({ q: q.q, ...judge(search.slugs(q.q), new Set(datasets.filter(q.relevant).map((d) => d.slug))) }));
    const mean = (k: 'recall' | 'rr') => scores.reduce((s, x) => s + x[k], 0) / scores.length;
    expect(mean('recall'), JSON.stringify(scores.filter((s) => s.recall < 1))).toBeGreaterThanOrEqual(0.95);
    expect(mean('rr'), JSON.stringify(scores.filter((s) => s.rr < 1))).toBeGreaterThanOrEqual(0.95);
  });
});

describe('the API and the site share one search', () => {
  const dir = tempDir('portal-search-api-');
  fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
  writeSearchData(catalog, path.join(dir, 'search'));
  const snap: LoadedSnapshot = { dir, catalog, bySlug: new Map(catalog.datasets.map((d) => [d.slug, d])), byId: new Map(catalog.datasets.map((d) => [d.id, d])) };
  const input = { fq: [], rows: 1000, start: 0, facet: false, facetFields: [], facetLimit: 50, facetMincount: 1 };

  it.each(['so y te', 'dat dai', 'giao d', 'đất đai', 'ubnd xa ia ly ho ngheo', 'nha thu', 'xyzw'])('package_search q=%s finds the datasets the site finds, with its scores', (q) => {
    const site = search.run(q);
    const order = searchOrder(catalog).order;
    const siteScores = new Map([...site.ids].map((id, j) => [catalog.datasets[order[id]!]!.slug, site.scores[j]!]));
    const api = runQuery(snap, { ...input, q, sort: '' });
    expect(api.count).toBe(site.ids.length);
    expect(new Map(api.results.map((d) => [d.slug, siteScores.get(d.slug)]))).toEqual(siteScores);
    // CKAN's default order: score, then the newest change among equal scores
    const scores = api.results.map((d) => siteScores.get(d.slug)!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
  it('reads the same files from disk as the browser fetches', () => {
    const disk = new SearchData(path.join(dir, 'search'));
    expect([...disk.search('so y te').ids]).toEqual([...search.run('so y te').ids]);
  });
  it('keeps CKAN filters and facets working with q', () => {
    const r = runQuery(snap, { ...input, q: 'dan so', fq: ['organization:thong-ke-tinh'], sort: '', facet: true, facetFields: ['organization'] });
    expect(r.results.map((d) => d.title).sort()).toEqual(['Dân số trung bình theo xã, phường', 'Dân số và mật độ dân số năm 2024']);
    expect(r.facets.organization).toEqual({ 'thong-ke-tinh': 2 });
  });
});
