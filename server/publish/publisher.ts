import { log } from '../log.ts';

export interface PublishRun { reasons: string[]; requestedAt: Date; visibleAt: Date; ms: number }

/**
 * Turns "a unit published" into "the public site shows it": writes the snapshot and rebuilds the
 * static site, which then switches atomically. Requests that arrive during a rebuild are merged
 * into one more rebuild, so a busy day costs at most one build in flight and one waiting.
 */
export class Publisher {
  private pending: { reasons: string[]; since: Date } | null = null;
  private running: Promise<void> | null = null;
  last: PublishRun | null = null;
  lastError: string | null = null;

  private readonly rebuild: () => Promise<void>;
  constructor(rebuild: () => Promise<void>) { this.rebuild = rebuild; }

  request(reason: string): void {
    if (this.pending) this.pending.reasons.push(reason);
    else this.pending = { reasons: [reason], since: new Date() };
    if (!this.running) this.running = this.loop().finally(() => { this.running = null; });
  }

  get busy(): boolean { return this.running !== null; }

  /** Resolves when no rebuild is running or waiting (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (this.pending) {
      const job = this.pending;
      this.pending = null;
      log('publish', `cập nhật trang công khai: ${job.reasons.join(', ')}`);
      try {
        await this.rebuild();
        const visibleAt = new Date();
        this.last = { reasons: job.reasons, requestedAt: job.since, visibleAt, ms: visibleAt.getTime() - job.since.getTime() };
        this.lastError = null;
        log('publish', `trang công khai đã cập nhật sau ${(this.last.ms / 1000).toFixed(1)} s kể từ lúc công bố`);
      } catch (err) {
        this.lastError = (err as Error).message;
        log('publish', `lỗi khi dựng lại trang công khai (trang cũ vẫn hoạt động): ${(err as Error).stack}`);
      }
    }
  }
}
