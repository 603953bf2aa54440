import { describe, expect, it } from 'vitest';
import { canonicalTone, decodeIds, decodeVarints, encodeIds, encodeVarints, words } from '../server/contract/search.ts';
import { foldVietnamese } from '../server/contract/text.ts';
import { catalogOf, searchInMemory, summary } from './helpers/search-memory.ts';
import { searchOrder } from '../server/publish/search-index.ts';

const docs = [
  'Dân số trung bình theo xã, phường',
  'Đất đai: bảng giá đất giai đoạn 2025–2029',
  'Danh sách trường học: giáo dục mầm non và phổ thông',
  'Dương lịch và âm lịch các ngày lễ',
  'Đường giao thông nông thôn',
  'Số liệu do Sở Tài chính công bố',
];
const search = searchInMemory(catalogOf(docs.map((title, i) => summary({ title }, i))));
const titles = search.titles;

describe('Vietnamese folding', () => {
  it('removes tones and vowel marks and maps đ to d, which Unicode normalisation alone leaves', () => {
    expect(foldVietnamese('Đất đai Dữ liệu Mỹ Thủy')).toBe('Dat dai Du lieu My Thuy');
    expect('đ'.normalize('NFD')).toBe('đ');
  });
  it('splits on punctuation and keeps Vietnamese letters whole (no trimming of ữ)', () => {
    expect(words('Dữ liệu: dân số, 2025–2029')).toEqual(['dữ', 'liệu', 'dân', 'số', '2025', '2029']);
  });
  it('puts the tone mark where the new spelling puts it, so both spellings are the same exact form', () => {
    expect(['hoà', 'thuỷ', 'khoẻ', 'quả', 'quý', 'hòa', 'thuế', 'huỳnh'].map(canonicalTone)).toEqual(['hòa', 'thủy', 'khỏe', 'quả', 'quý', 'hòa', 'thuế', 'huỳnh']);
    expect(words('Thuỷ lợi Hoà Bình')).toEqual(['thủy', 'lợi', 'hòa', 'bình']);
  });
});

describe('catalogue search', () => {
  it('finds accented text from a query without accents', () => {
    expect(titles('dan so')).toEqual(['Dân số trung bình theo xã, phường']);
    expect(titles('dat dai')).toEqual(['Đất đai: bảng giá đất giai đoạn 2025–2029']);
  });
  it('treats đ and d as the same letter', () => {
    expect(titles('đuong')).toContain('Đường giao thông nông thôn');
    expect(titles('duong')).toEqual(expect.arrayContaining(['Đường giao thông nông thôn', 'Dương lịch và âm lịch các ngày lễ']));
  });
  it('matches the last word as a prefix while typing', () => {
    expect(titles('giao d')).toEqual(expect.arrayContaining(['Danh sách trường học: giáo dục mầm non và phổ thông', 'Đường giao thông nông thôn']));
    expect(titles('giao d')).toHaveLength(2); // both have "giao" and a word starting with d/đ; nothing else does
    expect(titles('giao duc')).toEqual(['Danh sách trường học: giáo dục mầm non và phổ thông']);
  });
  it('keeps short folded syllables that an English stop-word list would drop (số → so, do)', () => {
    expect(titles('so lieu do')).toEqual(['Số liệu do Sở Tài chính công bố']);
  });
  it('ranks an exact-accent match before other foldings of the same letters', () => {
    expect(titles('đường')[0]).toBe('Đường giao thông nông thôn');
    expect(titles('dương')[0]).toBe('Dương lịch và âm lịch các ngày lễ');
  });
  it('survives serialisation: every file is plain JSON the browser parses as it is', () => {
    for (const [, text] of search.files) expect(() => JSON.parse(text)).not.toThrow();
    expect(titles('dan so')).toEqual(['Dân số trung bình theo xã, phường']);
  });
});

describe('postings', () => {
  it('writes numbers as base-64 varints and dataset numbers as deltas, and reads them back', () => {
    const values = [0, 1, 31, 32, 1023, 1024, 2 ** 20 - 1, 5];
    expect([...decodeVarints(encodeVarints(values))]).toEqual(values);
    const ids = [0, 1, 2, 3, 90, 91, 100_000];
    expect([...decodeIds(encodeIds(ids))]).toEqual(ids);
    expect(encodeIds([0, 1, 2, 3])).toBe('BBBB'); // a dense list is a run of one letter
  });
});

describe('what the search data holds', () => {
  it('leaves out a record whose name breaks the name rule, as the site leaves out its page', () => {
    const s = searchInMemory(catalogOf([summary({ title: 'Dân số', slug: '../dan-so' }, 0), summary({ title: 'Dân số xã', slug: 'dan-so-xa' }, 1)]));
    expect(s.slugs('dan so')).toEqual(['dan-so-xa']);
    expect(s.meta.live).toBe(1);
    expect(s.meta.n).toBe(2); // its number is a hole, never a result
  });
  it('numbers datasets by first publication, withdrawn ones too (holes), and lists each unit\'s numbers', () => {
    const cat = catalogOf(
      [summary({ title: 'B', organization: 'so-y-te' }, 2), summary({ title: 'A', organization: 'so-noi-vu' }, 1), summary({ title: 'C', organization: 'so-y-te' }, 4)],
      { 'so-y-te': 'Sở Y tế tỉnh Gia Lai', 'so-noi-vu': 'Sở Nội vụ tỉnh Gia Lai' },
    );
    cat.withdrawn = [{ id: 'gone', slug: 'gone', title: 'D', organization: { id: 'org-so-y-te', slug: 'so-y-te', title: 'Sở Y tế tỉnh Gia Lai' }, reason: 'x', withdrawnAt: new Date(Date.UTC(2025, 5, 1)).toISOString(), lastVersion: 1, publishedAt: new Date(Date.UTC(2025, 0, 4)).toISOString() }];
    const s = searchInMemory(cat);
    expect(searchOrder(cat).order.map((i) => cat.datasets[i]?.title ?? null)).toEqual(['A', 'B', null, 'C']);
    expect(s.meta.units.map((u) => [u.slug, u.count])).toEqual([['so-noi-vu', 1], ['so-y-te', 2]]);
    const unit = s.meta.units.findIndex((u) => u.slug === 'so-y-te');
    expect([...decodeIds((JSON.parse(s.files.get(s.index.paths.unit(unit))!) as { p: string }).p)]).toEqual([1, 3]);
  });
});
