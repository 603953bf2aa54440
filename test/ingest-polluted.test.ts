import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ingestFile, type IngestReport } from '../server/ingest/index.ts';
import { schema, type Database } from '../server/db/index.ts';
import { UploadedFile, ValidationError } from '../server/actions/index.ts';
import { testCatalog, unit, type TestCatalog } from './helpers/catalog.ts';
import { databases } from './helpers/databases.ts';
import { fixture, tempDir, tempStore } from './helpers/fixtures.ts';
import { demoTables, pollute, serialize, type DemoTable, type Variant } from './helpers/polluter.ts';

/**
 * The demo catalogue's tables, each polluted in every way test/helpers/polluter.ts knows, at each
 * row and column of a sample: every variant must be either rejected with its first error at the
 * row (and column) of the fault, or published as exactly the clean table. A wrong table published
 * as valid fails here.
 */

interface Ingested { report: IngestReport; json: Record<string, unknown>[] | undefined; jsonSha256?: string }

async function ingestText(text: string): Promise<Ingested> {
  const { store } = tempStore();
  const file = fixture('du-lieu.csv', text);
  const r = await ingestFile(file, { store, originalName: 'du-lieu.csv' });
  const json = r.outputs ? JSON.parse(fs.readFileSync(store.pathOf(r.outputs.json.sha256), 'utf8')) as Record<string, unknown>[] : undefined;
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  fs.rmSync(store.root, { recursive: true, force: true });
  return { report: r.report, json, jsonSha256: r.outputs?.json.sha256 };
}

const typesOf = (r: IngestReport) => r.fields.map((f) => `${f.name}:${f.type}`);

/** Why a variant's outcome is wrong, or null. */
function judge(v: Variant, got: Ingested, clean: Ingested): string | null {
  const { report } = got;
  const e = v.expect;
  const errors = report.errors.map((x) => `${x.type}@${x.rowNumber ?? '-'}:${x.fieldNumber ?? '-'}`).slice(0, 6).join(' ');
  if (e.outcome === 'rejected') {
    if (report.valid) return `được công bố, phải bị từ chối ở hàng ${e.rowNumber}`;
    if (report.errorCount === 0 || report.errors.length === 0) return 'bị từ chối mà không có lỗi nào';
    const first = Math.min(...report.errors.map((x) => x.rowNumber ?? 0));
    const hit = report.errors.some((x) => x.rowNumber === e.rowNumber && e.types.includes(x.type) && (e.fieldNumber === undefined || x.fieldNumber === e.fieldNumber));
    if (first !== e.rowNumber || !hit) return `phải có lỗi ${e.types.join('/')} ở hàng ${e.rowNumber}, cột ${e.fieldNumber ?? '?'} (và không lỗi nào trước đó); có: ${errors}`;
    return null;
  }
  if (!report.valid) return `bị từ chối, phải được công bố: ${errors}`;
  const warned = new Set(report.warnings.map((w) => w.type));
  const missing = e.warnings.filter((w) => !warned.has(w));
  if (missing.length) return `thiếu cảnh báo ${missing.join(', ')}`;
  const cleanWarnings = new Set(clean.report.warnings.map((w) => w.type));
  const extra = [...warned].filter((w) => !e.warnings.includes(w as never) && !cleanWarnings.has(w));
  if (extra.length) return `cảnh báo không mong đợi: ${extra.join(', ')}`;
  if (!e.headerless) {
    if (JSON.stringify(typesOf(report)) !== JSON.stringify(typesOf(clean.report))) return `cột khác bảng sạch: ${typesOf(report).join(', ')}`;
    if (got.jsonSha256 !== clean.jsonSha256) return 'dữ liệu công bố khác bảng sạch';
    return null;
  }
  // no header row: the same values, in the same places, under generated names
  const names = clean.report.fields.map((_, i) => `cot_${i + 1}`);
  if (JSON.stringify(report.fields.map((f) => f.name)) !== JSON.stringify(names)) return `tên cột: ${report.fields.map((f) => f.name).join(', ')}`;
  const text = (rows: Record<string, unknown>[]) => rows.map((row) => Object.values(row).map((x) => (x === null ? '' : String(x))).join('\u0001'));
  if (JSON.stringify(text(got.json!)) !== JSON.stringify(text(clean.json!))) return 'giá trị khác bảng sạch';
  return null;
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const tables = demoTables();

describe('polluted demo tables: rejected where the fault is, or published exactly clean', () => {
  it('has the demo tables and every kind of fault in its corpus', () => {
    expect(tables.length).toBeGreaterThanOrEqual(8);
    const variants = tables.flatMap(pollute);
    expect(variants.length).toBeGreaterThan(1000);
    expect(variants.some((v) => v.expect.outcome === 'rejected')).toBe(true);
    expect(variants.some((v) => v.expect.outcome === 'published')).toBe(true);
  });

  for (const t of tables) {
    it(t.name, async () => {
      const clean = await ingestText(serialize(t));
      expect(clean.report.valid, JSON.stringify(clean.report.errors)).toBe(true);
      expect(clean.report.rowCount).toBe(t.rows.length - 1);
      const variants = pollute(t);
      const results = await inBatches(variants, 8, async (v) => ({ v, why: judge(v, await ingestText(v.text), clean) }));
      const wrong = results.filter((r) => r.why).map((r) => `${r.v.name}: ${r.why}`);
      expect(wrong, `${wrong.length} / ${variants.length} biến thể sai`).toEqual([]);
    }, 120_000);
  }
});

/** The clean table and one variant of each fault of a table, through publishing on each database. */
function publishCases(t: DemoTable): Variant[] {
  const seen = new Set<string>();
  return pollute(t).filter((v) => !seen.has(v.kind) && seen.add(v.kind));
}

for (const target of databases) {
  describe(`polluted tables published on ${target.name}`, () => {
    let database: Database;
    let c: TestCatalog;
    beforeAll(async () => {
      database = await target.open();
      c = testCatalog(database);
      await unit(c, 'so-thu-nghiem', 'Sở Thử nghiệm');
    });
    afterAll(async () => { await database?.close(); });

    const t = tables.find((x) => x.name.includes('tuyen-xe-buyt')) ?? tables[0]!;
    it(`${t.name}: a rejected variant leaves no dataset, a published one is the clean table`, async () => {
      const clean = await ingestText(serialize(t));
      const wrong: string[] = [];
      for (const [i, v] of publishCases(t).entries()) {
        const file = fixture('du-lieu.csv', v.text);
        const slug = `bien-the-${i}`;
        // the way a unit publishes: package_create with the file (a rejected file raises, and nothing is stored)
        const outcome = await c.actions.call('package_create', c.system, {
          name: slug, title: `Biến thể ${i}: ${v.name}`.slice(0, 200), owner_org: 'so-thu-nghiem', license_id: 'CC-BY-4.0',
          upload: new UploadedFile(file, 'du-lieu.csv'), resource_name: 'du-lieu', resource_title: 'Dữ liệu', note: 'thử',
        }).then((out) => ({ status: out.result.status }), (err) => {
          if (err instanceof ValidationError && err.fields.upload) return { status: 'invalid' };
          throw err;
        });
        const [dataset] = await database.db.select({ id: schema.datasets.id }).from(schema.datasets).where(eq(schema.datasets.slug, slug));
        if (v.expect.outcome === 'rejected') {
          if (outcome.status !== 'invalid' || dataset) wrong.push(`${v.name}: ${outcome.status}`);
          continue;
        }
        if (outcome.status !== 'published' || !dataset) { wrong.push(`${v.name}: ${outcome.status}`); continue; }
        const [res] = await database.db.select({ json: schema.versionResources.jsonSha256 }).from(schema.versionResources)
          .innerJoin(schema.datasetVersions, eq(schema.datasetVersions.id, schema.versionResources.versionId))
          .where(eq(schema.datasetVersions.datasetId, dataset.id));
        if (!v.expect.headerless && res?.json !== clean.jsonSha256) wrong.push(`${v.name}: dữ liệu công bố khác bảng sạch`);
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  });
}
