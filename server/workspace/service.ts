import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { audit, CatalogError, hashJson, metadataOf, publishVersion, saveDataset, type PublishOutcome, upsertOrganization } from '../catalog/datasets.ts';
import { parseDataPackage, type MetadataProblem } from '../catalog/metadata.ts';
import { createAccount, actorOf, createApiToken, revokeApiToken, setMembership, type Principal } from '../auth/accounts.ts';
import { can, type Action } from '../auth/authorize.ts';
import { currentFreshness } from '../freshness/check.ts';
import { slugify } from '../contract/text.ts';
import { nameProblem } from '../catalog/names.ts';
import { currentSignInLocks, liftSignInLock } from '../auth/throttle.ts';
import type { Publisher } from './publisher.ts';
import { signIn, signOut } from '../auth/sessions.ts';
import { freshnessDashboard, quarterlyUpToDateShare, yearlyReport } from '../freshness/report.ts';
import { FRESHNESS_RULES } from '../freshness/due.ts';
import { UPDATE_FREQUENCIES, LICENCES, TOPICS } from '../catalog/vocabularies.ts';

const { datasets, organizations, datasetVersions, versionResources, resources, accounts, memberships, outbox, auditEvents, freshnessRuns, apiTokens } = schema;

/** The metadata form's fields as a datapackage.json, so the form is checked by the same rules as the files. */
function packageOf(form: Record<string, string>, slug: string) {
  return {
    name: slug, title: form.title, description: form.description, organization: form.organization,
    keywords: (form.tags ?? '').split(',').map((t) => t.trim()).filter(Boolean), topics: form.topics ? form.topics.split(',').filter(Boolean) : [],
    licenses: [{ name: form.license || 'CC-BY-4.0' }], frequency: form.frequency || 'quarterly', frequencyReason: form.frequencyReason,
    temporal: { start: form.temporalStart || undefined, end: form.temporalEnd || undefined }, spatial: form.spatial,
    contact: { name: form.contactName, email: form.contactEmail },
  };
}

/** Thrown when a signed-in account may not do what it asked; the HTTP layer answers 403. */
export class ForbiddenError extends CatalogError {
  constructor(message = 'Tài khoản của bạn không có quyền thực hiện thao tác này với dữ liệu của đơn vị khác.') { super('forbidden', message); }
}

function require(who: Principal | null, action: Action, organizationId?: string): asserts who is Principal {
  if (!who) throw new CatalogError('unauthenticated', 'Bạn cần đăng nhập.');
  if (!can(who, action, organizationId)) throw new ForbiddenError();
}

export interface UploadedFile { path: string; originalName: string }

/**
 * What the units' workspace and the upload API can do. Every write checks the principal here, on
 * the server, whatever the page showed; every write is audited by the catalogue functions it calls.
 */
export class Workspace {
  readonly db: Db;
  readonly store: BlobStore;
  readonly publisher: Publisher;
  constructor(db: Db, store: BlobStore, publisher: Publisher) {
    this.db = db;
    this.store = store;
    this.publisher = publisher;
  }

  /** Units an account works for (all units for the admin). */
  async unitsOf(who: Principal) {
    const all = await this.db.select().from(organizations).orderBy(asc(organizations.title));
    return who.role === 'admin' ? all : all.filter((o) => who.memberOf.has(o.id));
  }

  /** The datasets the account may see in the workspace, with due dates; drafts and withdrawn ones included. */
  async datasetsOf(who: Principal, now = new Date()) {
    const units = await this.unitsOf(who);
    const ids = units.map((u) => u.id);
    if (!ids.length) return [];
    const rows = await this.db.select().from(datasets).where(inArray(datasets.organizationId, ids)).orderBy(asc(datasets.title));
    const fresh = new Map((await currentFreshness(this.db, now)).map((f) => [f.id, f]));
    const unitTitle = new Map(units.map((u) => [u.id, u.title]));
    return rows.map((d) => ({
      slug: d.slug, title: d.title, state: d.state, unit: unitTitle.get(d.organizationId) ?? '', organizationId: d.organizationId,
      updateFrequency: d.updateFrequency, lastUpdatedAt: d.lastUpdatedAt, freshness: fresh.get(d.id) ?? null,
      canEdit: can(who, 'dataset.publish-version', d.organizationId),
    }));
  }

  async datasetBySlug(slug: string) {
    const [d] = await this.db.select().from(datasets).where(eq(datasets.slug, slug));
    if (!d) throw new CatalogError('dataset-not-found', `Không có bộ dữ liệu "${slug}".`);
    return d;
  }

  /** A dataset as its unit sees it: metadata, resources, versions, due date, audit trail. */
  async datasetDetail(who: Principal, slug: string, now = new Date()) {
    const d = await this.datasetBySlug(slug);
    if (who.role !== 'admin' && !who.memberOf.has(d.organizationId)) throw new ForbiddenError('Bộ dữ liệu này thuộc đơn vị khác.');
    const [org] = await this.db.select().from(organizations).where(eq(organizations.id, d.organizationId));
    const versions = await this.db.select({ v: datasetVersions, by: accounts.username }).from(datasetVersions)
      .leftJoin(accounts, eq(accounts.id, datasetVersions.publishedBy))
      .where(eq(datasetVersions.datasetId, d.id)).orderBy(desc(datasetVersions.number));
    const res = await this.db.select().from(resources).where(eq(resources.datasetId, d.id)).orderBy(asc(resources.position));
    const latest = versions[0]?.v;
    const files = latest ? await this.db.select().from(versionResources).where(eq(versionResources.versionId, latest.id)) : [];
    const freshness = (await currentFreshness(this.db, now, d.organizationId)).find((f) => f.id === d.id) ?? null;
    const trail = await this.db.select().from(auditEvents).where(and(eq(auditEvents.objectType, 'dataset'), eq(auditEvents.objectId, d.id))).orderBy(desc(auditEvents.id)).limit(50);
    return {
      dataset: d, organization: org!, freshness, canEdit: can(who, 'dataset.publish-version', d.organizationId),
      resources: res.map((r) => ({ ...r, file: files.find((f) => f.resourceId === r.id) ?? null })),
      versions: versions.map((x) => ({ number: x.v.number, note: x.v.note, publishedAt: x.v.publishedAt, by: x.by ?? 'system' })),
      audit: trail,
    };
  }

  /** A new version from an uploaded file: validated by the ingest, published only if valid. */
  async uploadVersion(who: Principal | null, slug: string, file: UploadedFile, input: { note: string; resourceName?: string }): Promise<PublishOutcome & { dataset: string }> {
    const d = await this.datasetBySlug(slug);
    require(who, 'dataset.publish-version', d.organizationId);
    if (d.state === 'withdrawn') throw new CatalogError('dataset-withdrawn', 'Bộ dữ liệu đã bị rút; không thể thêm phiên bản mới.');
    const note = input.note.trim().normalize('NFC');
    if (!note) throw new CatalogError('note-required', 'Cần ghi chú thay đổi cho phiên bản mới (ví dụ: "Cập nhật số liệu quý 3").');
    const res = await this.db.select().from(resources).where(eq(resources.datasetId, d.id)).orderBy(asc(resources.position));
    const target = input.resourceName ? res.find((r) => r.name === input.resourceName) : res[0];
    if (!target) throw new CatalogError('resource-not-found', `Bộ dữ liệu không có tài nguyên "${input.resourceName}".`);
    const outcome = await publishVersion(this.db, this.store, {
      datasetId: d.id, note, actor: actorOf(who), schemaPolicy: 'keep-current',
      uploads: [{ resourceName: target.name, title: target.title, description: target.description, filePath: file.path, originalName: file.originalName }],
    });
    if (outcome.status === 'published') this.publisher.request(`${slug} v${outcome.versionNumber}`);
    return { ...outcome, dataset: slug };
  }

  /** Creates a dataset from the metadata form together with its first file; nothing exists if either is invalid. */
  async createDataset(who: Principal | null, form: Record<string, string>, file: UploadedFile | null): Promise<{ problems: MetadataProblem[]; outcome?: PublishOutcome; slug?: string }> {
    const [org] = await this.db.select().from(organizations).where(eq(organizations.slug, form.organization ?? ''));
    require(who, 'dataset.create', org?.id ?? '__none__');
    const slug = (form.slug?.trim() || slugify(form.title ?? '')).slice(0, 100);
    const resourceName = slugify((file?.originalName ?? 'du-lieu').replace(/\.[^.]+$/, '')) || 'du-lieu';
    const pkg = { ...packageOf(form, slug), resources: [{ name: resourceName, path: 'upload', title: form.resourceTitle?.trim() || form.title }] };
    const { metadata, problems } = parseDataPackage(pkg);
    if (!file) problems.push({ field: 'file', message: 'Cần chọn tệp dữ liệu cho phiên bản đầu tiên.' });
    if (metadata) {
      const [taken] = await this.db.select({ id: datasets.id }).from(datasets).where(eq(datasets.slug, metadata.slug));
      if (taken) problems.push({ field: 'name', message: `Tên định danh "${metadata.slug}" đã được dùng; hãy chọn tên khác.` });
    }
    if (problems.length || !metadata || !file) return { problems };
    const outcome = await publishVersion(this.db, this.store, {
      create: metadata, note: form.note?.trim() || 'Công bố lần đầu', actor: actorOf(who),
      uploads: [{ resourceName, title: pkg.resources[0]!.title ?? metadata.title, description: '', filePath: file.path, originalName: file.originalName }],
    });
    if (outcome.status === 'published') this.publisher.request(`${metadata.slug} v1`);
    return { problems: [], outcome, slug: metadata.slug };
  }

  /** The metadata form's values of an existing dataset (what the edit form starts from). */
  async metadataForm(who: Principal, slug: string): Promise<Record<string, string>> {
    const d = await this.datasetBySlug(slug);
    require(who, 'dataset.update', d.organizationId);
    return {
      title: d.title, description: d.notes, tags: d.tags.join(', '), topics: d.topics.join(','), license: d.licenseId,
      frequency: d.updateFrequency, frequencyReason: d.frequencyReason ?? '', temporalStart: d.temporalStart ?? '',
      temporalEnd: d.temporalEnd ?? '', spatial: d.spatial ?? '', contactName: d.contactName ?? '', contactEmail: d.contactEmail ?? '',
    };
  }

  /**
   * New metadata for a published dataset: checked like at creation, then published as a new version
   * with the same files (never an edit in place), which does not count as a data update for the due date.
   */
  async updateMetadata(who: Principal | null, slug: string, form: Record<string, string>): Promise<{ problems: MetadataProblem[]; outcome?: PublishOutcome }> {
    const d = await this.datasetBySlug(slug);
    require(who, 'dataset.update', d.organizationId);
    if (d.state !== 'published') throw new CatalogError('dataset-not-published', 'Chỉ sửa được thông tin của bộ dữ liệu đang công bố.');
    const [org] = await this.db.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, d.organizationId));
    const res = await this.db.select().from(resources).where(eq(resources.datasetId, d.id));
    const { metadata, problems } = parseDataPackage({
      ...packageOf({ ...form, organization: org!.slug }, d.slug),
      sources: d.source ? [{ title: d.source }] : [], sample: d.isSample, accessLevel: d.accessLevel,
      resources: res.map((r) => ({ name: r.name, path: 'kept', title: r.title, description: r.description })),
    });
    if (problems.length || !metadata) return { problems };
    const outcome = await this.db.transaction(async (tx) => {
      await saveDataset(tx as unknown as Db, metadata, actorOf(who));
      return publishVersion(tx as unknown as Db, this.store, { datasetId: d.id, uploads: [], note: form.note?.trim() || 'Cập nhật thông tin mô tả', actor: actorOf(who) });
    });
    if (outcome.status === 'published') this.publisher.request(`${slug} v${outcome.versionNumber} (thông tin mô tả)`);
    return { problems: [], outcome };
  }

  /** Withdraws a dataset from the public catalogue with a reason; its versions stay in the history. */
  async withdraw(who: Principal | null, slug: string, reason: string) {
    const d = await this.datasetBySlug(slug);
    require(who, 'dataset.withdraw', d.organizationId);
    const why = reason.trim().normalize('NFC');
    if (why.length < 10) throw new CatalogError('reason-required', 'Cần ghi rõ lý do rút bộ dữ liệu (ít nhất 10 ký tự).');
    if (d.state === 'withdrawn') throw new CatalogError('already-withdrawn', 'Bộ dữ liệu đã được rút trước đó.');
    const [org] = await this.db.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, d.organizationId));
    const before = hashJson({ state: d.state, m: metadataOf(d, org!.slug) });
    await this.db.transaction(async (tx) => {
      await tx.update(datasets).set({ state: 'withdrawn', withdrawnReason: why, modifiedAt: new Date() }).where(eq(datasets.id, d.id));
      await audit(tx as unknown as Db, actorOf(who), 'dataset.withdraw', 'dataset', d.id, before, hashJson({ state: 'withdrawn', m: metadataOf(d, org!.slug) }), { reason: why });
    });
    this.publisher.request(`rút ${slug}`);
  }

  /** The account's own API tokens (never the token itself: only its name and dates are kept in clear). */
  async tokens(who: Principal) {
    return this.db.select({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
      .from(apiTokens).where(eq(apiTokens.accountId, who.accountId)).orderBy(desc(apiTokens.createdAt));
  }

  async createToken(who: Principal, name: string): Promise<string> {
    const label = name.trim().normalize('NFC').slice(0, 100);
    if (!label) throw new CatalogError('name-required', 'Hãy đặt tên cho mã truy cập (ví dụ: "Máy chủ đồng bộ của Sở").');
    return createApiToken(this.db, who.accountId, label, actorOf(who));
  }

  async revokeToken(who: Principal, id: string) {
    const [t] = /^[0-9a-f-]{36}$/.test(id) ? await this.db.select().from(apiTokens).where(and(eq(apiTokens.id, id), eq(apiTokens.accountId, who.accountId))) : [];
    if (!t) throw new ForbiddenError('Mã truy cập không thuộc tài khoản của bạn.');
    await revokeApiToken(this.db, id, actorOf(who));
  }

  signIn(input: { username: string; password: string; ip: string }) {
    return signIn(this.db, input);
  }

  signOut(token: string | undefined) {
    return signOut(this.db, token);
  }

  /** The vocabularies the metadata form offers. */
  vocabularies() {
    return { frequencies: UPDATE_FREQUENCIES, licences: LICENCES, topics: TOPICS, dueSoonDays: FRESHNESS_RULES.dueSoonDays };
  }

  // —— the admin's work ——

  async dashboard(who: Principal | null, now = new Date()) {
    require(who, 'report.read');
    const [board, quarters, runs] = await Promise.all([
      freshnessDashboard(this.db, now), quarterlyUpToDateShare(this.db, now, 8),
      this.db.select().from(freshnessRuns).orderBy(desc(freshnessRuns.id)).limit(5),
    ]);
    return { ...board, quarters, runs };
  }

  async yearly(who: Principal | null, year: number, now = new Date()) {
    require(who, 'report.read');
    return yearlyReport(this.db, year, now);
  }

  async createUnit(who: Principal | null, form: Record<string, string>) {
    require(who, 'organization.manage');
    const title = form.title?.trim().normalize('NFC') ?? '';
    const slug = form.slug?.trim() || slugify(title);
    const problems: MetadataProblem[] = [];
    if (!title) problems.push({ field: 'title', message: 'Cần nhập tên đơn vị.' });
    const slugProblem = nameProblem('organization', slug);
    if (slugProblem) problems.push({ field: 'slug', message: slugProblem });
    const code = form.identifierCode?.trim() || null;
    // mã định danh điện tử của cơ quan (QĐ 20/2020/QĐ-TTg): letters, digits, dots, e.g. H41.12
    if (code && !/^[A-Z0-9][A-Z0-9.]{1,30}$/.test(code)) problems.push({ field: 'identifierCode', message: 'Mã định danh điện tử gồm chữ in hoa, số và dấu chấm (ví dụ H41.12).' });
    const [exists] = slug ? await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)) : [];
    if (exists) problems.push({ field: 'slug', message: `Đơn vị "${slug}" đã có.` });
    if (form.parent) {
      const [p] = await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, form.parent));
      if (!p) problems.push({ field: 'parent', message: 'Đơn vị cấp trên không tồn tại.' });
    }
    if (problems.length) return { problems };
    await upsertOrganization(this.db, { slug, title, identifierCode: code, parent: form.parent || null, contactEmail: form.contactEmail?.trim() || null }, actorOf(who));
    return { problems, slug };
  }

  async createAccount(who: Principal | null, form: Record<string, string>) {
    require(who, 'account.manage');
    const id = await createAccount(this.db, {
      username: (form.username ?? '').trim().toLowerCase(), displayName: form.displayName?.trim() || form.username || '',
      password: form.password ?? '', email: form.email?.trim() || undefined, role: form.role === 'admin' ? 'admin' : 'user',
    }, actorOf(who));
    if (form.organization) await setMembership(this.db, id, form.organization, form.membership === 'member' ? 'member' : 'editor', actorOf(who));
    return id;
  }

  async setEditor(who: Principal | null, username: string, organizationSlug: string, role: 'editor' | 'member' | 'none') {
    require(who, 'account.manage');
    const [a] = await this.db.select().from(accounts).where(eq(accounts.username, username));
    if (!a) throw new CatalogError('account-not-found', `Không có tài khoản "${username}".`);
    if (role === 'none') {
      const [org] = await this.db.select().from(organizations).where(eq(organizations.slug, organizationSlug));
      if (!org) throw new CatalogError('organization-not-found', `Không có đơn vị "${organizationSlug}".`);
      await this.db.delete(memberships).where(and(eq(memberships.accountId, a.id), eq(memberships.organizationId, org.id)));
      await audit(this.db, actorOf(who), 'membership.remove', 'account', a.id, null, null, { organization: organizationSlug });
    } else {
      await setMembership(this.db, a.id, organizationSlug, role, actorOf(who));
    }
  }

  /** Sign-in limits currently holding someone back (account, address, or both), for the admin. */
  async signInLocks(who: Principal | null) {
    require(who, 'account.manage');
    return currentSignInLocks(this.db);
  }

  async liftSignInLock(who: Principal | null, key: string) {
    require(who, 'account.manage');
    const lifted = await liftSignInLock(this.db, key.slice(0, 300));
    if (lifted) await audit(this.db, actorOf(who), 'sign-in-lock.lift', 'sign-in-lock', key.slice(0, 300), null, null, {});
    return lifted;
  }

  async accountsWithUnits(who: Principal | null) {
    require(who, 'account.manage');
    const list = await this.db.select().from(accounts).orderBy(asc(accounts.username));
    const ms = await this.db.select({ accountId: memberships.accountId, role: memberships.role, unit: organizations.title, slug: organizations.slug })
      .from(memberships).innerJoin(organizations, eq(organizations.id, memberships.organizationId));
    return list.map((a) => ({ id: a.id, username: a.username, displayName: a.displayName, email: a.email, role: a.role, disabled: !!a.disabledAt, units: ms.filter((m) => m.accountId === a.id) }));
  }

  /** Reminders for the account's units (all for the admin), newest first. */
  async reminders(who: Principal, limit = 50) {
    const units = (await this.unitsOf(who)).map((u) => u.id);
    if (!units.length) return [];
    return this.db.select({ m: outbox, dataset: datasets.slug, to: accounts.username }).from(outbox)
      .innerJoin(datasets, eq(datasets.id, outbox.datasetId)).innerJoin(accounts, eq(accounts.id, outbox.accountId))
      .where(inArray(outbox.organizationId, units)).orderBy(desc(outbox.id)).limit(limit);
  }
}
