/** The publication snapshot: the only thing the static site reads (DESIGN.md). */
// The bottom of the house: imported by the site and the server alike, it imports nothing of either.

export interface Licence { id: string; title: string; url: string; isOpen: boolean }

export interface UpdateFrequency {
  id: string;
  title: string;
  titleEn: string;
  /** months between required updates; null when updates follow events (a reason is then required) */
  months: number | null;
  /** DCAT accrualPeriodicity (EU frequency vocabulary) */
  dcat: string;
  legalSource: string;
}

/** A dataset's standing against its update rule on a given day. */
export type FreshnessStatus = 'up-to-date' | 'due-soon' | 'overdue' | 'exempt';

export interface SnapshotFile { url: string; sha256: string; size: number; mediaType: string; format: string }

export interface SnapshotResource {
  id: string; name: string; title: string; description: string; format: string; mediaType: string; encoding: string | null;
  size: number; sha256: string; rowCount: number; schema: Record<string, unknown>; originalName: string;
  downloads: { original: SnapshotFile; csv: SnapshotFile; json: SnapshotFile };
  /** header and first rows of the normalised CSV */
  preview: string[][];
}

/** A resource that links to data held elsewhere: not stored or checked here; size and hash as its publisher gave them. */
export interface SnapshotLink {
  name: string; title: string; description: string; url: string; format: string; mediaType: string | null; size: number | null; hash: string | null;
}

export interface SnapshotVersion {
  id: string; number: number; note: string; publishedAt: string; links?: SnapshotLink[];
  resources: { id: string; name: string; original: SnapshotFile; csv: SnapshotFile; json: SnapshotFile }[];
}

export interface SnapshotDataset {
  id: string; slug: string; title: string; notes: string; tags: string[]; topics: string[]; licenseId: string;
  updateFrequency: string; frequencyReason: string | null; temporalStart: string | null; temporalEnd: string | null;
  spatial: string | null; contactName: string | null; contactEmail: string | null; source: string | null; isSample: boolean;
  organization: { id: string; slug: string; title: string };
  createdAt: string; modifiedAt: string; publishedAt: string | null; lastUpdatedAt: string | null;
  version: number; resources: SnapshotResource[]; versions: SnapshotVersion[];
  /** links to data held elsewhere (absent in snapshots written before links existed) */
  links?: SnapshotLink[];
  /** due date of the next update (yyyy-mm-dd, Asia/Ho_Chi_Minh) and the status on the snapshot's day */
  nextDueDate: string | null; freshness: FreshnessStatus;
}

export interface SnapshotOrganization {
  id: string; createdAt: string;
  slug: string; title: string; titleEn: string | null; description: string; identifierCode: string | null;
  parent: string | null; contactEmail: string | null; website: string | null; datasetCount: number;
}

export interface SnapshotDatasetSummary {
  id: string; createdAt: string;
  /** sha256 of the dataset's document in the shared objects/ folder (absent: datasets/<slug>.json in the snapshot) */
  doc?: string;
  slug: string; title: string; notes: string; organization: string; tags: string[]; topics: string[]; formats: string[];
  licenseId: string; updateFrequency: string; modifiedAt: string; lastUpdatedAt: string | null; publishedAt: string | null; isSample: boolean;
  nextDueDate: string | null; freshness: FreshnessStatus;
}

export interface SnapshotCatalog {
  format: number;
  /** the blob store, relative to the snapshot folder (absent: the snapshot's own files/) */
  blobs?: string;
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
  id: string; slug: string; title: string; organization: { id: string; slug: string; title: string }; reason: string; withdrawnAt: string; lastVersion: number;
}
