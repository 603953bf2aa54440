import { describe, expect, it } from 'vitest';
import lunr from 'lunr';
import { search, toSearchDoc, words } from '../server/contract/search.ts';
import { buildIndex } from '../server/publish/search-index.ts';
import { foldVietnamese } from '../server/contract/text.ts';

const docs = [
  'Dân số trung bình theo xã, phường',
  'Đất đai: bảng giá đất giai đoạn 2025–2029',
  'Danh sách trường học: giáo dục mầm non và phổ thông',
  'Dương lịch và âm lịch các ngày lễ',
  'Đường giao thông nông thôn',
  'Số liệu do Sở Tài chính công bố',
];
const index = buildIndex(docs.map((t, i) => toSearchDoc(i, { title: t, tags: '' })));
const titles = (q: string) => search(index, q, (ref) => docs[ref]!).map((r) => docs[r.ref]);

describe('Vietnamese folding', () => {
  it('removes tones and vowel marks and maps đ to d, which Unicode normalisation alone leaves', () => {
    expect(foldVietnamese('Đất đai Dữ liệu Mỹ Thủy')).toBe('Dat dai Du lieu My Thuy');
    expect('đ'.normalize('NFD')).toBe('đ');
  });
  it('splits on punctuation and keeps Vietnamese letters whole (no trimming of ữ)', () => {
    expect(words('Dữ liệu: dân số, 2025–2029')).toEqual(['dữ', 'liệu', 'dân', 'số', '2025', '2029']);
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
  it('survives serialisation: the browser loads the index as JSON without registering anything', () => {
    const loaded = lunr.Index.load(JSON.parse(JSON.stringify(index)));
    expect(search(loaded, 'dan so').map((r) => docs[r.ref])).toEqual(['Dân số trung bình theo xã, phường']);
  });
});
