/** The publication snapshot: the only thing the static site reads (DESIGN.md). */
import type { Licence, UpdateFrequency } from '../catalog/vocabularies.ts';
import type { FreshnessStatus } from '../freshness/due.ts';

export interface SnapshotFile { url: string; sha256: string; size: number; mediaType: string; format: string }

export interface SnapshotResource {
  id: string; name: string; title: string; description: string; format: string; mediaType: string; encoding: string | null;
  size: number; sha256: string; rowCount: number; schema: Record<string, unknown>; originalName: string;
  downloads: { original: SnapshotFile; csv: SnapshotFile; json: SnapshotFile };
  /** header and first rows of the normalised CSV */
  preview: string[][];
}

export interface SnapshotVersion {
  number: number; note: string; publishedAt: string;
  resources: { id: string; name: string; original: SnapshotFile; csv: SnapshotFile; json: SnapshotFile }[];
}

export interface SnapshotDataset {
  id: string; slug: string; title: string; notes: string; tags: string[]; topics: string[]; licenseId: string;
  updateFrequency: string; frequencyReason: string | null; temporalStart: string | null; temporalEnd: string | null;
  spatial: string | null; contactName: string | null; contactEmail: string | null; source: string | null; isSample: boolean;
  organization: { slug: string; title: string };
  createdAt: string; modifiedAt: string; publishedAt: string | null; lastUpdatedAt: string | null;
  version: number; resources: SnapshotResource[]; versions: SnapshotVersion[];
  /** due date of the next update (yyyy-mm-dd, Asia/Ho_Chi_Minh) and the status on the snapshot's day */
  nextDueDate: string | null; freshness: FreshnessStatus;
}

export interface SnapshotOrganization {
  slug: string; title: string; titleEn: string | null; description: string; identifierCode: string | null;
  parent: string | null; contactEmail: string | null; website: string | null; datasetCount: number;
}

export interface SnapshotDatasetSummary {
  slug: string; title: string; notes: string; organization: string; tags: string[]; topics: string[]; formats: string[];
  licenseId: string; updateFrequency: string; modifiedAt: string; lastUpdatedAt: string | null; publishedAt: string | null; isSample: boolean;
  nextDueDate: string | null; freshness: FreshnessStatus;
}

export interface SnapshotCatalog {
  format: number;
  generatedAt: string;
  siteUrl: string;
  organizations: SnapshotOrganization[];
  topics: { id: string; title: string; titleEn: string }[];
  licences: Licence[];
  frequencies: UpdateFrequency[];
  datasets: SnapshotDatasetSummary[];
  /** withdrawn datasets keep a page at their address that says so and why (never a silent 404) */
  withdrawn?: SnapshotWithdrawn[];
}

export interface SnapshotWithdrawn {
  slug: string; title: string; organization: { slug: string; title: string }; reason: string; withdrawnAt: string; lastVersion: number;
}
