import crypto from 'node:crypto';
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { defaults, type DatasetMetadata } from './fields.ts';
import { columnsOf } from './datasets.ts';
import { slugify } from '../contract/text.ts';
import { TOPICS } from './vocabularies.ts';

/**
 * A large catalogue for the benchmarks (bench:publish at 10,000 and 100,000 datasets), written in
 * bulk: each dataset published once with its own small CSV and JSON, as package_create would leave
 * it, without the audit trail. Loading 100,000 datasets through package_create takes hours; what that
 * path costs per file is bench:ingest's measure. Never used by the portal itself.
 */
const KINDS = ['Danh sách', 'Số liệu', 'Thống kê', 'Bảng giá', 'Danh mục', 'Báo cáo tình hình', 'Kết quả'];
const SUBJECTS = ['trường học', 'cơ sở y tế', 'doanh nghiệp đăng ký mới', 'dân số trung bình', 'đất đai', 'hộ nghèo', 'thủ tục hành chính', 'chợ và siêu thị', 'điểm du lịch', 'tuyến xe buýt', 'lượng mưa', 'giá đất ở', 'dự án đầu tư', 'cán bộ công chức', 'nhà thuốc', 'di tích lịch sử'];
const PLACES = ['Phường Quy Nhơn', 'Xã Đắk Đoa', 'Phường Pleiku', 'Xã Ia Ly', 'Xã Chư Sê', 'Phường An Nhơn', 'Xã Tây Sơn', 'Phường Hoài Nhơn', 'Xã Kbang', 'Xã Phù Mỹ', 'toàn tỉnh'];

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

function putBlob(store: BlobStore, content: string): { sha256: string; size: number } {
  const sha256 = sha(content);
  if (!store.has(sha256)) {
    const tmp = store.tempPath();
    fs.writeFileSync(tmp, content);
    store.adopt(tmp, sha256);
  }
  return { sha256, size: Buffer.byteLength(content) };
}

export async function fillSynthetic(db: Db, store: BlobStore, opts: { count: number; units: { slug: string; title: string }[]; onProgress?: (done: number) => void }): Promise<{ slugs: string[] }> {
  const orgIds = new Map<string, string>();
  for (const u of opts.units) {
    const [row] = await db.select({ id: schema.organizations.id }).from(schema.organizations).where(eq(schema.organizations.slug, u.slug));
    orgIds.set(u.slug, row?.id ?? (await db.insert(schema.organizations).values({ slug: u.slug, title: u.title }).returning({ id: schema.organizations.id }))[0]!.id);
  }
  let seed = 11;
  // the low bits of this generator repeat with a short period: use the high ones
  const rnd = (k: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % k; };
  const slugs: string[] = [];
  const start = Date.UTC(2024, 0, 1);
  const BATCH = 500;
  for (let from = 0; from < opts.count; from += BATCH) {
    const rows: { meta: DatasetMetadata; unit: { slug: string }; when: Date; csv: { sha256: string; size: number }; json: { sha256: string; size: number } }[] = [];
    for (let i = from; i < Math.min(opts.count, from + BATCH); i++) {
      const year = 2015 + rnd(11);
      const title = `${KINDS[rnd(KINDS.length)]} ${SUBJECTS[rnd(SUBJECTS.length)]} ${PLACES[rnd(PLACES.length)]} năm ${year}`;
      const unit = opts.units[rnd(opts.units.length)]!;
      const slug = `${slugify(title)}-${i + 1}`.slice(0, 100);
      const when = new Date(start + i * 60_000);
      const meta: DatasetMetadata = {
        ...defaults(), slug, title, organization: unit.slug, isSample: true,
        notes: `${title}. Dữ liệu do đơn vị tổng hợp từ báo cáo của các xã, phường; cập nhật theo quý.`,
        tags: [SUBJECTS[rnd(SUBJECTS.length)]!, String(year)], topics: [TOPICS[rnd(TOPICS.length)]!.id],
      };
      const csv = `Mã,Tên,Số lượng\r\n${i + 1},${title},${i % 5000}\r\n`;
      const json = JSON.stringify([{ 'Mã': i + 1, 'Tên': title, 'Số lượng': i % 5000 }]);
      rows.push({ meta, unit, when, csv: putBlob(store, csv), json: putBlob(store, json) });
      slugs.push(slug);
    }
    await db.transaction(async (tx) => {
      const ds = await tx.insert(schema.datasets).values(rows.map((r) => ({
        ...columnsOf(r.meta, orgIds.get(r.unit.slug)!), state: 'published' as const, createdAt: r.when, modifiedAt: r.when, publishedAt: r.when, lastUpdatedAt: r.when,
      }))).returning({ id: schema.datasets.id });
      const res = await tx.insert(schema.resources).values(ds.map((d) => ({ datasetId: d.id, name: 'du-lieu', title: 'Dữ liệu', position: 0 }))).returning({ id: schema.resources.id });
      const vs = await tx.insert(schema.datasetVersions).values(ds.map((d, k) => ({
        datasetId: d.id, number: 1, note: 'Công bố lần đầu', publishedAt: rows[k]!.when, metadata: rows[k]!.meta as unknown as Record<string, unknown>,
      }))).returning({ id: schema.datasetVersions.id });
      await tx.insert(schema.versionResources).values(vs.map((v, k) => ({
        versionId: v.id, resourceId: res[k]!.id, originalName: 'du-lieu.csv', format: 'CSV', mediaType: 'text/csv', encoding: 'utf-8',
        size: rows[k]!.csv.size, sha256: rows[k]!.csv.sha256, csvSha256: rows[k]!.csv.sha256, csvSize: rows[k]!.csv.size,
        jsonSha256: rows[k]!.json.sha256, jsonSize: rows[k]!.json.size, rowCount: 1,
        schema: { fields: [{ name: 'Mã', type: 'integer' }, { name: 'Tên', type: 'string' }, { name: 'Số lượng', type: 'integer' }] }, report: {},
      })));
    });
    opts.onProgress?.(Math.min(opts.count, from + BATCH));
  }
  return { slugs };
}
