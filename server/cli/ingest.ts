import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { openPortal } from '../portal.ts';
import { CatalogError, publishVersion, type Actor } from '../catalog/datasets.ts';
import type { DatasetMetadata } from '../catalog/metadata.ts';
import { DEFAULT_FREQUENCY } from '../catalog/vocabularies.ts';
import type { IngestProgress, IngestReport, TableSchema } from '../ingest/index.ts';
import { formatReport } from '../ingest/report.ts';
import { writeSnapshot } from '../publish/snapshot.ts';
import { buildSite } from '../publish/site-build.ts';
import { slugify } from '../contract/text.ts';
import { nameProblem } from '../catalog/names.ts';
import { log } from '../log.ts';

export const USAGE = `Cách dùng:
  npm run ingest -- <tệp> --dataset <slug> [--resource <tên>] [--note "<ghi chú>"]
  npm run ingest -- <tệp> --new --org <đơn vị> --title "<tên bộ dữ liệu>" [--slug <slug>] [--description "<mô tả>"]
Tùy chọn: --sheet <trang tính>  --encoding <bảng mã>  --schema <schema.json>  --new-schema (suy lại lược đồ)
          --report <report.json>  --build-site (dựng lại trang công khai)
Mã thoát: 0 đã công bố phiên bản mới; 1 tệp không hợp lệ; 2 sai tham số hoặc không tìm thấy; 3 không có thay đổi.`;

export const EXIT = { published: 0, invalid: 1, usage: 2, noChange: 3 } as const;
const CLI_ACTOR: Actor = { accountId: null, label: 'cli' };

function mb(bytes: number) { return bytes / 1e6; }

/** Prints bytes and rows per second while a large file is read (stderr; plain lines when not a terminal). */
function startProgress(progress: IngestProgress): () => void {
  const started = Date.now();
  const every = process.stderr.isTTY ? 1000 : 5000;
  const timer = setInterval(() => {
    const s = (Date.now() - started) / 1000;
    const pct = progress.totalBytes ? ` (${Math.round((100 * progress.bytes) / progress.totalBytes)}%)` : '';
    const line = `${progress.phase}: ${mb(progress.bytes).toFixed(1)}/${mb(progress.totalBytes).toFixed(1)} MB${pct}, ${progress.rows.toLocaleString('vi-VN')} hàng — ${(mb(progress.bytes) / s).toFixed(1)} MB/s, ${Math.round(progress.rows / s).toLocaleString('vi-VN')} hàng/s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
    else log('ingest', line);
  }, every);
  timer.unref();
  return () => { clearInterval(timer); if (process.stderr.isTTY) process.stderr.write('\n'); };
}

/** `npm run ingest`: add a version to a dataset, or create one, from a file; returns the exit code. */
export async function runIngestCli(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        dataset: { type: 'string' }, new: { type: 'boolean' }, org: { type: 'string' }, title: { type: 'string' },
        slug: { type: 'string' }, description: { type: 'string' }, resource: { type: 'string' }, note: { type: 'string' },
        sheet: { type: 'string' }, encoding: { type: 'string' }, schema: { type: 'string' }, 'new-schema': { type: 'boolean' },
        report: { type: 'string' }, 'build-site': { type: 'boolean' }, help: { type: 'boolean' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  const { values: o, positionals } = args;
  if (o.help) { console.log(USAGE); return EXIT.published; }
  const writeReport = (report: unknown) => { if (o.report) fs.writeFileSync(o.report, JSON.stringify(report, null, 2) + '\n'); };
  const refuse = (code: string, message: string) => {
    console.error(`Lỗi [${code}]: ${message}`);
    writeReport({ valid: false, errorCount: 1, errors: [{ type: code, message }] });
    return EXIT.usage;
  };
  if (positionals.length !== 1) return refuse('usage', `cần đúng một tệp dữ liệu\n${USAGE}`);
  if (!!o.new === !!o.dataset) return refuse('usage', `dùng --dataset <slug> để thêm phiên bản, hoặc --new để tạo bộ dữ liệu mới\n${USAGE}`);
  // every name that will reach a path or an address is checked before anything is opened or stored
  for (const [flag, kind] of [['slug', 'dataset'], ['dataset', 'dataset'], ['org', 'organization'], ['resource', 'resource']] as const) {
    const problem = o[flag] !== undefined ? nameProblem(kind, o[flag]) : null;
    if (problem) return refuse('invalid-name', `--${flag}: ${problem}`);
  }
  const file = path.resolve(positionals[0]!);
  if (!fs.existsSync(file)) return refuse('source-error', `không tìm thấy tệp "${positionals[0]}"`);
  let declaredSchema: TableSchema | undefined;
  if (o.schema) {
    try {
      declaredSchema = JSON.parse(fs.readFileSync(o.schema, 'utf8')) as TableSchema;
    } catch (err) {
      return refuse('schema-error', `không đọc được lược đồ "${o.schema}" (${(err as Error).message})`);
    }
  }

  const portal = await openPortal();
  try {
    const db = portal.database.db;
    let datasetId: string | undefined;
    let create: DatasetMetadata | undefined;
    let resourceName: string;
    const fileBase = slugify(path.basename(file).replace(/\.[^.]+$/, '')) || 'du-lieu';
    if (o.new) {
      if (!o.org || !o.title) return refuse('usage', `--new cần --org và --title\n${USAGE}`);
      const slug = o.slug ?? slugify(o.title);
      const [taken] = await db.select({ id: schema.datasets.id }).from(schema.datasets).where(eq(schema.datasets.slug, slug));
      if (taken) return refuse('dataset-exists', `đã có bộ dữ liệu "${slug}"; dùng --dataset ${slug} để thêm phiên bản`);
      create = {
        slug, title: o.title.normalize('NFC'), notes: o.description?.normalize('NFC') ?? '', organization: o.org, tags: [], topics: [],
        licenseId: 'CC-BY-4.0', accessLevel: 'open', updateFrequency: DEFAULT_FREQUENCY, frequencyReason: null, temporalStart: null,
        temporalEnd: null, spatial: null, contactName: null, contactEmail: null, source: null, isSample: false,
      };
      resourceName = o.resource ?? fileBase;
    } else {
      const [d] = await db.select().from(schema.datasets).where(eq(schema.datasets.slug, o.dataset!));
      if (!d) return refuse('dataset-not-found', `không tìm thấy bộ dữ liệu "${o.dataset}"`);
      datasetId = d.id;
      const existing = await db.select({ name: schema.resources.name }).from(schema.resources).where(eq(schema.resources.datasetId, d.id));
      if (o.resource) resourceName = o.resource;
      else if (existing.length === 1) resourceName = existing[0]!.name;
      else return refuse('usage', `bộ dữ liệu có ${existing.length} tài nguyên (${existing.map((r) => r.name).join(', ')}); chọn một bằng --resource`);
    }
    const [res] = datasetId ? await db.select().from(schema.resources).where(and(eq(schema.resources.datasetId, datasetId), eq(schema.resources.name, resourceName))) : [];
    const progress: IngestProgress = { phase: '', bytes: 0, totalBytes: 0, rows: 0 };
    const stop = startProgress(progress);
    const started = Date.now();
    let outcome;
    try {
      outcome = await publishVersion(db, portal.store, {
        datasetId, create, actor: CLI_ACTOR, progress,
        note: o.note?.normalize('NFC') ?? (o.new ? 'Công bố lần đầu' : `Cập nhật dữ liệu từ tệp ${path.basename(file)}`),
        schemaPolicy: o['new-schema'] ? 'infer' : 'keep-current',
        uploads: [{
          resourceName, title: res?.title ?? o.title ?? resourceName, description: res?.description ?? '',
          filePath: file, originalName: path.basename(file), schema: declaredSchema, sheetName: o.sheet, encoding: o.encoding,
        }],
      });
    } finally {
      stop();
    }
    const report: IngestReport | undefined = outcome.reports[0];
    const seconds = (Date.now() - started) / 1000;
    if (report) console.log(formatReport(report));
    writeReport(report ? { ...report, outcome: outcome.status } : { outcome: outcome.status });
    if (outcome.status === 'invalid') {
      console.error('Không công bố: phiên bản hiện hành được giữ nguyên.');
      return EXIT.invalid;
    }
    if (outcome.status === 'no-change') {
      console.log(`Không có thay đổi: dữ liệu giống hệt phiên bản ${outcome.versionNumber}; không tạo phiên bản mới, hạn cập nhật không đổi.`);
      return EXIT.noChange;
    }
    console.log(`Đã công bố phiên bản ${outcome.versionNumber} trong ${seconds.toFixed(1)} s (${(mb(report?.bytes ?? 0) / seconds).toFixed(1)} MB/s).`);
    await writeSnapshot(db, portal.store, { dataDir: portal.config.dataDir, siteUrl: portal.config.siteUrl });
    if (o['build-site']) await buildSite({ dataDir: portal.config.dataDir, siteUrl: portal.config.siteUrl });
    return EXIT.published;
  } catch (err) {
    if (err instanceof CatalogError) return refuse(err.code, err.message);
    throw err;
  } finally {
    await portal.close();
  }
}
