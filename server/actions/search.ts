import { defineAction } from './dispatcher.ts';
import { rules } from './auth.ts';
import { SearchQueryError } from './errors.ts';
import { bool, int, str, stringList, z } from './params.ts';
import { cachedPackageDict } from './dict-cache.ts';
import { runQuery, SearchQueryProblem } from '../publish/query.ts';

/** Parameters CKAN's package_search takes; the advanced Solr ones are accepted and have no effect here. */
const KNOWN = new Set([
  'q', 'fq', 'fq_list', 'rows', 'start', 'sort', 'facet', 'facet.field', 'facet.limit', 'facet.mincount', 'fl',
  'include_private', 'include_drafts', 'include_deleted', 'use_default_schema', 'qf', 'wt', 'bf', 'boost', 'tie', 'defType', 'mm', 'df',
]);

export const packageSearch = defineAction({
  name: 'package_search', write: false, auth: rules.anyone,
  help: [
    'Tìm bộ dữ liệu như CKAN: q (tiếng Việt có dấu hoặc không dấu, đ = d, tiền tố khi đang gõ), fq và fq_list (organization:, groups:, tags:, res_format:, license_id:, metadata_modified:[… TO *]),',
    'rows (tối đa 1000), start, sort (score desc, metadata_modified desc | metadata_modified desc | title_string asc | name asc | id asc), facet.field, facet.limit, facet.mincount.',
    'Trả về count, results (package dict đầy đủ), facets và search_facets. / Search datasets as CKAN does.',
  ].join(' '),
  input: z.preprocess((raw) => {
    const unknown = Object.keys(raw as object).filter((k) => !KNOWN.has(k) && !k.startsWith('ext_'));
    if (unknown.length) throw new SearchQueryError(`Search Query is invalid: Invalid search parameters: ${JSON.stringify(unknown.slice(0, 10))}`, 'unknown-parameter');
    return Object.fromEntries(Object.entries(raw as object).filter(([k]) => !k.startsWith('ext_')));
  }, z.object({
    q: str(1000, 'q').optional(),
    fq: str(5000, 'fq').optional(),
    fq_list: stringList('fq_list').optional(),
    rows: int({ min: 0, max: 1000, label: 'rows' }).optional(),
    start: int({ min: 0, label: 'start' }).optional(),
    sort: str(200, 'sort').optional(),
    facet: bool.optional(),
    'facet.field': stringList('facet.field').optional(),
    'facet.limit': int({ label: 'facet.limit' }).optional(),
    'facet.mincount': int({ min: 0, label: 'facet.mincount' }).optional(),
    fl: str(500, 'fl').optional(),
    include_private: bool.optional(), include_drafts: bool.optional(), include_deleted: bool.optional(), use_default_schema: bool.optional(),
    qf: z.string().max(500).optional(), wt: z.string().max(20).optional(), bf: z.string().max(500).optional(), boost: z.string().max(500).optional(),
    tie: z.unknown().optional(), defType: z.string().max(50).optional(), mm: z.string().max(50).optional(), df: z.string().max(50).optional(),
  }).strict()),
  async handler(run, input) {
    const snap = run.services.snapshot.current();
    const empty = { count: 0, sort: input.sort ?? 'score desc, metadata_modified desc', results: [], facets: {}, search_facets: {} };
    if (!snap) return empty;
    let r;
    try {
      r = runQuery(snap, {
        q: input.q ?? '', fq: [input.fq ?? '', ...(input.fq_list ?? [])].filter((f) => f.trim()), sort: input.sort ?? '',
        rows: input.rows ?? 10, start: input.start ?? 0, facet: input.facet ?? true, facetFields: input['facet.field'] ?? [],
        facetLimit: input['facet.limit'] ?? 50, facetMincount: input['facet.mincount'] ?? 1,
      }, run.now);
    } catch (err) {
      if (err instanceof SearchQueryProblem) throw new SearchQueryError(err.message === 'Invalid "sort" parameter' ? 'Search Query is invalid: Invalid "sort" parameter' : `Search Query is invalid: ${err.message}`);
      throw err;
    }
    const fields = input.fl && input.fl.trim() !== '*' ? input.fl.split(/[\s,]+/).filter(Boolean) : null;
    const results = r.results.map((s) => {
      const raw = cachedPackageDict(run, snap, s.slug)!;
      if (!fields) return raw;
      const dict = JSON.parse(raw.json) as Record<string, unknown>;
      return Object.fromEntries(fields.map((f) => [f, dict[f] ?? null]));
    });
    return { count: r.count, sort: r.sort, results, facets: r.facets, search_facets: r.search_facets };
  },
});
