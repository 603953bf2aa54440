import { DEFAULT_FREQUENCY, frequencyById, licenceById, topicById } from './vocabularies.ts';
import { nameProblem } from './names.ts';

/** Dataset metadata as a unit gives it (from a datapackage.json or the workspace form). */
export interface DatasetMetadata {
  slug: string;
  title: string;
  notes: string;
  organization: string; // unit slug
  tags: string[];
  topics: string[];
  licenseId: string;
  accessLevel: 'open' | 'shared';
  updateFrequency: string;
  frequencyReason: string | null;
  temporalStart: string | null;
  temporalEnd: string | null;
  spatial: string | null;
  contactName: string | null;
  contactEmail: string | null;
  source: string | null;
  isSample: boolean;
}

export interface ResourceSpec {
  name: string;
  path: string;
  title: string;
  description: string;
}

export interface MetadataProblem { field: string; message: string }

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().normalize('NFC') : null);

/**
 * Reads and checks a Frictionless-style datapackage.json with this portal's extra properties
 * (organization, topics, frequency, temporal, spatial, contact, sample). Problems are in Vietnamese.
 */
export function parseDataPackage(input: unknown): { metadata?: DatasetMetadata; resources: ResourceSpec[]; problems: MetadataProblem[] } {
  const problems: MetadataProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { resources: [], problems: [{ field: '', message: 'Tệp siêu dữ liệu phải là một đối tượng JSON' }] };
  }
  const p = input as Record<string, any>;
  const slug = str(p.name) ?? '';
  const slugProblem = nameProblem('dataset', slug);
  if (slugProblem) add('name', slugProblem);
  const title = str(p.title);
  if (!title) add('title', 'Thiếu tên bộ dữ liệu (title)');
  const organization = str(p.organization);
  if (!organization) add('organization', 'Thiếu đơn vị cung cấp (organization)');
  else if (nameProblem('organization', organization)) add('organization', nameProblem('organization', organization)!);
  const licenseId = str(p.licenses?.[0]?.name) ?? 'CC-BY-4.0';
  if (!licenceById(licenseId)) add('licenses', `Giấy phép "${licenseId}" không có trong danh mục giấy phép của cổng`);
  const updateFrequency = str(p.frequency) ?? DEFAULT_FREQUENCY;
  const freq = frequencyById(updateFrequency);
  if (!freq) add('frequency', `Tần suất cập nhật "${updateFrequency}" không hợp lệ (monthly, quarterly, yearly, irregular)`);
  const frequencyReason = str(p.frequencyReason);
  if (freq && freq.id !== DEFAULT_FREQUENCY && freq.months !== 1 && !frequencyReason) add('frequencyReason', 'Tần suất khác hằng quý phải ghi rõ lý do (frequencyReason)');
  const topics: string[] = Array.isArray(p.topics) ? p.topics.map(String) : [];
  for (const t of topics) if (!topicById(t)) add('topics', `Chủ đề "${t}" không có trong danh mục`);
  const tags: string[] = Array.isArray(p.keywords) ? p.keywords.map((k: unknown) => String(k).normalize('NFC').trim()).filter(Boolean) : [];
  const temporalStart = str(p.temporal?.start);
  const temporalEnd = str(p.temporal?.end);
  for (const [f, v] of [['temporal.start', temporalStart], ['temporal.end', temporalEnd]] as const) {
    if (v && (!ISO_DATE.test(v) || Number.isNaN(Date.parse(v)))) add(f, `Ngày "${v}" phải theo dạng yyyy-mm-dd`);
  }
  if (temporalStart && temporalEnd && temporalEnd < temporalStart) add('temporal', 'Ngày kết thúc trước ngày bắt đầu');
  const contactEmail = str(p.contact?.email);
  if (contactEmail && !EMAIL.test(contactEmail)) add('contact.email', `Địa chỉ thư "${contactEmail}" không hợp lệ`);
  const accessLevel = p.accessLevel === 'shared' ? 'shared' : 'open';
  const sources: any[] = Array.isArray(p.sources) ? p.sources : [];
  const source = sources.map((s) => [str(s?.title), str(s?.path)].filter(Boolean).join(' — ')).filter(Boolean).join('; ') || null;

  const resources: ResourceSpec[] = [];
  if (!Array.isArray(p.resources) || p.resources.length === 0) add('resources', 'Bộ dữ liệu phải có ít nhất một tài nguyên (resources)');
  else {
    const names = new Set<string>();
    p.resources.forEach((r: any, i: number) => {
      const name = str(r?.name);
      const path = str(r?.path);
      const nameError = nameProblem('resource', name);
      if (nameError) add(`resources[${i}].name`, nameError);
      else if (names.has(name!)) add(`resources[${i}].name`, `Tên tài nguyên "${name}" bị trùng`);
      if (!path || path.includes('/') || path.includes('\\') || path.startsWith('.')) add(`resources[${i}].path`, 'Đường dẫn tệp phải là tên một tệp trong cùng thư mục');
      if (name) names.add(name);
      if (name && path) resources.push({ name, path, title: str(r.title) ?? name, description: str(r.description) ?? '' });
    });
  }
  if (problems.length) return { resources, problems };
  return {
    metadata: {
      slug, title: title!, notes: str(p.description) ?? '', organization: organization!, tags, topics, licenseId, accessLevel,
      updateFrequency, frequencyReason, temporalStart, temporalEnd, spatial: str(p.spatial), contactName: str(p.contact?.name),
      contactEmail, source, isSample: p.sample === true,
    },
    resources,
    problems,
  };
}
