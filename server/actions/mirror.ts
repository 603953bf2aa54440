import { asc, eq } from 'drizzle-orm';
import { schema } from '../db/index.ts';
import { defineAction } from './dispatcher.ts';
import { rules } from './auth.ts';
import { NotAuthorized, NotFound } from './errors.ts';
import { ref, z } from './params.ts';

/**
 * What the mirror to the national portal has pushed of each dataset, and how its last attempt went:
 * the admin reads it and asks for a dataset to be pushed again; the mirror records each attempt.
 */

const STATUS = ['pushed', 'pending', 'failing', 'deleted'] as const;

export const mirrorStateList = defineAction({
  name: 'mirror_state_list', write: false, auth: rules.admin,
  help: 'Trạng thái đẩy dữ liệu lên cổng dữ liệu quốc gia của từng bộ dữ liệu. Chỉ quản trị cổng. / The mirror\'s state per dataset (admin).',
  input: z.object({}).strict(),
  async handler(run) {
    return run.db.select().from(schema.mirrorState).orderBy(asc(schema.mirrorState.slug));
  },
});

export const mirrorStateRecord = defineAction({
  name: 'mirror_state_record', write: true, internal: true,
  auth: (caller) => {
    if (caller.system !== 'mirror') throw new NotAuthorized('Chỉ tiến trình đẩy dữ liệu lên cổng quốc gia ghi trạng thái này.', !!caller.user);
  },
  help: 'Ghi kết quả một lần đẩy một bộ dữ liệu (nội bộ). / Record one push attempt (internal).',
  input: z.object({
    dataset_id: z.string().uuid(), slug: z.string().max(100), remote_name: z.string().max(100), remote_id: z.string().max(100).nullable().optional(),
    status: z.enum(STATUS), version: z.number().int().nullable().optional(), hash: z.string().max(100).nullable().optional(), error: z.string().max(2000).nullable().optional(),
  }).strict(),
  async handler(run, input) {
    const [before] = await run.db.select().from(schema.mirrorState).where(eq(schema.mirrorState.datasetId, input.dataset_id));
    const ok = input.status === 'pushed' || input.status === 'deleted';
    const values = {
      slug: input.slug, remoteName: input.remote_name, remoteId: input.remote_id ?? before?.remoteId ?? null, status: input.status,
      pushedVersion: ok ? (input.version ?? null) : before?.pushedVersion ?? null, pushedHash: ok ? (input.hash ?? null) : before?.pushedHash ?? null,
      lastAttemptAt: run.now, lastSuccessAt: ok ? run.now : before?.lastSuccessAt ?? null, lastError: ok ? null : (input.error ?? null),
      attempts: ok ? 0 : (before?.attempts ?? 0) + 1,
    };
    await run.db.insert(schema.mirrorState).values({ datasetId: input.dataset_id, ...values }).onConflictDoUpdate({ target: schema.mirrorState.datasetId, set: values });
    // only what changed on the national portal goes to the audit trail
    if (ok && before?.pushedHash !== values.pushedHash) run.audit({ action: `mirror.${input.status}`, objectType: 'dataset', objectId: input.dataset_id, details: { remote: input.remote_name, version: input.version } });
    else if (!ok) run.audit({ action: 'mirror.failed', objectType: 'dataset', objectId: input.dataset_id, details: { remote: input.remote_name, error: input.error } });
    return null;
  },
});

export const mirrorRepush = defineAction({
  name: 'mirror_repush', write: true, auth: rules.admin,
  help: 'Yêu cầu đẩy lại một bộ dữ liệu lên cổng quốc gia ở lần chạy tới (id). Chỉ quản trị cổng. / Push one dataset again on the next run (admin).',
  input: z.object({ id: ref('id') }).strict(),
  async handler(run, input) {
    const d = await run.look.dataset(input.id);
    if (!d) throw new NotFound('Not found: Dataset', 'dataset-not-found');
    await run.db.update(schema.mirrorState).set({ pushedHash: null, status: 'pending' }).where(eq(schema.mirrorState.datasetId, d.id));
    run.audit({ action: 'mirror.repush', objectType: 'dataset', objectId: d.id, details: {} });
    return { id: d.id, name: d.slug, status: 'pending' };
  },
});
