import { DEFAULT_FREQUENCY, DEFAULT_LICENCE, frequencyById, licenceById, LICENCES, topicById, TOPICS, UPDATE_FREQUENCIES } from './vocabularies.ts';
import { nameProblem } from './names.ts';

/**
 * Dataset metadata, defined once. Every field says what it is called in CKAN's package dict, which
 * DCAT-AP property carries it, where it sits in a datapackage.json, its default, how it is checked and
 * which form input shows it. The workspace form, the validation of every entry point (form, Action
 * API, datapackage.json, command line), the database mapping and the snapshot all derive from this table.
 */
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

export type FieldKey = keyof DatasetMetadata;
export type FieldResult<V> = { value: V } | { problem: { code: string; message: string } };
export type FormInput = 'text' | 'slug' | 'textarea' | 'list' | 'checkboxes' | 'select' | 'date' | 'email' | 'none';

export interface FieldDef<K extends FieldKey = FieldKey> {
  key: K;
  label: string;
  labelEn: string;
  hint?: string;
  /** CKAN package dict: a core field at the top level, or one of this portal's own (top level and extras) */
  ckan: { name: string; core: boolean };
  /** the DCAT-AP 3 property the DCAT mapping writes it to (null: not in DCAT) */
  dcat: string | null;
  /** where a datapackage.json holds it (dotted path; [0] for the first item) */
  datapackage: string;
  form: { input: FormInput; required?: boolean; maxLength?: number; options?: 'licences' | 'frequencies' | 'topics' | 'units'; createOnly?: boolean };
  /** checks and normalises one raw value (trimmed NFC text, lists, dates); undefined means "not given" */
  parse: (raw: unknown) => FieldResult<DatasetMetadata[K]>;
  defaultValue: () => DatasetMetadata[K];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trimmed NFC text, or null when empty. */
export const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().normalize('NFC') : typeof v === 'number' ? String(v) : null);
const ok = <V>(value: V): FieldResult<V> => ({ value });
const bad = (code: string, message: string) => ({ problem: { code, message } });

const optionalText = (max: number, label: string) => (raw: unknown): FieldResult<string | null> => {
  const v = text(raw);
  if (v && v.length > max) return bad('too-long', `${label} dài quá ${max} ký tự.`);
  return ok(v);
};

/** A list given as an array (of strings or CKAN's {name}) or as comma-separated text. */
function list(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map((x) => (x && typeof x === 'object' ? (x as { name?: unknown }).name : x)) : typeof raw === 'string' ? raw.split(',') : [];
  return [...new Set(items.map((x) => text(x)).filter((x): x is string => !!x))];
}

function isoDate(label: string) {
  return (raw: unknown): FieldResult<string | null> => {
    const v = text(raw);
    if (!v) return ok(null);
    // dd/mm/yyyy as Vietnamese users type it, or ISO
    const vi = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
    const iso = vi ? `${vi[3]}-${vi[2]!.padStart(2, '0')}-${vi[1]!.padStart(2, '0')}` : v.slice(0, 10);
    const d = new Date(`${iso}T00:00:00Z`);
    if (!ISO_DATE.test(iso) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) return bad('invalid-date', `${label} "${v}" phải là một ngày có thật, dạng dd/mm/yyyy hoặc yyyy-mm-dd.`);
    return ok(iso);
  };
}

export const DATASET_FIELDS: FieldDef[] = [
  {
    key: 'title', label: 'Tên bộ dữ liệu', labelEn: 'Title', ckan: { name: 'title', core: true }, dcat: 'dct:title', datapackage: 'title',
    form: { input: 'text', required: true, maxLength: 300 },
    parse: (raw) => {
      const v = text(raw);
      if (!v) return bad('title-required', 'Cần nhập tên bộ dữ liệu.');
      return v.length > 300 ? bad('too-long', 'Tên bộ dữ liệu dài quá 300 ký tự.') : ok(v);
    },
    defaultValue: () => '',
  },
  {
    key: 'slug', label: 'Tên định danh (địa chỉ)', labelEn: 'Name (address)', hint: 'Chữ thường không dấu, chữ số và dấu gạch ngang; để trống để tạo từ tên.',
    ckan: { name: 'name', core: true }, dcat: 'dct:identifier', datapackage: 'name', form: { input: 'slug', maxLength: 100, createOnly: true },
    parse: (raw) => {
      const v = typeof raw === 'string' ? raw.trim() : raw;
      const problem = nameProblem('dataset', v);
      return problem ? bad('invalid-name', problem) : ok(v as string);
    },
    defaultValue: () => '',
  },
  {
    key: 'organization', label: 'Đơn vị cung cấp', labelEn: 'Publisher', ckan: { name: 'owner_org', core: true }, dcat: 'dct:publisher', datapackage: 'organization',
    form: { input: 'select', required: true, options: 'units', createOnly: true },
    parse: (raw) => {
      const v = text(raw);
      if (!v) return bad('organization-required', 'Cần chọn đơn vị cung cấp dữ liệu.');
      return ok(v); // an id or a slug: the catalogue resolves it to the unit
    },
    defaultValue: () => '',
  },
  {
    key: 'notes', label: 'Mô tả', labelEn: 'Description', hint: 'Có thể dùng Markdown. Nêu nguồn, phạm vi, đơn vị đo.',
    ckan: { name: 'notes', core: true }, dcat: 'dct:description', datapackage: 'description', form: { input: 'textarea', maxLength: 20000 },
    parse: (raw) => {
      const v = text(raw) ?? '';
      return v.length > 20000 ? bad('too-long', 'Mô tả dài quá 20.000 ký tự.') : ok(v);
    },
    defaultValue: () => '',
  },
  {
    key: 'tags', label: 'Từ khóa', labelEn: 'Keywords', hint: 'Phân cách bằng dấu phẩy.', ckan: { name: 'tags', core: true }, dcat: 'dcat:keyword', datapackage: 'keywords',
    form: { input: 'list' },
    parse: (raw) => {
      const tags = list(raw);
      const long = tags.find((t) => t.length > 100);
      if (long) return bad('too-long', `Từ khóa "${long.slice(0, 40)}…" dài quá 100 ký tự.`);
      return tags.length > 50 ? bad('too-many', 'Tối đa 50 từ khóa.') : ok(tags);
    },
    defaultValue: () => [],
  },
  {
    key: 'topics', label: 'Chủ đề', labelEn: 'Topics', ckan: { name: 'groups', core: true }, dcat: 'dcat:theme', datapackage: 'topics',
    form: { input: 'checkboxes', options: 'topics' },
    parse: (raw) => {
      const topics = list(raw);
      const unknown = topics.find((t) => !topicById(t));
      return unknown ? bad('unknown-topic', `Chủ đề "${unknown.slice(0, 60)}" không có trong danh mục chủ đề của cổng.`) : ok(topics);
    },
    defaultValue: () => [],
  },
  {
    key: 'licenseId', label: 'Giấy phép', labelEn: 'Licence', ckan: { name: 'license_id', core: true }, dcat: 'dct:license', datapackage: 'licenses[0].name',
    form: { input: 'select', required: true, options: 'licences' },
    parse: (raw) => {
      const v = text(raw) ?? DEFAULT_LICENCE;
      return licenceById(v) ? ok(v) : bad('unknown-licence', `Giấy phép "${v.slice(0, 60)}" không có trong danh mục giấy phép của cổng (${LICENCES.map((l) => l.id).join(', ')}).`);
    },
    defaultValue: () => DEFAULT_LICENCE,
  },
  {
    key: 'updateFrequency', label: 'Tần suất cập nhật', labelEn: 'Update frequency', hint: 'Mặc định hằng quý: dữ liệu mở phải được cập nhật tối thiểu 3 tháng một lần.',
    ckan: { name: 'frequency', core: false }, dcat: 'dct:accrualPeriodicity', datapackage: 'frequency', form: { input: 'select', required: true, options: 'frequencies' },
    parse: (raw) => {
      const v = text(raw) ?? DEFAULT_FREQUENCY;
      return frequencyById(v) ? ok(v) : bad('unknown-frequency', `Tần suất cập nhật "${v.slice(0, 40)}" không hợp lệ (${UPDATE_FREQUENCIES.map((f) => f.id).join(', ')}).`);
    },
    defaultValue: () => DEFAULT_FREQUENCY,
  },
  {
    key: 'frequencyReason', label: 'Lý do (nếu không cập nhật hằng quý)', labelEn: 'Reason (if not quarterly)',
    ckan: { name: 'frequency_reason', core: false }, dcat: null, datapackage: 'frequencyReason', form: { input: 'text', maxLength: 1000 },
    parse: optionalText(1000, 'Lý do'), defaultValue: () => null,
  },
  {
    key: 'temporalStart', label: 'Dữ liệu từ ngày', labelEn: 'Data from', ckan: { name: 'temporal_start', core: false }, dcat: 'dcat:startDate', datapackage: 'temporal.start',
    form: { input: 'date' }, parse: isoDate('Ngày bắt đầu'), defaultValue: () => null,
  },
  {
    key: 'temporalEnd', label: 'Đến ngày', labelEn: 'Data until', ckan: { name: 'temporal_end', core: false }, dcat: 'dcat:endDate', datapackage: 'temporal.end',
    form: { input: 'date' }, parse: isoDate('Ngày kết thúc'), defaultValue: () => null,
  },
  {
    key: 'spatial', label: 'Phạm vi địa lý', labelEn: 'Spatial coverage', ckan: { name: 'spatial_text', core: false }, dcat: 'dct:spatial', datapackage: 'spatial',
    form: { input: 'text', maxLength: 300 }, parse: optionalText(300, 'Phạm vi địa lý'), defaultValue: () => null,
  },
  {
    key: 'contactName', label: 'Người liên hệ', labelEn: 'Contact', ckan: { name: 'maintainer', core: true }, dcat: 'dcat:contactPoint', datapackage: 'contact.name',
    form: { input: 'text', maxLength: 200 }, parse: optionalText(200, 'Tên người liên hệ'), defaultValue: () => null,
  },
  {
    key: 'contactEmail', label: 'Thư điện tử liên hệ', labelEn: 'Contact e-mail', ckan: { name: 'maintainer_email', core: true }, dcat: 'vcard:hasEmail', datapackage: 'contact.email',
    form: { input: 'email', maxLength: 200 },
    parse: (raw) => {
      const v = text(raw);
      return v && (!EMAIL.test(v) || v.length > 200) ? bad('invalid-email', `Địa chỉ thư "${v.slice(0, 60)}" không hợp lệ.`) : ok(v);
    },
    defaultValue: () => null,
  },
  {
    key: 'accessLevel', label: 'Mức độ chia sẻ', labelEn: 'Access', ckan: { name: 'access_level', core: false }, dcat: 'dct:accessRights', datapackage: 'accessLevel',
    form: { input: 'none' },
    parse: (raw) => {
      const v = text(raw) ?? 'open';
      return v === 'open' || v === 'shared' ? ok(v) : bad('unknown-access-level', `Mức độ chia sẻ "${v.slice(0, 40)}" không hợp lệ (open, shared).`);
    },
    defaultValue: () => 'open' as const,
  },
  {
    key: 'source', label: 'Nguồn dữ liệu', labelEn: 'Source', ckan: { name: 'source', core: false }, dcat: 'dct:source', datapackage: 'sources',
    form: { input: 'none' },
    parse: (raw) => {
      // a datapackage's sources [{title, path}], or text
      if (Array.isArray(raw)) {
        const joined = raw.map((s) => [text((s as { title?: unknown })?.title), text((s as { path?: unknown })?.path)].filter(Boolean).join(' — ')).filter(Boolean).join('; ');
        return ok(joined || null);
      }
      return optionalText(2000, 'Nguồn dữ liệu')(raw);
    },
    defaultValue: () => null,
  },
  {
    key: 'isSample', label: 'Dữ liệu mẫu', labelEn: 'Sample data', ckan: { name: 'sample', core: false }, dcat: null, datapackage: 'sample', form: { input: 'none' },
    parse: (raw) => ok(raw === true || raw === 'true'), defaultValue: () => false,
  },
] as FieldDef[];

export const fieldByKey = new Map(DATASET_FIELDS.map((f) => [f.key, f]));

export interface MetadataProblem { field: FieldKey | string; code: string; message: string }

/** Rules between fields (each field alone is checked by its own parse). */
function crossProblems(m: DatasetMetadata): MetadataProblem[] {
  const out: MetadataProblem[] = [];
  const freq = frequencyById(m.updateFrequency);
  // every rhythm other than "at least quarterly" needs the unit's reason (the 3-month rule is the default)
  if (freq && freq.id !== DEFAULT_FREQUENCY && freq.months !== 1 && !m.frequencyReason) {
    out.push({ field: 'frequencyReason', code: 'frequency-reason-required', message: 'Tần suất khác hằng quý phải ghi rõ lý do.' });
  }
  if (m.temporalStart && m.temporalEnd && m.temporalEnd < m.temporalStart) {
    out.push({ field: 'temporalEnd', code: 'temporal-order', message: 'Ngày kết thúc trước ngày bắt đầu.' });
  }
  return out;
}

/**
 * Checks dataset metadata given by key (absent keys take `base`'s value, else the default), and
 * returns the normalised metadata or every problem. The one validator every entry point goes through.
 */
export function checkMetadata(given: Partial<Record<FieldKey, unknown>>, base?: DatasetMetadata): { metadata?: DatasetMetadata; problems: MetadataProblem[] } {
  const problems: MetadataProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const f of DATASET_FIELDS) {
    if (!(f.key in given) || given[f.key] === undefined) {
      out[f.key] = base ? base[f.key] : f.defaultValue();
      if (!base && (f.key === 'title' || f.key === 'slug' || f.key === 'organization')) {
        const r = f.parse(undefined);
        if ('problem' in r) problems.push({ field: f.key, ...r.problem });
      }
      continue;
    }
    const r = f.parse(given[f.key]);
    if ('problem' in r) problems.push({ field: f.key, ...r.problem });
    else out[f.key] = r.value;
  }
  // the rules between fields too, on the fields that parsed, so the unit sees every problem at once
  const bad = new Set(problems.map((p) => p.field));
  const cross = crossProblems(out as unknown as DatasetMetadata).filter((p) => !bad.has(p.field) && !(p.code === 'frequency-reason-required' && bad.has('updateFrequency')));
  problems.push(...cross);
  return problems.length ? { problems } : { metadata: out as unknown as DatasetMetadata, problems: [] };
}

// —— where each entry point holds the fields ——

function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(part);
    if (!m || !cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[m[1]!];
    if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
  }
  return cur;
}

/** The fields of a datapackage.json (the demo catalogue, a unit's package). */
export function fromDatapackage(pkg: Record<string, unknown>): Partial<Record<FieldKey, unknown>> {
  const out: Partial<Record<FieldKey, unknown>> = {};
  for (const f of DATASET_FIELDS) {
    const v = getPath(pkg, f.datapackage);
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

/** The fields of a CKAN package dict: core fields at the top level, the portal's own at the top level or in extras. */
export function fromCkanDict(dict: Record<string, unknown>): Partial<Record<FieldKey, unknown>> {
  const extras = new Map<string, unknown>();
  if (Array.isArray(dict.extras)) for (const e of dict.extras) if (e && typeof e === 'object' && typeof (e as { key?: unknown }).key === 'string') extras.set((e as { key: string }).key, (e as { value?: unknown }).value);
  const out: Partial<Record<FieldKey, unknown>> = {};
  for (const f of DATASET_FIELDS) {
    const v = f.ckan.name in dict ? dict[f.ckan.name] : f.ckan.core ? undefined : extras.get(f.ckan.name);
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

/** A dataset's metadata as the form's input values, named as the actions take them (CKAN's names). */
export function toForm(m: DatasetMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of DATASET_FIELDS) {
    const v = m[f.key];
    out[f.ckan.name] = Array.isArray(v) ? v.join(f.form.input === 'checkboxes' ? ',' : ', ') : v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** The form's fields with their options, for the workspace pages (which only render what they get). */
export function formFields(units: { slug: string; title: string }[]) {
  const options: Record<string, { value: string; label: string }[]> = {
    licences: LICENCES.map((l) => ({ value: l.id, label: l.title })),
    frequencies: UPDATE_FREQUENCIES.map((f) => ({ value: f.id, label: f.title })),
    topics: TOPICS.map((t) => ({ value: t.id, label: t.title })),
    units: units.map((u) => ({ value: u.slug, label: u.title })),
  };
  return DATASET_FIELDS.filter((f) => f.form.input !== 'none').map((f) => ({
    key: f.key, name: f.ckan.name, label: f.label, hint: f.hint ?? null, input: f.form.input, required: !!f.form.required, maxLength: f.form.maxLength ?? null,
    createOnly: !!f.form.createOnly, options: f.form.options ? options[f.form.options]! : null, defaultValue: toForm({ ...defaults(), [f.key]: f.defaultValue() } as DatasetMetadata)[f.ckan.name]!,
  }));
}

export function defaults(): DatasetMetadata {
  return Object.fromEntries(DATASET_FIELDS.map((f) => [f.key, f.defaultValue()])) as unknown as DatasetMetadata;
}
