import { log } from '../log.ts';

export interface PublishRun { reasons: string[]; requestedAt: Date; visibleAt: Date; ms: number }

export interface PublisherOptions {
  /** the snapshot and the site for every pending change; returns false when there was nothing to do */
  rebuild: (force: boolean) => Promise<boolean>;
  /** runs fn holding the publish lock, or not at all when another holder has it (database.tryLock) */
  tryLock: <T>(fn: () => Promise<T>) => Promise<{ locked: true; value: T } | { locked: false }>;
  /** whether changes are waiting (the publish queue), checked on a timer when several processes share a database */
  pending?: () => Promise<boolean>;
  /** how often to look at the queue (ms); 0: only when asked in this process (one process: the embedded database) */
  pollMs?: number;
}

/**
 * Turns "a unit published" into "the public site shows it": writes the snapshot and rebuilds the
 * static site, which then switches atomically. Changes are queued in the database by the actions that
 * make them; one publish at a time runs across every server process (a lock on the database), takes
 * every pending change and marks it done, so a change is published exactly once and a busy moment costs
 * one build in flight and one waiting. A process that finds the lock taken looks again shortly, in case
 * its change came after the holder's last look.
 */
export class Publisher {
  private pending: { reasons: string[]; since: Date; force: boolean } | null = null;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  last: PublishRun | null = null;
  lastError: string | null = null;
  private readonly opts: PublisherOptions;

  constructor(opts: PublisherOptions) {
    this.opts = opts;
    if (opts.pollMs && opts.pending) {
      this.timer = setInterval(() => {
        if (this.running) return;
        opts.pending!().then((yes) => { if (yes) this.request('thay đổi từ tiến trình khác', false); }, () => {});
      }, opts.pollMs);
      this.timer.unref();
    }
  }

  /** `force`: publish even when the queue is empty (statuses that move with the calendar). */
  request(reason: string, force = true): void {
    if (this.pending) {
      this.pending.reasons.push(reason);
      this.pending.force ||= force;
    } else this.pending = { reasons: [reason], since: new Date(), force };
    if (!this.running) this.running = this.loop().finally(() => { this.running = null; });
  }

  get busy(): boolean { return this.running !== null; }

  /** Resolves when no rebuild is running or waiting (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async loop(): Promise<void> {
    while (this.pending) {
      const job = this.pending;
      this.pending = null;
      const t0 = Date.now();
      try {
        const r = await this.opts.tryLock(async () => {
          log('publish', `cập nhật trang công khai: ${job.reasons.join(', ')}`);
          return this.opts.rebuild(job.force);
        });
        if (!r.locked) {
          // another process is publishing: it takes our change too, unless it looked before we committed
          await new Promise((resolve) => setTimeout(resolve, Math.max(200, this.opts.pollMs ?? 1000)));
          if (!this.pending && (await this.opts.pending?.())) this.pending = { reasons: job.reasons, since: job.since, force: false };
          continue;
        }
        if (!r.value) continue;
        const visibleAt = new Date();
        this.last = { reasons: job.reasons, requestedAt: job.since, visibleAt, ms: visibleAt.getTime() - job.since.getTime() };
        this.lastError = null;
        log('publish', `trang công khai đã cập nhật sau ${(this.last.ms / 1000).toFixed(1)} s kể từ lúc công bố (dựng ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (err) {
        this.lastError = (err as Error).message;
        log('publish', `lỗi khi dựng lại trang công khai (trang cũ vẫn hoạt động): ${(err as Error).stack}`);
      }
    }
  }
}

/** A publisher for one process with no queue to watch (tests, benchmarks): every request rebuilds. */
export function simplePublisher(rebuild: () => Promise<unknown>): Publisher {
  return new Publisher({ rebuild: async () => { await rebuild(); return true; }, tryLock: async (fn) => ({ locked: true, value: await fn() }) });
}
