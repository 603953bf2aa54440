import lunr from 'lunr';
import { FIELDS, toSearchDoc, type SearchDoc, type SearchDocsFile, type SearchEntry, type SearchIndexFile } from '../contract/search.ts';
import type { SnapshotCatalog } from '../contract/snapshot.ts';
import { localDate, STATUS_LABELS } from '../freshness/due.ts';

const plain = (md: string) => md.replace(/[#*_>`[\]()]/g, '').replace(/\s+/g, ' ').trim();

/** Built with the snapshot: the lunr index (numeric refs into docs) and the result rows. */
export function buildSearchIndex(catalog: SnapshotCatalog): { index: SearchIndexFile; docs: SearchDocsFile } {
  const docs: SearchEntry[] = [];
  const searchDocs = catalog.datasets.map((d, i) => {
    const notes = plain(d.notes);
    docs.push({
      slug: d.slug, title: d.title, org: d.organization, formats: d.formats, updated: localDate(new Date(d.lastUpdatedAt ?? d.modifiedAt)),
      published: localDate(new Date(d.publishedAt ?? d.modifiedAt)), excerpt: notes.slice(0, 120), topics: d.topics, tags: d.tags, license: d.licenseId,
      status: d.freshness, due: d.nextDueDate,
    });
    // descriptions are not indexed: they tripled the index for little gain (bench:site); titles and keywords are
    return toSearchDoc(i, { title: d.title, tags: d.tags.join(' ') });
  });
  const labels = {
    org: Object.fromEntries(catalog.organizations.map((o) => [o.slug, o.title])),
    topic: Object.fromEntries(catalog.topics.map((t) => [t.id, t.title])),
    license: Object.fromEntries(catalog.licences.map((l) => [l.id, l.title])),
    status: STATUS_LABELS as Record<string, string>,
  };
  return { index: { index: buildIndex(searchDocs).toJSON() }, docs: { docs, labels } };
}

/** The lunr index of the catalogue, built at publish time with empty pipelines (see contract/search.ts). */
export function buildIndex(docs: SearchDoc[]): lunr.Index {
  return lunr(function () {
    this.pipeline.reset();
    this.searchPipeline.reset();
    this.ref('ref');
    for (const [f, boost] of Object.entries(FIELDS)) this.field(`${f}_f`, { boost });
    for (const d of docs) this.add(d);
  });
}
