import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openPortal } from '../portal.ts';
import type { IngestProgress, IngestReport, TableSchema } from '../ingest/index.ts';
import { formatReport } from '../ingest/report.ts';
import { showIngestProgress } from '../ingest/progress.ts';
import { nameProblem } from '../catalog/names.ts';
import { ActionError, systemCaller, UploadedFile, ValidationError } from '../actions/index.ts';
import { publish } from '../commands.ts';

export const USAGE = `Cách dùng:
  npm run ingest -- <tệp> --dataset <slug> [--resource <tên>] [--note "<ghi chú>"]
  npm run ingest -- <tệp> --new --org <đơn vị> --title "<tên bộ dữ liệu>" [--slug <slug>] [--description "<mô tả>"]
Tùy chọn: --sheet <trang tính>  --encoding <bảng mã>  --no-header (tệp không có hàng tiêu đề)  --schema <schema.json>  --new-schema (suy lại lược đồ)
          --report <report.json>  --build-site (dựng lại trang công khai)
Mã thoát: 0 đã công bố phiên bản mới; 1 tệp không hợp lệ; 2 sai tham số hoặc không tìm thấy; 3 không có thay đổi.`;

export const EXIT = { published: 0, invalid: 1, usage: 2, noChange: 3 } as const;

function mb(bytes: number) { return bytes / 1e6; }

/** `npm run ingest`: add a version to a dataset, or create one, from a file; returns the exit code. */
export async function runIngestCli(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        dataset: { type: 'string' }, new: { type: 'boolean' }, org: { type: 'string' }, title: { type: 'string' },
        slug: { type: 'string' }, description: { type: 'string' }, resource: { type: 'string' }, note: { type: 'string' },
        sheet: { type: 'string' }, encoding: { type: 'string' }, 'no-header': { type: 'boolean' }, schema: { type: 'string' }, 'new-schema': { type: 'boolean' },
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
  const cli = systemCaller('cli');
  const upload = new UploadedFile(file, path.basename(file));
  const progress = upload.progress;
  const options = { ...(o.sheet ? { sheet: o.sheet } : {}), ...(o.encoding ? { encoding: o.encoding } : {}), ...(o['no-header'] ? { header: false } : {}), ...(declaredSchema ? { schema: declaredSchema } : {}), ...(o['new-schema'] ? { schema_policy: 'infer' } : {}) };
  try {
    if (o.new && (!o.org || !o.title)) return refuse('usage', `--new cần --org và --title\n${USAGE}`);
    const stop = showIngestProgress(progress, { terminal: Boolean(process.stderr.isTTY) });
    const started = Date.now();
    let out;
    try {
      // the same actions as the workspace and the API, with the same metadata rules
      out = o.new
        ? await portal.actions.call('package_create', cli, {
          title: o.title, ...(o.slug ? { name: o.slug } : {}), owner_org: o.org, ...(o.description ? { notes: o.description } : {}),
          upload, ...(o.resource ? { resource_name: o.resource } : {}), note: o.note ?? 'Công bố lần đầu', ...options,
        })
        : await portal.actions.call('resource_update', cli, {
          package_id: o.dataset, ...(o.resource ? { resource_name: o.resource } : {}), upload,
          note: o.note ?? `Cập nhật dữ liệu từ tệp ${path.basename(file)}`, ...options,
        });
    } finally {
      stop();
    }
    const r = out.result as { status: 'published' | 'no-change'; version: number; reports: IngestReport[] };
    const report = r.reports[0];
    const seconds = (Date.now() - started) / 1000;
    if (report) console.log(formatReport(report));
    writeReport(report ? { ...report, outcome: r.status } : { outcome: r.status });
    if (r.status === 'no-change') {
      console.log(`Không có thay đổi: dữ liệu giống hệt phiên bản ${r.version}; không tạo phiên bản mới, hạn cập nhật không đổi.`);
      return EXIT.noChange;
    }
    console.log(`Đã công bố phiên bản ${r.version} trong ${seconds.toFixed(1)} s (${(mb(report?.bytes ?? 0) / seconds).toFixed(1)} MB/s).`);
    await publish(portal, { site: Boolean(o['build-site']) });
    return EXIT.published;
  } catch (err) {
    if (err instanceof ValidationError && err.code === 'validation-failed') {
      const reports = (err.data?.reports ?? []) as IngestReport[];
      for (const report of reports) console.log(formatReport(report));
      writeReport(reports[0] ? { ...reports[0], outcome: 'invalid' } : { outcome: 'invalid' });
      console.error('Không công bố: phiên bản hiện hành được giữ nguyên.');
      return EXIT.invalid;
    }
    if (err instanceof ValidationError) return refuse(err.code, err.list().map((p) => `${p.field}: ${p.message}`).join('; '));
    if (err instanceof ActionError) return refuse(err.code, err.message);
    throw err;
  } finally {
    await portal.close();
  }
}
