/** Synthetic publication snapshots (catalogue + datasets) for the formats tests, shaped like what server/publish/snapshot.ts writes. */
import crypto from 'node:crypto';
import { LICENCES, TOPICS, UPDATE_FREQUENCIES } from '../../server/catalog/vocabularies.ts';
import type { SnapshotCatalog, SnapshotDataset, SnapshotFile, SnapshotResource } from '../../server/contract/snapshot.ts';

export const SITE = 'https://dulieu.example.gov.vn';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const uuid = (s: string) => {
  const h = sha(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export const orgId = (slug: string) => uuid(slug === 'ubnd-xa-ia-grai' ? 'org-ia-grai' : 'org-skhcn');

export function syntheticCatalog(datasets: SnapshotDataset[] = []): SnapshotCatalog {
  return {
    format: 1,
    generatedAt: '2026-11-30T08:00:00.000Z',
    siteUrl: SITE,
    organizations: [
      { id: uuid('org-skhcn'), createdAt: '2025-07-01T00:00:00.000Z', slug: 'so-khoa-hoc-va-cong-nghe', title: 'Sở Khoa học và Công nghệ tỉnh Gia Lai', titleEn: 'Department of Science and Technology, Gia Lai', description: '', identifierCode: '000.00.17.H21', parent: null, contactEmail: 'skhcn@gialai.gov.vn', website: 'https://skhcn.gialai.gov.vn/', datasetCount: 0 },
      { id: uuid('org-ia-grai'), createdAt: '2025-07-01T00:00:00.000Z', slug: 'ubnd-xa-ia-grai', title: 'Ủy ban nhân dân xã Ia Grai', titleEn: null, description: '', identifierCode: null, parent: null, contactEmail: null, website: null, datasetCount: 0 },
    ],
    topics: TOPICS,
    licences: LICENCES,
    frequencies: UPDATE_FREQUENCIES,
    datasets: datasets.map((d) => ({
      id: d.id, createdAt: d.createdAt, slug: d.slug, title: d.title, notes: d.notes, organization: d.organization.slug, tags: d.tags, topics: d.topics,
      formats: [...new Set(d.resources.map((r) => r.format))], licenseId: d.licenseId, updateFrequency: d.updateFrequency,
      modifiedAt: d.modifiedAt, lastUpdatedAt: d.lastUpdatedAt, publishedAt: d.publishedAt, isSample: d.isSample,
      nextDueDate: d.nextDueDate, freshness: d.freshness,
    })),
  };
}

function file(url: string, content: string, mediaType: string, format: string): SnapshotFile {
  return { url, sha256: sha(content), size: Buffer.byteLength(content), mediaType, format };
}

/** Dataset number `i`, published `i` minutes after 2026-01-01 00:00 UTC; `over` replaces any field. */
export function syntheticDataset(i: number, over: Partial<SnapshotDataset> & { format?: string; mediaType?: string } = {}): SnapshotDataset {
  const slug = over.slug ?? `bo-du-lieu-${String(i).padStart(4, '0')}`;
  const id = uuid(`dataset-${slug}`);
  const rid = uuid(`resource-${slug}`);
  const when = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
  const base = `/dataset/${slug}/resource/${rid}`;
  const { format = 'CSV', mediaType = 'text/csv', ...fields } = over;
  const ext = format.toLowerCase();
  const resource: SnapshotResource = {
    id: rid, name: slug, title: `Bảng số liệu ${i}`, description: 'Số liệu tổng hợp theo xã, phường.', format, mediaType, encoding: 'utf-8',
    size: 0, sha256: '', rowCount: 2, schema: { fields: [{ name: 'Xã', type: 'string' }, { name: 'Dân số', type: 'integer' }] }, originalName: `${slug}.${ext}`,
    downloads: {
      original: file(`${base}/download/original/${slug}.${ext}`, `gốc ${i}`, mediaType, format),
      csv: file(`${base}/download/${slug}.csv`, `Xã,Dân số\r\nIa Grai,${i}\r\n`, 'text/csv', 'CSV'),
      json: file(`${base}/download/${slug}.json`, `[{"Xã":"Ia Grai","Dân số":${i}}]`, 'application/json', 'JSON'),
    },
    preview: [['Xã', 'Dân số'], ['Ia Grai', String(i)]],
  };
  resource.size = resource.downloads.original.size;
  resource.sha256 = resource.downloads.original.sha256;
  return {
    id, slug, title: `Dân số theo xã, phường năm ${2000 + (i % 26)} (số ${i})`, notes: 'Số liệu **dân số** trung bình theo đơn vị hành chính cấp xã.',
    tags: ['dân số', 'hành chính'], topics: ['xa-hoi', 'dia-phuong'], licenseId: 'CC-BY-4.0', updateFrequency: 'yearly', frequencyReason: null,
    temporalStart: '2025-01-01', temporalEnd: '2025-12-31', spatial: 'Tỉnh Gia Lai', contactName: 'Phòng Thống kê', contactEmail: 'thongke@gialai.gov.vn',
    source: null, isSample: true, organization: { id: uuid('org-skhcn'), slug: 'so-khoa-hoc-va-cong-nghe', title: 'Sở Khoa học và Công nghệ tỉnh Gia Lai' },
    createdAt: when, modifiedAt: when, publishedAt: when, lastUpdatedAt: when, version: 1,
    resources: [resource],
    versions: [{ id: uuid(`version-${slug}-1`), number: 1, note: 'Công bố lần đầu', publishedAt: when, resources: [{ id: rid, name: slug, ...resource.downloads }] }],
    nextDueDate: '2027-01-01', freshness: 'up-to-date',
    ...fields,
  };
}
