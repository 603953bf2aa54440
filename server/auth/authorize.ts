import type { Principal } from './accounts.ts';

/**
 * Who may do what (the regulations: one account per unit, updating only that unit's data; the
 * province's IT department administers). Checked on the server before every write.
 */
export type Action =
  | 'dataset.create' | 'dataset.update' | 'dataset.publish-version' | 'dataset.withdraw'
  | 'organization.manage' | 'account.manage' | 'report.read';

export function can(who: Principal | null, action: Action, organizationId?: string): boolean {
  if (!who) return false;
  if (who.role === 'admin') return true;
  switch (action) {
    case 'dataset.create':
    case 'dataset.update':
    case 'dataset.publish-version':
    case 'dataset.withdraw':
      return organizationId !== undefined && who.editorOf.has(organizationId);
    default:
      return false; // units, accounts and province-wide reports belong to the admin
  }
}
