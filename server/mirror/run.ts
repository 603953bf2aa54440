import type { MirrorConfig } from '../config.ts';
import type { SnapshotDataset } from '../contract/snapshot.ts';
import { systemCaller, type Dispatcher } from '../actions/index.ts';
import type { SnapshotReader } from '../publish/reader.ts';
import { hashJson } from '../catalog/audit.ts';
import { CkanClient, RemoteError, RemoteUnavailable } from './client.ts';
import { remoteDict, remoteName, remoteOrganization } from './dict.ts';
import { log } from '../log.ts';

export interface MirrorStats { created: number; updated: number; deleted: number; unchanged: number; failed: number; pending: number }
export interface MirrorProgress { done: number; total: number; name: string; outcome: keyof MirrorStats }

type State = { datasetId: string; slug: string; remoteName: string; remoteId: string | null; pushedHash: string | null; status: string };

const MIRROR = systemCaller('mirror');

/**
 * Pushes what the last publish wrote (the snapshot: open, published data only) to the national portal:
 * creates or updates each dataset whose dict changed since its last successful push, deletes there what
 * was withdrawn here (with its reason in the notes), and records every attempt. A dataset the remote
 * refuses (409, 403) is recorded as failing and the others go on; when the remote does not answer after
 * every retry, the run stops and the next one catches up. Publishing never waits for this.
 */
export async function runMirror(opts: {
  cfg: MirrorConfig; snapshot: SnapshotReader; actions: Dispatcher; siteUrl: string; dryRun?: boolean;
  progress?: (p: MirrorProgress) => void; onRequest?: (action: string) => void;
}): Promise<MirrorStats> {
  const { cfg, actions } = opts;
  const stats: MirrorStats = { created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, pending: 0 };
  const snap = opts.snapshot.current();
  if (!snap) return stats;
  const client = new CkanClient({ url: cfg.url, token: cfg.token, timeoutMs: cfg.timeoutMs, retryBaseMs: cfg.retryBaseMs, maxAttempts: cfg.maxAttempts, onRequest: opts.onRequest });
  const states = new Map((await actions.call<State[]>('mirror_state_list', MIRROR, {})).map((s) => [s.datasetId, s]));
  const record = (d: { id: string; slug: string }, input: { status: 'pushed' | 'pending' | 'failing' | 'deleted'; remoteId?: string | null; version?: number | null; hash?: string | null; error?: string | null }) =>
    opts.dryRun ? Promise.resolve() : actions.call('mirror_state_record', MIRROR, {
      dataset_id: d.id, slug: d.slug, remote_name: remoteName(cfg, d.slug), remote_id: input.remoteId ?? null, status: input.status,
      version: input.version ?? null, hash: input.hash ?? null, error: input.error ? input.error.slice(0, 2000) : null,
    });

  // what changed since the last successful push of each dataset
  const work: { d: SnapshotDataset; dict: Record<string, unknown>; hash: string }[] = [];
  let slice = Date.now();
  for (const summary of snap.catalog.datasets) {
    // 100,000 datasets are seconds of work: the server's other answers go in between
    if (Date.now() - slice > 10) { await new Promise((r) => setImmediate(r)); slice = Date.now(); }
    const d = opts.snapshot.dataset(summary.slug);
    if (!d) continue;
    const dict = remoteDict(d, snap.catalog, opts.siteUrl, cfg);
    const hash = hashJson(dict);
    const state = states.get(d.id);
    if (state?.status === 'pushed' && state.pushedHash === hash) { stats.unchanged++; continue; }
    work.push({ d, dict, hash });
  }
  const live = new Set(snap.catalog.datasets.map((d) => d.id));
  const withdrawn = new Map((snap.catalog.withdrawn ?? []).map((w) => [w.id, w]));
  // pushed before and not open and published any more: withdrawn here, or turned shared or draft
  const gone = [...states.values()].filter((s) => s.status !== 'deleted' && s.pushedHash && !live.has(s.datasetId));
  const total = work.length + gone.length;
  let done = 0;
  const tell = (name: string, outcome: keyof MirrorStats) => { stats[outcome]++; opts.progress?.({ done: ++done, total, name, outcome }); };

  if (opts.dryRun) {
    for (const w of work) {
      log('mirror', `(thử) ${states.get(w.d.id)?.pushedHash ? 'cập nhật' : 'tạo'} ${w.dict.name} — ${JSON.stringify(w.dict).length.toLocaleString('vi-VN')} byte, ${(w.dict.resources as unknown[]).length} tài nguyên`);
      tell(String(w.dict.name), states.get(w.d.id)?.pushedHash ? 'updated' : 'created');
    }
    for (const s of gone) { log('mirror', `(thử) xóa ${s.remoteName}`); tell(s.remoteName, 'deleted'); }
    return stats;
  }

  const orgsReady = new Map<string, string | null>(); // remote organisation → null when ready, else why not
  const ensureOrg = async (name: string, title: string): Promise<string | null> => {
    if (orgsReady.has(name)) return orgsReady.get(name)!;
    let problem: string | null = null;
    try {
      await client.call('organization_show', { id: name }, 'GET');
    } catch (err) {
      if (!(err instanceof RemoteError) || err.status !== 404) throw err;
      try {
        await client.call('organization_create', { name, title });
      } catch (e) {
        if (!(e instanceof RemoteError)) throw e;
        // made by an earlier attempt whose answer was lost: it is there
        if (!(e.status === 409 && /exists|đã có/i.test(e.message))) problem = `không tạo được tổ chức "${name}" trên cổng quốc gia: ${e.message}`;
      }
    }
    orgsReady.set(name, problem);
    return problem;
  };

  try {
    for (const { d, dict, hash } of work) {
      const name = String(dict.name);
      try {
        const unit = snap.catalog.organizations.find((o) => o.slug === d.organization.slug);
        const orgProblem = await ensureOrg(String(dict.owner_org), cfg.organizations[d.organization.slug] ? unit?.title ?? d.organization.title : `Dữ liệu mở — ${new URL(opts.siteUrl).hostname}`);
        if (orgProblem) throw new RemoteError(403, 'Authorization Error', orgProblem, null);
        const existing = await client.call<{ id: string } | null>('package_show', { id: name }, 'GET').catch((err) => {
          if (err instanceof RemoteError && err.status === 404) return null;
          throw err;
        });
        let result: { id: string };
        if (existing) result = await client.call('package_update', { ...dict, id: existing.id });
        else {
          try {
            result = await client.call('package_create', dict);
          } catch (err) {
            // created by an attempt whose answer was lost (the remote went down mid-push): update it instead
            if (!(err instanceof RemoteError) || err.status !== 409 || !/name|tên định danh/i.test(err.message)) throw err;
            result = await client.call('package_update', { ...dict, id: name });
          }
        }
        await record(d, { status: 'pushed', remoteId: result.id, version: d.version, hash });
        tell(name, existing ? 'updated' : 'created');
      } catch (err) {
        if (err instanceof RemoteUnavailable) throw err;
        if (!(err instanceof RemoteError)) throw err;
        const why = err.status === 403 ? `cổng quốc gia từ chối (${err.status}): mã truy cập không có quyền — ${err.message}` : `cổng quốc gia từ chối (${err.status}): ${err.message}`;
        await record(d, { status: 'failing', error: why });
        log('mirror', `${name}: ${why}`);
        tell(name, 'failed');
      }
    }
    for (const s of gone) {
      const w = withdrawn.get(s.datasetId);
      const reason = w?.reason ? `Đơn vị đã rút bộ dữ liệu: ${w.reason}` : 'Bộ dữ liệu không còn là dữ liệu mở của tỉnh.';
      try {
        const remote = await client.call<{ id: string; notes?: string }>('package_show', { id: s.remoteName }, 'GET').catch((err) => {
          if (err instanceof RemoteError && err.status === 404) return null;
          throw err;
        });
        if (remote) {
          const day = new Date().toISOString().slice(0, 10).split('-').reverse().join('/');
          await client.call('package_patch', { id: remote.id, notes: `**Đã rút ngày ${day}.** ${reason}\n\n${remote.notes ?? ''}`.trim() });
          await client.call('package_delete', { id: remote.id, reason });
        }
        await record({ id: s.datasetId, slug: s.slug }, { status: 'deleted', remoteId: remote?.id ?? s.remoteId });
        tell(s.remoteName, 'deleted');
      } catch (err) {
        if (err instanceof RemoteUnavailable) throw err;
        if (!(err instanceof RemoteError)) throw err;
        await record({ id: s.datasetId, slug: s.slug }, { status: 'failing', error: `không xóa được trên cổng quốc gia (${err.status}): ${err.message}` });
        tell(s.remoteName, 'failed');
      }
    }
  } catch (err) {
    if (!(err instanceof RemoteUnavailable)) throw err;
    // the remote is down: what is left waits for the next run
    stats.pending = total - done;
    log('mirror', `${err.message}; ${stats.pending} bộ dữ liệu chờ lần chạy sau`);
  }
  return stats;
}

/**
 * Runs the mirror after each publish and on a schedule, one run at a time; requests during a run
 * make one more run. Never blocks publishing, and a failure only waits for the next run.
 */
export class MirrorScheduler {
  private running: Promise<void> | null = null;
  private again = false;
  last: { at: Date; stats: MirrorStats } | null = null;
  private readonly run: () => Promise<MirrorStats>;
  constructor(run: () => Promise<MirrorStats>) { this.run = run; }

  request(): void {
    if (this.running) { this.again = true; return; }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const stats = await this.run();
          this.last = { at: new Date(), stats };
          if (stats.created + stats.updated + stats.deleted + stats.failed + stats.pending > 0) {
            log('mirror', `cổng quốc gia: ${stats.created} tạo, ${stats.updated} cập nhật, ${stats.deleted} xóa, ${stats.unchanged} không đổi, ${stats.failed} lỗi, ${stats.pending} chờ`);
          }
        } catch (err) {
          log('mirror', `lỗi: ${(err as Error).stack}`);
        }
      } while (this.again);
    })().finally(() => { this.running = null; });
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
