import { eq, or } from 'drizzle-orm';
import { schema, type Db } from '../db/index.ts';
import type { Principal } from '../auth/accounts.ts';
import { NotAuthorized, NotFound } from './errors.ts';

/**
 * Who may do what — the only place where a permission is decided (CKAN's ckan/logic/auth/ and
 * authz.ROLE_PERMISSIONS). The regulations: one account per unit, which may update only that unit's
 * data (editor); members may read the unit's non-public data; the province's IT department (admin)
 * administers units, accounts and reports. Trusted local processes (the seed, the command line run by
 * the operator, the daily check) act as the system and pass every rule, as CKAN's `ignore_auth` does.
 */
export interface Caller {
  /** the signed-in account (session or API token), or null */
  user: Principal | null;
  /** a trusted local process acting without an account, named in the audit trail */
  system?: 'seed' | 'cli' | 'schedule' | 'mirror';
}

export const ANONYMOUS: Caller = { user: null };
export const systemCaller = (name: NonNullable<Caller['system']>): Caller => ({ user: null, system: name });

/** The audit trail's "who". */
export function actorOf(caller: Caller): { accountId: string | null; label: string } {
  if (caller.user) return { accountId: caller.user.accountId, label: caller.user.username };
  return { accountId: null, label: caller.system ?? 'anonymous' };
}

export interface DatasetRef { id: string; slug: string; organizationId: string; state: 'draft' | 'published' | 'withdrawn'; accessLevel: string }

/** What the rules look up: the dataset or unit an input names (by id or name, as CKAN accepts). */
export class Lookup {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async dataset(ref: unknown): Promise<DatasetRef | null> {
    if (typeof ref !== 'string' || !ref || ref.length > 100) return null;
    const d = schema.datasets;
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(ref);
    const [row] = await this.db.select({ id: d.id, slug: d.slug, organizationId: d.organizationId, state: d.state, accessLevel: d.accessLevel })
      .from(d).where(byId ? or(eq(d.id, ref), eq(d.slug, ref)) : eq(d.slug, ref));
    return row ?? null;
  }

  /** the id of the dataset a resource belongs to */
  async resourceDataset(ref: unknown): Promise<string | null> {
    if (typeof ref !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(ref)) return null;
    const [row] = await this.db.select({ datasetId: schema.resources.datasetId }).from(schema.resources).where(eq(schema.resources.id, ref));
    return row?.datasetId ?? null;
  }

  async organization(ref: unknown): Promise<{ id: string; slug: string } | null> {
    if (typeof ref !== 'string' || !ref || ref.length > 100) return null;
    const o = schema.organizations;
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(ref);
    const [row] = await this.db.select({ id: o.id, slug: o.slug }).from(o).where(byId ? or(eq(o.id, ref), eq(o.slug, ref)) : eq(o.slug, ref));
    return row ?? null;
  }
}

/** An authorisation rule: resolves when the caller may run the action with this input, throws otherwise. */
export type AuthRule = (caller: Caller, input: Record<string, unknown>, look: Lookup) => Promise<void> | void;

const SIGN_IN = 'Bạn cần đăng nhập (hoặc gửi mã truy cập API trong tiêu đề Authorization).';
const signedIn = (caller: Caller): Principal => {
  if (!caller.user) throw new NotAuthorized(SIGN_IN, false);
  return caller.user;
};

/** The permission checks themselves, usable by pages that only decide what to show. */
export const may = {
  editUnit: (user: Principal | null, organizationId: string) => !!user && (user.role === 'admin' || user.editorOf.has(organizationId)),
  readUnit: (user: Principal | null, organizationId: string) => !!user && (user.role === 'admin' || user.memberOf.has(organizationId)),
  /** a dataset the public does not see: drafts to its unit; 'shared' data to every signed-in state agency account */
  readDataset: (user: Principal | null, d: Pick<DatasetRef, 'organizationId' | 'state' | 'accessLevel'>) =>
    (d.state === 'published' && d.accessLevel === 'open') || may.readUnit(user, d.organizationId) || (!!user && d.state === 'published' && d.accessLevel === 'shared'),
};

export const rules = {
  /** reads of what the public site shows */
  anyone: (): void => {},

  signedIn: (caller: Caller): void => {
    if (!caller.system) signedIn(caller);
  },

  admin: (caller: Caller): void => {
    if (caller.system) return;
    if (signedIn(caller).role !== 'admin') throw new NotAuthorized('Chỉ quản trị cổng (Sở Khoa học và Công nghệ) được thực hiện thao tác này.', true);
  },

  /** editor of the unit that owns the dataset the input names (or the admin) */
  editorOfDataset: (field = 'id'): AuthRule => async (caller, input, look) => {
    if (caller.system) return;
    const user = signedIn(caller);
    const d = await look.dataset(input[field]);
    if (!d || !may.readDataset(user, d)) throw new NotFound(`Không tìm thấy bộ dữ liệu "${String(input[field] ?? '').slice(0, 100)}".`, 'dataset-not-found');
    if (!may.editUnit(user, d.organizationId)) throw new NotAuthorized('Tài khoản này không có quyền cập nhật dữ liệu của đơn vị khác.', true);
  },

  /** editor of the unit the input names (or the admin) */
  editorOfOrganization: (field = 'owner_org'): AuthRule => async (caller, input, look) => {
    if (caller.system) return;
    const user = signedIn(caller);
    const o = await look.organization(input[field]);
    if (!o) {
      if (user.role === 'admin' || user.editorOf.size > 0) return; // the input check says "no such unit"
      throw new NotAuthorized('Tài khoản này không phải biên tập viên của đơn vị nào.', true);
    }
    if (!may.editUnit(user, o.id)) throw new NotAuthorized('Tài khoản này không có quyền tạo dữ liệu cho đơn vị khác.', true);
  },

  /** a dataset the caller may see (a public one, or a non-public one of their unit) */
  readerOfDataset: (field = 'id'): AuthRule => async (caller, input, look) => {
    if (caller.system) return;
    const d = await look.dataset(input[field]);
    if (!d || !may.readDataset(caller.user, d)) throw new NotFound(`Không tìm thấy bộ dữ liệu "${String(input[field] ?? '').slice(0, 100)}".`, 'dataset-not-found');
  },
};
