import type lunr from 'lunr';
import { foldVietnamese } from './text.ts';

/**
 * Vietnamese search over the catalogue, shared by the index builder (at publish) and the browser.
 * Folding happens here, before lunr sees any text, and lunr's pipelines are emptied: its trimmer
 * cuts accented letters (dữ → d), its English stop words delete folded syllables (số → so) and its
 * stemmer mangles them. Only the folded words are indexed (what matches); an exact-accent match is
 * ranked first afterwards, on the result's own text, which costs nothing to download (bench:site:
 * indexing titles a second time with accents made the index a third bigger).
 */
// Units are not indexed: every unit's name starts with "Sở"/"UBND", so "so" matched every dataset and
// made the slowest queries (bench:site); the unit facet does that job.
export const FIELDS = { title: 10, tags: 5 } as const;
export type Field = keyof typeof FIELDS;

/** Lower-case words of a text, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text.normalize('NFC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export const fold = (word: string) => foldVietnamese(word);

export interface SearchDoc { ref: number; [field: string]: string | number }

export function toSearchDoc(ref: number, parts: Record<Field, string>): SearchDoc {
  const doc: SearchDoc = { ref };
  for (const f of Object.keys(FIELDS) as Field[]) {
    const w = words(parts[f]);
    doc[`${f}_f`] = w.map(fold).join(' ');
  }
  return doc;
}

/**
 * Every word must match (AND), folded, so "dan so" finds "Dân số" and đ = d; the last word also
 * matches as a prefix while the visitor types ("giao d" → "giáo dục"). A word typed with its
 * accents scores again on the accented fields, so exact-accent matches come first.
 */
// lunr.Query constants (lunr 2.3.9), written out so the browser can load lunr only on the first keystroke
const PRESENCE = { OPTIONAL: 1, REQUIRED: 2 } as const;
const WILDCARD = { NONE: 0, TRAILING: 2 } as const;

export function search(index: lunr.Index, query: string, textOf?: (ref: number) => string): { ref: number; score: number }[] {
  let typed = words(query);
  if (typed.length === 0) return [];
  // A one-letter last word ("giao d") would expand to every indexed word starting with that letter,
  // the slowest lunr query by far (bench:site): match it afterwards on the result's own text instead.
  const letter = typed.length > 1 && typed[typed.length - 1]!.length === 1 && textOf ? fold(typed.pop()!) : null;
  const foldedFields = Object.keys(FIELDS).map((f) => `${f}_f`);
  const results = index.query((q) => {
    typed.forEach((w, i) => {
      const last = i === typed.length - 1 && !letter;
      q.term(fold(w), {
        fields: foldedFields, presence: PRESENCE.REQUIRED,
        wildcard: last ? WILDCARD.TRAILING : WILDCARD.NONE,
      });
    });
  });
  let hits = results.map((r) => ({ ref: Number(r.ref), score: r.score }));
  if (!textOf) return hits;
  if (letter) {
    const startsWord = new RegExp(`(^|[^\\p{L}\\p{N}])${letter}`, 'u');
    hits = hits.filter((h) => startsWord.test(fold(textOf(h.ref).toLowerCase())));
  }
  // words typed with their accents: results that contain them exactly come first
  const accented = typed.filter((w) => fold(w) !== w);
  if (!accented.length) return hits;
  const exact = new Map(hits.map((h) => {
    const own = new Set(words(textOf(h.ref)));
    return [h.ref, accented.filter((w) => own.has(w)).length];
  }));
  return hits.map((h, i) => ({ h, i })).sort((a, b) => exact.get(b.h.ref)! - exact.get(a.h.ref)! || a.i - b.i).map((x) => x.h);
}

/** What a result shows and the facets filter on, without loading the dataset. */
// Kept small, it is downloaded before the first result: unit names come from `labels`, dates are
// calendar days in Asia/Ho_Chi_Minh (yyyy-mm-dd), the excerpt is what a result shows.
export interface SearchEntry {
  slug: string; title: string; org: string; formats: string[]; updated: string; published: string;
  excerpt: string; topics: string[]; tags: string[]; license: string; status: string; due: string | null;
}
export interface SearchIndexFile { index: object }
/** Facet labels and result rows: loaded for filtering; the lunr index only when the visitor types. */
export interface SearchDocsFile { docs: SearchEntry[]; labels: Record<string, Record<string, string>> }
