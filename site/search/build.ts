import lunr from 'lunr';
import { FIELDS, type SearchDoc } from './shared.ts';

/** The lunr index of the catalogue, built at publish time with empty pipelines (see shared.ts). */
export function buildIndex(docs: SearchDoc[]): lunr.Index {
  return lunr(function () {
    this.pipeline.reset();
    this.searchPipeline.reset();
    this.ref('ref');
    for (const [f, boost] of Object.entries(FIELDS)) this.field(`${f}_f`, { boost });
    for (const d of docs) this.add(d);
  });
}
