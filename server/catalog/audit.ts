import crypto from 'node:crypto';

/** Who is acting, as the audit trail names them. */
export interface Actor { accountId: string | null; label: string }

/** One line of the audit trail; before/after hashes make silent changes visible. */
export interface AuditEvent {
  action: string;
  objectType: string;
  objectId: string;
  beforeHash?: string | null;
  afterHash?: string | null;
  details: Record<string, unknown>;
  /** when someone other than the caller is the actor (a sign-in: the account signing in) */
  actor?: Actor;
}

/**
 * What catalogue functions record through: the actor, and where audit events go. The dispatcher
 * hands one to every action and writes the events in the action's own transaction.
 */
export interface Recorder {
  actor: Actor;
  audit(event: AuditEvent): void;
}

/** A stable hash of JSON data (keys sorted), for "did anything change" and audit before/after. */
export function hashJson(value: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
    return v;
  };
  return crypto.createHash('sha256').update(JSON.stringify(canon(value))).digest('hex');
}
