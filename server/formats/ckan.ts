import crypto from 'node:crypto';
import type { SnapshotCatalog, SnapshotDataset, SnapshotLink, SnapshotOrganization, SnapshotResource } from '../contract/snapshot.ts';
import { DATASET_FIELDS } from '../catalog/fields.ts';

/**
 * CKAN's package, resource, organization and group dicts (ckan/lib/dictization/model_dictize.py) made
 * from the publication snapshot, so that CKAN clients, harvesters and ckanapi read this portal as
 * they read CKAN. The portal's own fields (update frequency, next due date, freshness, versions) are
 * top-level keys that CKAN clients ignore and `extras` entries that harvesters carry along.
 */

/** CKAN's timestamps: naive UTC isoformat with microseconds, no "Z". */
export function ckanTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
}

const abs = (siteUrl: string, p: string) => `${siteUrl.replace(/\/+$/, '')}${p}`;

export function organizationDict(o: SnapshotOrganization, siteUrl: string, packageCount?: number) {
  return {
    id: o.id, name: o.slug, title: o.title, display_name: o.title, type: 'organization', description: o.description,
    image_url: '', image_display_url: '', created: ckanTime(o.createdAt), is_organization: true, approval_status: 'approved', state: 'active',
    package_count: packageCount ?? o.datasetCount,
    // the portal's own: the unit's electronic identifier code and English name
    identifier_code: o.identifierCode, title_en: o.titleEn, url: abs(siteUrl, `/organization/${o.slug}/`),
  };
}

export function groupDict(t: { id: string; title: string; titleEn: string }, packageCount: number, siteUrl: string) {
  return {
    id: t.id, name: t.id, title: t.title, display_name: t.title, type: 'group', description: '', image_url: '', image_display_url: '',
    created: null, is_organization: false, approval_status: 'approved', state: 'active', package_count: packageCount,
    title_en: t.titleEn, url: abs(siteUrl, `/group/${t.id}/`),
  };
}

export function resourceDict(d: SnapshotDataset, r: SnapshotResource, position: number, siteUrl: string) {
  const modified = ckanTime(d.lastUpdatedAt ?? d.modifiedAt);
  return {
    id: r.id, package_id: d.id, name: r.title, description: r.description, position,
    url: abs(siteUrl, r.downloads.original.url), url_type: null, resource_type: null,
    format: r.format, mimetype: r.mediaType, mimetype_inner: null, size: r.size, hash: `sha256:${r.sha256}`,
    created: ckanTime(d.createdAt), last_modified: modified, metadata_modified: modified,
    cache_url: null, cache_last_updated: null, state: 'active', datastore_active: false,
    // resource extras, flattened as CKAN does: the normalised copies and what the ingest found
    resource_name: r.name, original_name: r.originalName, encoding: r.encoding, row_count: r.rowCount,
    csv_url: abs(siteUrl, r.downloads.csv.url), csv_sha256: r.downloads.csv.sha256, csv_size: r.downloads.csv.size,
    json_url: abs(siteUrl, r.downloads.json.url), json_sha256: r.downloads.json.sha256, json_size: r.downloads.json.size,
    schema: r.schema,
  };
}

/** A stable resource id for a link (links have no row of their own): a UUID-shaped hash of the dataset and the address. */
export function linkId(datasetId: string, url: string, position: number): string {
  const h = crypto.createHash('sha256').update(`${datasetId}\u0000${position}\u0000${url}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function linkDict(d: SnapshotDataset, l: SnapshotLink, index: number, position: number) {
  const modified = ckanTime(d.lastUpdatedAt ?? d.modifiedAt);
  return {
    id: linkId(d.id, l.url, index), package_id: d.id, name: l.title, description: l.description, position,
    url: l.url, url_type: null, resource_type: 'link', format: l.format, mimetype: l.mediaType, mimetype_inner: null, size: l.size,
    hash: l.hash, created: ckanTime(d.createdAt), last_modified: modified, metadata_modified: modified,
    cache_url: null, cache_last_updated: null, state: 'active', datastore_active: false,
  };
}

/** The package dict of a published dataset. */
export function packageDict(d: SnapshotDataset, catalog: SnapshotCatalog, siteUrl: string) {
  const licence = catalog.licences.find((l) => l.id === d.licenseId);
  const org = catalog.organizations.find((o) => o.slug === d.organization.slug);
  const topics = catalog.topics.filter((t) => d.topics.includes(t.id));
  const own: Record<string, unknown> = {};
  for (const f of DATASET_FIELDS) {
    if (f.ckan.core || f.key === 'accessLevel') continue;
    own[f.ckan.name] = (d as unknown as Record<string, unknown>)[f.key] ?? null;
  }
  Object.assign(own, {
    access_level: 'open', version_number: d.version, next_due_date: d.nextDueDate, freshness: d.freshness,
    last_data_update: ckanTime(d.lastUpdatedAt), published: ckanTime(d.publishedAt),
  });
  const extras = Object.entries(own).filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) }));
  return {
    id: d.id, name: d.slug, title: d.title, version: String(d.version), url: abs(siteUrl, `/dataset/${d.slug}/`),
    author: null, author_email: null, maintainer: d.contactName, maintainer_email: d.contactEmail,
    notes: d.notes, license_id: d.licenseId, license_title: licence?.title ?? d.licenseId, license_url: licence?.url ?? null, isopen: licence?.isOpen ?? false,
    type: 'dataset', owner_org: d.organization.id, creator_user_id: null, private: false, state: 'active',
    metadata_created: ckanTime(d.createdAt), metadata_modified: ckanTime(d.modifiedAt),
    resources: [...d.resources.map((r, i) => resourceDict(d, r, i, siteUrl)), ...(d.links ?? []).map((l, i) => linkDict(d, l, i, d.resources.length + i))],
    num_resources: d.resources.length + (d.links?.length ?? 0),
    tags: d.tags.map((t) => ({ id: t, name: t, display_name: t, vocabulary_id: null, state: 'active' })), num_tags: d.tags.length,
    extras,
    groups: topics.map((t) => ({ id: t.id, name: t.id, title: t.title, display_name: t.title, description: '', image_url: '', image_display_url: '' })),
    organization: org ? {
      id: org.id, name: org.slug, title: org.title, type: 'organization', description: org.description, image_url: '', created: ckanTime(org.createdAt),
      is_organization: true, approval_status: 'approved', state: 'active',
    } : null,
    relationships_as_subject: [], relationships_as_object: [],
    ...own,
    versions: d.versions.map((v) => ({ number: v.number, note: v.note, published: ckanTime(v.publishedAt) })),
  };
}

export type PackageDict = ReturnType<typeof packageDict>;
