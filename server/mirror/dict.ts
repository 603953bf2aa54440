import type { SnapshotCatalog, SnapshotDataset } from '../contract/snapshot.ts';
import type { MirrorConfig } from '../config.ts';
import { DATASET_FIELDS } from '../catalog/fields.ts';
import { slugify } from '../contract/text.ts';

/** The dataset's name on the national portal: the province's prefix and its own name, within CKAN's 100 characters. */
export function remoteName(cfg: Pick<MirrorConfig, 'prefix'>, slug: string): string {
  return `${slugify(cfg.prefix, 40)}${cfg.prefix && !cfg.prefix.endsWith('-') ? '-' : ''}${slug}`.slice(0, 100).replace(/-+$/, '');
}

/** The remote organisation a unit publishes under. */
export function remoteOrganization(cfg: Pick<MirrorConfig, 'organizations' | 'organization'>, unitSlug: string): string {
  return cfg.organizations[unitSlug] ?? cfg.organization;
}

const DOWNLOADS = [
  { kind: 'original', label: 'tệp gốc', describe: 'Tệp do đơn vị tải lên, đúng từng byte.' },
  { kind: 'csv', label: 'CSV UTF-8', describe: 'Bảng dữ liệu đã kiểm tra, CSV UTF-8.' },
  { kind: 'json', label: 'JSON', describe: 'Bảng dữ liệu đã kiểm tra, mảng JSON.' },
] as const;

/**
 * The package dict sent to the national portal for a published dataset: CKAN's core fields, the
 * portal's own as extras, and each download of this portal (original, CSV, JSON) as a resource that
 * links back here with its size and sha256 — the data itself stays here, as the regulations have it.
 */
export function remoteDict(d: SnapshotDataset, catalog: SnapshotCatalog, siteUrl: string, cfg: MirrorConfig): Record<string, unknown> {
  const base = siteUrl.replace(/\/+$/, '');
  const landing = `${base}/dataset/${d.slug}/`;
  const org = catalog.organizations.find((o) => o.slug === d.organization.slug);
  const extras: { key: string; value: string }[] = [];
  for (const f of DATASET_FIELDS) {
    if (f.ckan.core || f.key === 'accessLevel' || f.key === 'isSample') continue;
    const v = (d as unknown as Record<string, unknown>)[f.key];
    if (v !== null && v !== undefined && v !== '') extras.push({ key: f.ckan.name, value: String(v) });
  }
  extras.push(
    { key: 'source_portal', value: base },
    { key: 'source_dataset', value: landing },
    { key: 'publisher_name', value: org?.title ?? d.organization.title },
    ...(org?.identifierCode ? [{ key: 'publisher_identifier', value: org.identifierCode }] : []),
    { key: 'version_number', value: String(d.version) },
    ...(d.nextDueDate ? [{ key: 'next_due_date', value: d.nextDueDate }] : []),
  );
  return {
    name: remoteName(cfg, d.slug),
    title: d.title,
    notes: d.notes,
    owner_org: remoteOrganization(cfg, d.organization.slug),
    url: landing,
    version: String(d.version),
    license_id: d.licenseId,
    maintainer: d.contactName,
    maintainer_email: d.contactEmail,
    tags: d.tags.map((name) => ({ name })),
    ...(cfg.groups ? { groups: d.topics.map((name) => ({ name })) } : {}),
    extras: extras.sort((a, b) => a.key.localeCompare(b.key)),
    resources: [
      ...d.resources.flatMap((r) => DOWNLOADS.map((k) => {
        const f = k.kind === 'original' ? r.downloads.original : r.downloads[k.kind];
        return {
          name: `${r.title} (${k.kind === 'original' ? `${k.label}, ${r.format}` : k.label})`, description: [k.kind === 'original' ? r.description : '', k.describe].filter(Boolean).join(' '),
          url: `${base}${f.url}`, format: f.format, mimetype: f.mediaType, size: f.size, hash: `sha256:${f.sha256}`,
        };
      })),
      ...(d.links ?? []).map((l) => ({ name: l.title, description: l.description, url: l.url, format: l.format, mimetype: l.mediaType, size: l.size, hash: l.hash })),
    ],
  };
}
