import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import { currentLinks, metadataOf, resourcesWithFiles } from '../catalog/datasets.ts';
import { licenceById } from '../catalog/vocabularies.ts';
import { DATASET_FIELDS } from '../catalog/fields.ts';
import { ckanTime } from '../formats/ckan.ts';

/**
 * The package dict of a dataset the public does not see (a draft, withdrawn or shared data), read from
 * the catalogue for the accounts allowed to see it. Its files have no public address: resources carry
 * their hashes and sizes, not download URLs.
 */
export async function draftPackageDict(db: Db, datasetId: string, siteUrl: string) {
  const [d] = await db.select().from(schema.datasets).where(eq(schema.datasets.id, datasetId));
  const [o] = await db.select().from(schema.organizations).where(eq(schema.organizations.id, d!.organizationId));
  const m = metadataOf(d!, o!.slug);
  const licence = licenceById(m.licenseId);
  const own: Record<string, unknown> = {};
  for (const f of DATASET_FIELDS) if (!f.ckan.core) own[f.ckan.name] = m[f.key];
  const res = await resourcesWithFiles(db, d!.id);
  const links = await currentLinks(db, d!.id);
  return {
    id: d!.id, name: d!.slug, title: m.title, notes: m.notes, url: `${siteUrl}/workspace/datasets/${d!.slug}/`,
    maintainer: m.contactName, maintainer_email: m.contactEmail, license_id: m.licenseId, license_title: licence?.title ?? m.licenseId,
    license_url: licence?.url ?? null, isopen: licence?.isOpen ?? false, type: 'dataset', owner_org: o!.id, private: !(d!.state === 'published' && d!.accessLevel === 'open'),
    state: d!.state === 'published' ? 'active' : d!.state === 'withdrawn' ? 'deleted' : 'draft', withdrawn_reason: d!.withdrawnReason,
    metadata_created: ckanTime(d!.createdAt.toISOString()), metadata_modified: ckanTime(d!.modifiedAt.toISOString()),
    tags: m.tags.map((t) => ({ id: t, name: t, display_name: t, vocabulary_id: null, state: 'active' })), num_tags: m.tags.length,
    groups: m.topics.map((t) => ({ id: t, name: t })), extras: Object.entries(own).filter(([, v]) => v !== null && v !== '').map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
    organization: { id: o!.id, name: o!.slug, title: o!.title, type: 'organization', is_organization: true, state: 'active' },
    resources: res.map((r, i) => ({
      id: r.id, package_id: d!.id, name: r.title, description: r.description, position: i, url: null, url_type: null,
      format: r.file?.format ?? null, mimetype: r.file?.mediaType ?? null, size: r.file?.size ?? null, hash: r.file ? `sha256:${r.file.sha256}` : null,
      resource_name: r.name, row_count: r.file?.rowCount ?? null, state: 'active',
    })).concat(links.map((l, i) => ({
      id: `link-${i + 1}`, package_id: d!.id, name: l.title, description: l.description, position: res.length + i, url: l.url as never, url_type: null,
      format: l.format, mimetype: l.mediaType, size: l.size, hash: l.hash, resource_name: l.name, row_count: null, state: 'active',
    }))),
    num_resources: res.length + links.length, relationships_as_subject: [], relationships_as_object: [],
    ...own,
  };
}
