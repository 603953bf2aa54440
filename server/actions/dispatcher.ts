import { schema, type Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { CatalogError } from '../catalog/errors.ts';
import type { AuditEvent, Recorder } from '../catalog/audit.ts';
import { actorOf, Lookup, type AuthRule, type Caller } from './auth.ts';
import { ActionError, fromCatalogError, ValidationError } from './errors.ts';
import type { SnapshotReader } from '../publish/reader.ts';
import { zodInput, type z } from './params.ts';

/** What actions work with: opened once per process by whoever runs the dispatcher. */
export interface Services {
  db: Db;
  store: BlobStore;
  siteUrl: string;
  /** the publication snapshot: public reads are answered from it, as the site is */
  snapshot: SnapshotReader;
  /** called after a write commits that changed what the public sees (the publisher rebuilds) */
  changed?: (reasons: string[]) => void;
  now?: () => Date;
}

/** One run of an action: who calls, the database (the transaction, for writes), and what it records. */
export interface ActionRun extends Recorder {
  caller: Caller;
  db: Db;
  services: Services;
  look: Lookup;
  now: Date;
  /** a change the public site must show: queued in the same transaction, published after commit */
  changed(reason: string, datasetId?: string | null): void;
}

export interface ActionDef<S extends z.ZodType = z.ZodType, O = any, P = any> {
  /** CKAN's name where CKAN has one */
  name: string;
  /** writes run in one transaction and are audited; only reads answer GET */
  write: boolean;
  /** what help_show says */
  help: string;
  /** only for this process's own adapters (signing in, the seed): the Action API does not offer it */
  internal?: boolean;
  /** who may run it: required, as CKAN's get_action refuses an action without an auth function */
  auth: AuthRule;
  /** the input's schema: validates and normalises (NFC, names, vocabularies); unknown parameters are refused */
  input: S;
  /** slow work outside the transaction (reading an uploaded file); its result goes to the handler */
  prepare?: (run: Omit<ActionRun, 'changed' | 'audit'>, input: z.output<S>) => Promise<P>;
  handler: (run: ActionRun, input: z.output<S>, prepared: P) => Promise<O>;
  /** releases what prepare made (temporary files), whatever happened */
  cleanup?: (prepared: P) => void;
}

export const defineAction = <S extends z.ZodType, O, P = undefined>(def: ActionDef<S, O, P>): ActionDef<S, O, P> => def;

/** An action name the dispatcher does not know (CKAN answers 400 with a bare string). */
export class UnknownAction extends Error {
  readonly action: string;
  constructor(name: string) {
    super(`Bad request: Action name not known: ${name}`);
    this.action = name;
  }
}

/**
 * The one way into the catalogue (CKAN's `get_action(name)(context, data_dict)`): the workspace, the
 * Action API, the command line and the seed call the same actions. For each call the dispatcher checks
 * the authorisation rule, validates the input, runs the handler (a write in one transaction, with its
 * audit events and its publish requests), and tells the publisher after the commit.
 */
export class Dispatcher {
  readonly services: Services;
  private readonly actions = new Map<string, ActionDef>();

  constructor(services: Services, actions: ActionDef[]) {
    this.services = services;
    for (const a of actions) {
      if (typeof a.auth !== 'function') throw new Error(`action ${a.name} has no authorisation rule`);
      if (this.actions.has(a.name)) throw new Error(`action ${a.name} is defined twice`);
      this.actions.set(a.name, a);
    }
  }

  has(name: string): boolean { return this.actions.has(name); }
  definition(name: string): ActionDef | undefined { return this.actions.get(name); }
  names(): string[] { return [...this.actions.keys()].sort(); }

  /** The rule alone, for adapters that decide before reading a request body (uploads). */
  async authorize(name: string, caller: Caller, raw: Record<string, unknown>): Promise<void> {
    const def = this.actions.get(name);
    if (!def) throw new UnknownAction(name);
    await translate(() => Promise.resolve(def.auth(caller, raw, new Lookup(this.services.db))));
  }

  async call<O = any>(name: string, caller: Caller, raw: unknown = {}): Promise<O> {
    const def = this.actions.get(name);
    if (!def) throw new UnknownAction(name);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw ValidationError.of('__input', 'not-an-object', 'Dữ liệu gửi lên phải là một đối tượng JSON.');
    const input0 = raw as Record<string, unknown>;
    const { db } = this.services;
    const now = this.services.now?.() ?? new Date();
    const base = { caller, db, services: this.services, look: new Lookup(db), now, actor: actorOf(caller) };
    let prepared: unknown;
    let reasons: string[] = [];
    try {
      return await translate(async () => {
        await def.auth(caller, input0, base.look);
        const input = zodInput(def.input)(input0);
        prepared = def.prepare ? await def.prepare(base, input) : undefined;
        if (!def.write) {
          const run: ActionRun = { ...base, audit: () => {}, changed: () => {} };
          return (await def.handler(run, input, prepared)) as O;
        }
        const result = await db.transaction(async (tx) => {
          const events: AuditEvent[] = [];
          const changes: { reason: string; datasetId: string | null }[] = [];
          const run: ActionRun = {
            ...base, db: tx as unknown as Db, look: new Lookup(tx as unknown as Db),
            audit: (e) => { events.push(e); },
            changed: (reason, datasetId = null) => { changes.push({ reason, datasetId }); },
          };
          const out = await def.handler(run, input, prepared);
          if (events.length === 0) events.push({ action: name, objectType: 'action', objectId: '-', details: {} });
          await tx.insert(schema.auditEvents).values(events.map((e) => ({
            actorId: (e.actor ?? base.actor).accountId, actorLabel: (e.actor ?? base.actor).label, action: e.action, objectType: e.objectType, objectId: e.objectId,
            beforeHash: e.beforeHash ?? null, afterHash: e.afterHash ?? null, details: { ...e.details, via: name },
          })));
          if (changes.length) await tx.insert(schema.publishQueue).values(changes.map((c) => ({ reason: c.reason, datasetId: c.datasetId, requestedAt: now })));
          reasons = changes.map((c) => c.reason);
          return out as O;
        });
        if (reasons.length) this.services.changed?.(reasons);
        return result;
      });
    } finally {
      if (def.cleanup && prepared !== undefined) def.cleanup(prepared);
    }
  }
}

/** Domain refusals become the action errors they mean; everything else passes through. */
async function translate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ActionError || err instanceof UnknownAction) throw err;
    if (err instanceof CatalogError) throw fromCatalogError(err);
    throw err;
  }
}
