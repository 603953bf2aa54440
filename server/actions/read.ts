import { defineAction, type ActionRun } from './dispatcher.ts';
import { rules, may } from './auth.ts';
import { NotFound } from './errors.ts';
import { bool, int, ref, str, z } from './params.ts';
import { groupDict, organizationDict, packageDict, resourceDict, ckanTime } from '../formats/ckan.ts';
import { draftPackageDict } from './drafts.ts';
import { organizationByRef } from '../catalog/datasets.ts';
import type { LoadedSnapshot } from '../publish/reader.ts';
import { cachedPackageDict } from './dict-cache.ts';

/**
 * CKAN's read actions (ckan/logic/action/get.py), answered from the publication snapshot: what they
 * return is what the public site shows. A dataset the public does not see (a draft, shared data) is
 * 404 to anyone but its unit — and, for shared data, the signed-in accounts of other state agencies.
 */

const snapshotOf = (run: ActionRun): LoadedSnapshot => {
  const s = run.services.snapshot.current();
  if (!s) throw new NotFound('Cổng chưa công bố dữ liệu nào.', 'no-snapshot');
  return s;
};

const notFound = (what: string) => new NotFound(`Not found: ${what}`, 'not-found');

export const packageShow = defineAction({
  name: 'package_show', write: false, auth: rules.anyone,
  help: 'Một bộ dữ liệu (id hoặc name) dưới dạng package dict của CKAN, với tài nguyên, phiên bản, hạn cập nhật. / A dataset as a CKAN package dict.',
  input: z.object({ id: ref('id'), use_default_schema: bool.optional(), include_plugin_data: bool.optional(), include_tracking: bool.optional() }).strict(),
  async handler(run, input) {
    const snap = run.services.snapshot.current();
    const summary = snap && (snap.bySlug.get(input.id) ?? snap.byId.get(input.id));
    const dict = summary ? cachedPackageDict(run, snap, summary.slug) : null;
    if (dict) return dict;
    // not in the snapshot: not public (its unit, or for shared data another agency, may still see it),
    // or published a moment ago and not yet in the snapshot (its writer reads what it wrote)
    const draft = await run.look.dataset(input.id);
    if (draft && (run.caller.system || may.readDataset(run.caller.user, draft))) {
      return draftPackageDict(run.db, draft.id, run.services.siteUrl);
    }
    throw notFound('Dataset');
  },
});

export const packageList = defineAction({
  name: 'package_list', write: false, auth: rules.anyone,
  help: 'Tên mọi bộ dữ liệu đang công bố, theo thứ tự tên. / Names of all published datasets.',
  input: z.object({ limit: int({ min: 0, max: 100000, label: 'limit' }).optional(), offset: int({ min: 0, label: 'offset' }).optional() }).strict(),
  async handler(run, input) {
    const s = run.services.snapshot.current();
    const names = (s?.catalog.datasets ?? []).map((d) => d.slug).sort();
    const offset = input.offset ?? 0;
    return input.limit === undefined ? names.slice(offset) : names.slice(offset, offset + input.limit);
  },
});

const listInput = z.object({
  sort: z.string().max(100).optional(), limit: int({ min: 0, max: 1000, label: 'limit' }).optional(), offset: int({ min: 0, label: 'offset' }).optional(),
  q: str(200, 'q').optional(), all_fields: bool.optional(), include_dataset_count: bool.optional(), include_extras: bool.optional(),
  include_users: bool.optional(), include_groups: bool.optional(), include_tags: bool.optional(),
  organizations: z.unknown().optional(), groups: z.unknown().optional(), type: z.string().max(50).optional(),
}).strict();

/** organization_list and group_list: names, or dicts with all_fields (25 a page by default, as CKAN). */
function listOf<T extends { name: string; title: string; package_count: number; description?: string }>(items: T[], input: z.infer<typeof listInput>, filterNames: unknown) {
  let list = items;
  if (input.q) {
    const q = input.q.toLowerCase();
    list = list.filter((x) => x.name.toLowerCase().includes(q) || x.title.toLowerCase().includes(q) || (x.description ?? '').toLowerCase().includes(q));
  }
  const wanted = Array.isArray(filterNames) ? filterNames.map(String) : typeof filterNames === 'string' ? filterNames.split(',') : null;
  if (wanted) list = list.filter((x) => wanted.includes(x.name));
  const [field, dir] = (input.sort ?? 'title asc').trim().split(/\s+/) as [string, string | undefined];
  const key = field === 'name' ? (x: T) => x.name : field === 'package_count' ? (x: T) => x.package_count : (x: T) => x.title;
  const collator = new Intl.Collator('vi');
  list = [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = typeof ka === 'number' ? ka - (kb as number) : collator.compare(ka as string, kb as string);
    return dir === 'desc' ? -c : c;
  });
  const offset = input.offset ?? 0;
  const limit = input.limit ?? (input.all_fields ? 25 : 1000);
  const page = list.slice(offset, offset + limit);
  return input.all_fields ? page : page.map((x) => x.name);
}

export const organizationList = defineAction({
  name: 'organization_list', write: false, auth: rules.anyone,
  help: 'Các đơn vị cung cấp dữ liệu: tên, hoặc đầy đủ với all_fields=true. / The publishing units.',
  input: listInput,
  async handler(run, input) {
    const s = run.services.snapshot.current();
    const orgs = (s?.catalog.organizations ?? []).map((o) => organizationDict(o, run.services.siteUrl));
    return listOf(orgs, input, input.organizations);
  },
});

export const organizationShow = defineAction({
  name: 'organization_show', write: false, auth: rules.anyone,
  help: 'Một đơn vị (id hoặc name), với 10 bộ dữ liệu đầu nếu include_datasets=true. / One unit.',
  input: z.object({ id: ref('id'), include_datasets: bool.optional(), include_dataset_count: bool.optional(), include_extras: bool.optional(), include_users: bool.optional(), include_groups: bool.optional(), include_followers: bool.optional(), include_tags: bool.optional() }).strict(),
  async handler(run, input) {
    const s = snapshotOf(run);
    const o = s.catalog.organizations.find((x) => x.slug === input.id || x.id === input.id);
    if (!o) {
      // created a moment ago and not yet in the snapshot: units are public, so its dict comes from the catalogue
      const fresh = await organizationByRef(run.db, input.id);
      if (!fresh) throw notFound('Organization');
      return organizationDict({ id: fresh.id, createdAt: fresh.createdAt.toISOString(), slug: fresh.slug, title: fresh.title, titleEn: fresh.titleEn, description: fresh.description, identifierCode: fresh.identifierCode, parent: null, contactEmail: fresh.contactEmail, website: fresh.website, datasetCount: 0 }, run.services.siteUrl);
    }
    const dict: Record<string, unknown> = { ...organizationDict(o, run.services.siteUrl), users: [], groups: [], extras: [], num_followers: 0 };
    if (input.include_datasets) {
      dict.packages = s.catalog.datasets.filter((d) => d.organization === o.slug).slice(0, 10).map((d) => packageDict(run.services.snapshot.dataset(d.slug)!, s.catalog, run.services.siteUrl));
    }
    return dict;
  },
});

function topicsWithCounts(s: LoadedSnapshot | null, siteUrl: string) {
  const topics = s?.catalog.topics ?? [];
  return topics.map((t) => groupDict(t, (s?.catalog.datasets ?? []).filter((d) => d.topics.includes(t.id)).length, siteUrl));
}

export const groupList = defineAction({
  name: 'group_list', write: false, auth: rules.anyone,
  help: 'Các chủ đề (nhóm) của danh mục. / The catalogue\'s topics (groups).',
  input: listInput,
  async handler(run, input) {
    return listOf(topicsWithCounts(run.services.snapshot.current(), run.services.siteUrl), input, input.groups);
  },
});

export const groupShow = defineAction({
  name: 'group_show', write: false, auth: rules.anyone,
  help: 'Một chủ đề, với các bộ dữ liệu nếu include_datasets=true. / One topic.',
  input: z.object({ id: ref('id'), include_datasets: bool.optional(), include_dataset_count: bool.optional(), include_extras: bool.optional(), include_users: bool.optional(), include_groups: bool.optional(), include_followers: bool.optional(), include_tags: bool.optional() }).strict(),
  async handler(run, input) {
    const s = snapshotOf(run);
    const g = topicsWithCounts(s, run.services.siteUrl).find((x) => x.name === input.id);
    if (!g) throw notFound('Group');
    const dict: Record<string, unknown> = { ...g, users: [], groups: [], extras: [], num_followers: 0 };
    if (input.include_datasets) dict.packages = s.catalog.datasets.filter((d) => d.topics.includes(g.name)).slice(0, 1000).map((d) => packageDict(run.services.snapshot.dataset(d.slug)!, s.catalog, run.services.siteUrl));
    return dict;
  },
});

export const tagList = defineAction({
  name: 'tag_list', write: false, auth: rules.anyone,
  help: 'Các từ khóa của bộ dữ liệu đang công bố (query: lọc theo chuỗi con). / Keywords of published datasets.',
  input: z.object({ query: str(100, 'query').optional(), q: str(100, 'q').optional(), vocabulary_id: z.string().max(100).optional(), all_fields: bool.optional() }).strict(),
  async handler(run, input) {
    if (input.vocabulary_id) return []; // only free tags: no controlled vocabularies of tags here
    const s = run.services.snapshot.current();
    const q = (input.query ?? input.q ?? '').toLowerCase();
    const tags = [...new Set((s?.catalog.datasets ?? []).flatMap((d) => d.tags))].filter((t) => !q || t.toLowerCase().includes(q)).sort(new Intl.Collator('vi').compare);
    return input.all_fields ? tags.map((t) => ({ id: t, name: t, display_name: t, vocabulary_id: null })) : tags;
  },
});

export const licenseList = defineAction({
  name: 'license_list', write: false, auth: rules.anyone,
  help: 'Các giấy phép dữ liệu mở mà cổng dùng. / The licences datasets may use.',
  input: z.object({}).strict(),
  async handler(run) {
    const s = run.services.snapshot.current();
    const { LICENCES } = await import('../catalog/vocabularies.ts');
    return (s?.catalog.licences ?? LICENCES).map((l) => ({
      id: l.id, title: l.title, url: l.url, status: 'active', maintainer: '', family: '', is_generic: false,
      od_conformance: l.isOpen ? 'approved' : 'not reviewed', osd_conformance: 'not reviewed',
      domain_content: true, domain_data: true, domain_software: l.id === 'MIT', isopen: l.isOpen,
    }));
  },
});

export const resourceShow = defineAction({
  name: 'resource_show', write: false, auth: rules.anyone,
  help: 'Một tài nguyên (id) như trong package_show. / One resource, as in package_show.',
  input: z.object({ id: ref('id'), include_tracking: bool.optional() }).strict(),
  async handler(run, input) {
    const s = snapshotOf(run);
    // a resource id points into one dataset: found by reading the datasets (cached per snapshot)
    const owner = resourceOwner(s, run, input.id);
    if (!owner) throw notFound('Resource');
    const d = run.services.snapshot.dataset(owner)!;
    const i = d.resources.findIndex((r) => r.id === input.id);
    return resourceDict(d, d.resources[i]!, i, run.services.siteUrl);
  },
});

const resourceIndex = new WeakMap<LoadedSnapshot, Map<string, string>>();
function resourceOwner(s: LoadedSnapshot, run: ActionRun, id: string): string | null {
  let map = resourceIndex.get(s);
  if (!map) {
    map = new Map();
    for (const d of s.catalog.datasets) for (const r of run.services.snapshot.dataset(d.slug)?.resources ?? []) map.set(r.id, d.slug);
    resourceIndex.set(s, map);
  }
  return map.get(id) ?? null;
}

export const statusShow = defineAction({
  name: 'status_show', write: false, auth: rules.anyone,
  help: 'Thông tin về cổng và phiên bản API. / About this portal and its API.',
  input: z.object({}).strict(),
  async handler(run) {
    return {
      site_title: 'Cổng dữ liệu mở', site_description: 'Dữ liệu mở do các sở, ban, ngành và địa phương của tỉnh công bố.',
      site_url: run.services.siteUrl, error_emails_to: null, locale_default: 'vi', extensions: ['vietnamese-search', 'dataset-versions', 'update-frequency'],
      // the version of CKAN's Action API this portal answers like (it is not CKAN)
      ckan_version: '2.11.0', api_version: 3, portal: 'cong-du-lieu-mo',
    };
  },
});

export const packageActivityList = defineAction({
  name: 'package_activity_list', write: false, auth: rules.anyone,
  help: 'Lịch sử của một bộ dữ liệu, từ các phiên bản bất biến (mới nhất trước). / A dataset\'s history, from its immutable versions.',
  input: z.object({
    id: ref('id'), offset: int({ min: 0, label: 'offset' }).optional(), limit: int({ min: 1, max: 100, label: 'limit' }).optional(),
    after: z.unknown().optional(), before: z.unknown().optional(), activity_types: z.unknown().optional(), exclude_activity_types: z.unknown().optional(),
    include_hidden_activity: bool.optional(),
  }).strict(),
  async handler(run, input) {
    const d = run.services.snapshot.dataset(input.id);
    if (!d) throw notFound('Dataset');
    const list = d.versions.map((v) => ({
      id: v.id, timestamp: ckanTime(v.publishedAt), user_id: null, object_id: d.id,
      activity_type: v.number === 1 ? 'new package' : 'changed package',
      data: { package: { id: d.id, name: d.slug, title: d.title, version: String(v.number), notes: v.note } },
      // the portal's own: the version's number, why it was published, and its files
      version: v.number, note: v.note, resources: v.resources.map((r) => ({ id: r.id, name: r.name, hash: `sha256:${r.original.sha256}`, url: `${run.services.siteUrl}${r.original.url}` })),
    }));
    const offset = input.offset ?? 0;
    return list.slice(offset, offset + (input.limit ?? 31));
  },
});
