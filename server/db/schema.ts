import { sql } from 'drizzle-orm';
import {
  bigserial, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, bigint,
} from 'drizzle-orm/pg-core';

// CKAN names in comments so the API maps one-to-one (see DESIGN.md).

/** A unit [organization]: sở, ban, ngành, UBND cấp xã. */
export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(), // [name]
  title: text('title').notNull(),
  titleEn: text('title_en'),
  description: text('description').notNull().default(''),
  identifierCode: text('identifier_code'), // mã định danh điện tử (QĐ 20/2020/QĐ-TTg)
  parentId: uuid('parent_id'),
  contactEmail: text('contact_email'),
  website: text('website'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A person or service account. role 'admin' is the province's IT department. */
export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  email: text('email'),
  passwordHash: text('password_hash'), // scrypt, never the password
  role: text('role', { enum: ['admin', 'user'] }).notNull().default('user'),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Who may act for a unit: an editor may publish the unit's data, a member may only read it. */
export const memberships = pgTable('memberships', {
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  role: text('role', { enum: ['editor', 'member'] }).notNull(),
}, (t) => [primaryKey({ columns: [t.accountId, t.organizationId] })]);

/** API tokens are stored only as their sha256; the token itself is shown once. */
export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** A dataset [package]. Its published content lives in dataset_versions. */
export const datasets = pgTable('datasets', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(), // [name]
  organizationId: uuid('organization_id').notNull().references(() => organizations.id), // [owner_org]
  title: text('title').notNull(),
  notes: text('notes').notNull().default(''), // Markdown
  tags: jsonb('tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  topics: jsonb('topics').$type<string[]>().notNull().default(sql`'[]'::jsonb`), // [groups]
  licenseId: text('license_id').notNull(),
  accessLevel: text('access_level', { enum: ['open', 'shared'] }).notNull().default('open'),
  updateFrequency: text('update_frequency').notNull().default('quarterly'), // DCAT accrualPeriodicity
  frequencyReason: text('frequency_reason'),
  temporalStart: date('temporal_start'),
  temporalEnd: date('temporal_end'),
  spatial: text('spatial'),
  contactName: text('contact_name'),
  contactEmail: text('contact_email'),
  source: text('source'), // where the data comes from, with its licence when it is third-party data
  isSample: boolean('is_sample').notNull().default(false), // demo data that is not real
  state: text('state', { enum: ['draft', 'published', 'withdrawn'] }).notNull().default('draft'),
  withdrawnReason: text('withdrawn_reason'),
  extras: jsonb('extras').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(), // [metadata_created]
  modifiedAt: timestamp('modified_at', { withTimezone: true }).notNull().defaultNow(), // [metadata_modified]
  publishedAt: timestamp('published_at', { withTimezone: true }),
  lastUpdatedAt: timestamp('last_updated_at', { withTimezone: true }), // last version whose data changed
}, (t) => [index('datasets_org_idx').on(t.organizationId)]);

/** A resource's identity across versions; what it holds in a given version is in version_resources. */
export const resources = pgTable('resources', {
  id: uuid('id').primaryKey().defaultRandom(),
  datasetId: uuid('dataset_id').notNull().references(() => datasets.id),
  name: text('name').notNull(), // stable key within the dataset (the data file's base name)
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  position: integer('position').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('resources_dataset_name_idx').on(t.datasetId, t.name)]);

/** Every publication of a dataset. Immutable: a trigger rejects UPDATE and DELETE. */
export const datasetVersions = pgTable('dataset_versions', {
  id: uuid('id').primaryKey().defaultRandom(),
  datasetId: uuid('dataset_id').notNull().references(() => datasets.id),
  number: integer('number').notNull(),
  note: text('note').notNull(),
  publishedBy: uuid('published_by').references(() => accounts.id),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(), // the dataset's metadata as published
}, (t) => [uniqueIndex('dataset_versions_number_idx').on(t.datasetId, t.number)]);

/** The files of one resource in one version, by content hash. Immutable with its version. */
export const versionResources = pgTable('version_resources', {
  versionId: uuid('version_id').notNull().references(() => datasetVersions.id),
  resourceId: uuid('resource_id').notNull().references(() => resources.id),
  originalName: text('original_name').notNull(), // sanitised display name, never a filesystem path
  format: text('format').notNull(), // CSV, XLSX, JSON
  mediaType: text('media_type').notNull(),
  encoding: text('encoding'),
  size: bigint('size', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  csvSha256: text('csv_sha256').notNull(),
  csvSize: bigint('csv_size', { mode: 'number' }).notNull(),
  jsonSha256: text('json_sha256').notNull(),
  jsonSize: bigint('json_size', { mode: 'number' }).notNull(),
  rowCount: integer('row_count').notNull(),
  schema: jsonb('schema').$type<Record<string, unknown>>().notNull(), // Frictionless Table Schema
  report: jsonb('report').$type<Record<string, unknown>>().notNull(), // what ingest detected and warned
}, (t) => [primaryKey({ columns: [t.versionId, t.resourceId] })]);

/** Who did what, when; before/after hashes make silent changes visible. */
export const auditEvents = pgTable('audit_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  actorId: uuid('actor_id').references(() => accounts.id),
  actorLabel: text('actor_label').notNull(), // 'seed', a username, 'system'
  action: text('action').notNull(),
  objectType: text('object_type').notNull(),
  objectId: text('object_id').notNull(),
  beforeHash: text('before_hash'),
  afterHash: text('after_hash'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
});

/** A signed-in browser. Only the sha256 of the cookie's token is stored; csrf is the forms' token for this session. */
export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: text('token_hash').notNull().unique(),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  csrfToken: text('csrf_token').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** Each run of the quarterly-update check, with what it counted and queued. */
export const freshnessRuns = pgTable('freshness_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  trigger: text('trigger').notNull(), // 'command', 'schedule', 'test'
  counts: jsonb('counts').$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
  remindersQueued: integer('reminders_queued').notNull().default(0),
});

/**
 * Reminders to units' editors. dedupeKey (dataset, kind, due date, account) is unique, so a run
 * repeated the same day queues nothing twice; sentAt is set once SMTP has accepted the message.
 */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  dedupeKey: text('dedupe_key').notNull().unique(),
  kind: text('kind', { enum: ['due-soon', 'overdue'] }).notNull(),
  datasetId: uuid('dataset_id').notNull().references(() => datasets.id),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  toAddress: text('to_address'),
  dueDate: date('due_date').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  runId: bigint('run_id', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
}, (t) => [index('outbox_org_idx').on(t.organizationId)]);

/**
 * Sign-in attempts, counted before the password is checked (one atomic upsert per key), so parallel
 * guesses cannot slip past the limit and every server process sees the same counts. Keys:
 * `pair:<username>|<address>`, `account:<username>`, `address:<address>`.
 */
export const signInThrottle = pgTable('sign_in_throttle', {
  key: text('key').primaryKey(),
  attempts: integer('attempts').notNull(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }).notNull(),
});

/** Addresses an account has signed in from: they skip the account-wide delay a stranger could trigger. */
export const knownSignInAddresses = pgTable('known_sign_in_addresses', {
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  address: text('address').notNull(),
  lastSuccessAt: timestamp('last_success_at', { withTimezone: true }).notNull(),
}, (t) => [primaryKey({ columns: [t.accountId, t.address] })]);

/**
 * Changes the public site must show, queued in the transaction that made them. The publisher takes
 * every pending row, writes the snapshot and the site once for all of them, and marks them done, so a
 * change is published exactly once even when several processes share the database.
 */
export const publishQueue = pgTable('publish_queue', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  reason: text('reason').notNull(),
  datasetId: uuid('dataset_id'),
  doneAt: timestamp('done_at', { withTimezone: true }),
}, (t) => [index('publish_queue_pending_idx').on(t.doneAt)]);

/**
 * A resource of a version that is a link to data held elsewhere (what a national portal receives
 * from a province: links to the province's downloads). Not read or checked by the ingest; its hash
 * and size are the publisher's word. Immutable with its version.
 */
export const versionLinks = pgTable('version_links', {
  versionId: uuid('version_id').notNull().references(() => datasetVersions.id),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  title: text('title').notNull(),
  description: text('description').notNull().default(''),
  url: text('url').notNull(),
  format: text('format').notNull().default(''),
  mediaType: text('media_type'),
  size: bigint('size', { mode: 'number' }),
  hash: text('hash'),
}, (t) => [primaryKey({ columns: [t.versionId, t.position] })]);

/** What the mirror last pushed of each dataset to the national portal, and how the last attempt went. */
export const mirrorState = pgTable('mirror_state', {
  datasetId: uuid('dataset_id').primaryKey(),
  slug: text('slug').notNull(),
  remoteName: text('remote_name').notNull(),
  remoteId: text('remote_id'),
  pushedVersion: integer('pushed_version'),
  pushedHash: text('pushed_hash'),
  /** 'pushed' | 'pending' | 'failing' | 'deleted' */
  status: text('status').notNull(),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
  lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
  lastError: text('last_error'),
  attempts: integer('attempts').notNull().default(0),
});

/**
 * Results of a form post kept for the page the browser is redirected to (post/redirect/get), bound to
 * the session that made them. In the database, so the redirect may land on another server process.
 */
export const flashMessages = pgTable('flash_messages', {
  id: text('id').primaryKey(),
  sessionId: uuid('session_id').notNull(),
  value: jsonb('value').$type<unknown>().notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});
