import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeIds, decodeVarints, FACET_NAMES, SORTS, type FacetsFile, type RowsFile, type SearchMeta, type SortFile, type UnitFile } from '../server/contract/search.ts';
import type { SnapshotCatalog, SnapshotDatasetSummary } from '../server/contract/snapshot.ts';
import { searchOrder, updateSearchData, writeSearchData, type SearchBuildOptions } from '../server/publish/search-index.ts';
import { syntheticCatalog } from '../server/bench/site.ts';
import { QUERIES, realisticCatalog } from './helpers/search-catalogue.ts';
import { tempDir } from './helpers/fixtures.ts';
import { searchOver } from './helpers/search-memory.ts';

/**
 * Search data brought up to date publish after publish (updateSearchData) answers every query as a
 * full build of the final catalogue does: the same datasets in the same order with the same scores,
 * the same unit suggestions, facet counts, sort orders and result rows.
 */

const clone = (c: SnapshotCatalog): SnapshotCatalog => structuredClone(c);
const at = (day: number) => new Date(Date.UTC(2026, 0, 1 + day)).toISOString();

/** Everything a visitor can see of the search data in `dir`, by slug (numbers may differ between builds; their order may not). */
function observe(catalog: SnapshotCatalog, dir: string, queries: string[]) {
  const read = (rel: string) => { const f = path.join(dir, rel); return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined; };
  const s = searchOver(catalog, read);
  const meta = JSON.parse(read('meta.json')!) as SearchMeta;
  const order = searchOrder(catalog, dir).order;
  const slug = (id: number) => catalog.datasets[order[id]!]!.slug;
  const results = Object.fromEntries(queries.map((q) => {
    const r = s.run(q);
    return [q, { hits: [...r.ids].map((id, j) => `${slug(id)} ${r.scores[j]}`), units: r.units.map((u) => `${u.slug} ${u.count} ${u.covered.join(',')}`) }];
  }));
  const fx = JSON.parse(read(s.index.paths.facets)!) as FacetsFile;
  const facets = Object.fromEntries(FACET_NAMES.map((f) => [f, Object.fromEntries(fx.facets[f].values.map((v, i) => [v, [...decodeIds(fx.facets[f].p[i]!)].map(slug).sort()]))]));
  const live = order.flatMap((i, id) => (i >= 0 ? [id] : []));
  const sorts = Object.fromEntries(SORTS.map((name) => {
    const k = decodeVarints((JSON.parse(read(s.index.paths.sort(name))!) as SortFile).k);
    return [name, [...live].sort((a, b) => k[b]! - k[a]! || a - b).map(slug)];
  }));
  const rows: Record<string, unknown> = {};
  for (let c = 0; c * meta.rowsPer < meta.n; c++) {
    (JSON.parse(read(s.index.paths.rows(c))!) as RowsFile).rows.forEach((row, i) => {
      const id = c * meta.rowsPer + i;
      expect(row === 0, `row ${id}`).toBe(order[id] === -1);
      if (row !== 0) { expect(row[0]).toBe(slug(id)); rows[row[0]] = row; }
    });
  }
  const units = meta.units.map((u, i) => ({ slug: u.slug, title: u.title, count: u.count, forms: u.forms, members: [...decodeIds((JSON.parse(read(s.index.paths.unit(i))!) as UnitFile).p)].map(slug).sort() }));
  return { live: meta.live, results, facets, sorts, rows, units };
}

/** The changes a publish brings, one after the other: each returns the catalogue after it. */
function changes(start: SnapshotCatalog): ((c: SnapshotCatalog) => void)[] {
  const y = start.datasets.find((d) => d.organization === 'so-y-te')!;
  const other = start.datasets.filter((d) => d.organization !== 'so-y-te');
  const add = (c: SnapshotCatalog, s: Partial<SnapshotDatasetSummary> & { id: string; title: string; organization: string }, day: number) => {
    c.datasets.push({ ...y, slug: s.id, notes: '', tags: [], topics: ['y-te'], createdAt: at(day), modifiedAt: at(day), lastUpdatedAt: at(day), publishedAt: at(day), ...s });
  };
  return [
    (c) => add(c, { id: 'moi-1', title: 'Danh sách phòng khám đa khoa tư nhân', organization: 'so-y-te', tags: ['phòng khám', 'y tế'] }, 1),
    (c) => { const d = c.datasets.find((x) => x.id === other[3]!.id)!; d.title = 'Đất đai và nhà thuốc: bảng giá mới'; d.tags = ['đất đai', 'giá đất', 'nhà thuốc']; d.modifiedAt = at(2); },
    (c) => {
      const i = c.datasets.findIndex((x) => x.id === other[10]!.id);
      const [w] = c.datasets.splice(i, 1);
      (c.withdrawn ??= []).push({ id: w!.id, slug: w!.slug, title: w!.title, organization: { id: `org-${w!.organization}`, slug: w!.organization, title: '' }, reason: 'Sai số liệu', withdrawnAt: at(3), lastVersion: 1, publishedAt: w!.publishedAt, topics: w!.topics });
    },
    (c) => {
      c.organizations.push({ ...c.organizations[0]!, id: 'org-ubnd-xa-bien-ho', slug: 'ubnd-xa-bien-ho', title: 'UBND xã Biển Hồ', titleEn: null });
      add(c, { id: 'moi-2', title: 'Danh sách hộ nghèo xã Biển Hồ năm 2026', organization: 'ubnd-xa-bien-ho', tags: ['hộ nghèo'] }, 4);
    },
    (c) => {
      // a unit renamed: its datasets name it again (as the snapshot's assembly patches them)
      const o = c.organizations.find((x) => x.slug === 'so-y-te')!;
      o.slug = 'so-y-te-tinh'; o.title = 'Sở Y tế và Dân số tỉnh Gia Lai';
      for (const d of c.datasets) if (d.organization === 'so-y-te') d.organization = 'so-y-te-tinh';
    },
    (c) => { const d = c.datasets.find((x) => x.id === 'moi-1')!; d.title = 'Danh sách phòng khám tư nhân được cấp phép'; d.freshness = 'overdue'; },
    (c) => { c.datasets.splice(c.datasets.findIndex((x) => x.id === other[20]!.id), 1); }, // removed for good: its number stays a hole
    (c) => add(c, { id: 'moi-3', title: 'Giá đất ở đô thị Pleiku', organization: 'so-nong-nghiep-va-moi-truong', tags: ['giá đất'] }, 5),
    (c) => { for (const d of c.datasets.slice(0, 40)) d.freshness = d.freshness === 'overdue' ? 'up-to-date' : 'overdue'; }, // statuses move with the day
  ];
}

const QUERY_SET = [...new Set([...QUERIES.map((q) => q.q), 'phong kham', 'phòng khám', 'bien ho', 'ubnd xa bien ho', 'so y te', 'y te dan so', 'dat dai', 'đất đai', 'gia dat', 'nha thu', 'giao d', 'ho ngheo', 'd', 'ph', 'so y te phong kham', 'sở y tế và dân số'])];

function runSequence(opts: SearchBuildOptions) {
  const root = tempDir('portal-search-update-');
  let catalog = realisticCatalog();
  expect(catalog.organizations.some((o) => o.slug === 'so-nong-nghiep-va-moi-truong')).toBe(true);
  let dir = path.join(root, 'step-0');
  writeSearchData(catalog, dir, opts);
  const updates = [];
  for (const [i, change] of changes(catalog).entries()) {
    const next = clone(catalog);
    change(next);
    const out = path.join(root, `step-${i + 1}`);
    updates.push(updateSearchData(dir, catalog, next, out, opts));
    // numbers never move
    const before = (JSON.parse(fs.readFileSync(path.join(dir, '.state.json'), 'utf8')) as { ids: string[] }).ids;
    const now = (JSON.parse(fs.readFileSync(path.join(out, '.state.json'), 'utf8')) as { ids: string[] }).ids;
    expect(now.slice(0, before.length)).toEqual(before);
    // and the result equals a full build of the same catalogue
    const full = path.join(root, `full-${i + 1}`);
    writeSearchData(next, full, opts);
    expect(observe(next, out, QUERY_SET), `after change ${i + 1}`).toEqual(observe(next, full, QUERY_SET));
    catalog = next;
    dir = out;
  }
  fs.rmSync(root, { recursive: true, force: true });
  return updates;
}

describe('search data updated publish after publish', () => {
  it('answers every query, facet, sort and row as a full build of the final catalogue does (tail shards)', () => {
    const updates = runSequence({ shardBytes: 6000 });
    expect(updates.every((u) => !u.full)).toBe(true);
    expect(updates.at(-1)!.stats.tail).toBeGreaterThan(3);
  });
  it('and so when the tail grows past its limit and the main index is written again', () => {
    const updates = runSequence({ shardBytes: 6000, tailDatasets: 2 });
    expect(updates.some((u) => u.stats.keys > 0)).toBe(true); // the main index written again at least once
    expect(updates.some((u) => u.stats.keys === 0)).toBe(true);
  });
  it('gives a query the same results whichever shard size (the main index\'s cut does not matter)', () => {
    const root = tempDir('portal-search-cut-');
    const c = realisticCatalog();
    writeSearchData(c, path.join(root, 'a'), { shardBytes: 3000 });
    writeSearchData(c, path.join(root, 'b'));
    expect(observe(c, path.join(root, 'a'), QUERY_SET).results).toEqual(observe(c, path.join(root, 'b'), QUERY_SET).results);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('a one-dataset publish', () => {
  it('writes a handful of files and links every other one, unchanged, from the previous data', () => {
    const root = tempDir('portal-search-files-');
    const before = syntheticCatalog(3000);
    writeSearchData(before, path.join(root, 'a'));
    const after = clone(before);
    after.datasets.push({ ...after.datasets[0]!, id: 'id-new', slug: 'du-lieu-moi', title: 'Danh sách nhà thuốc đạt chuẩn năm 2026', publishedAt: at(400), createdAt: at(400) });
    const u = updateSearchData(path.join(root, 'a'), before, after, path.join(root, 'b'));
    expect(u.full).toBe(false);
    // meta, state, a tail shard or a few, the last rows file, facets, the sort files, the unit's postings
    expect(u.written).toBeLessThanOrEqual(20);
    expect(u.linked).toBeGreaterThan(90);
    const list = (d: string) => fs.readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(d, path.join(e.parentPath, e.name)));
    let same = 0;
    for (const rel of list(path.join(root, 'b'))) {
      const was = fs.statSync(path.join(root, 'a', rel), { throwIfNoEntry: false });
      if (was && rel !== 'meta.json' && rel !== '.state.json') { expect(was.ino, rel).toBe(fs.statSync(path.join(root, 'b', rel)).ino); same++; }
    }
    expect(same).toBe(u.linked);
    // an edit of one title: no more
    const edited = clone(after);
    edited.datasets[5]!.title = 'Số liệu dân số trung bình toàn tỉnh';
    const v = updateSearchData(path.join(root, 'b'), after, edited, path.join(root, 'c'));
    expect(v.written).toBeLessThanOrEqual(20);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
