import crypto from 'node:crypto';

/**
 * Results of a form post kept for the page that the browser is redirected to (post/redirect/get),
 * bound to the session that made them and forgotten after ten minutes.
 */
export class FlashStore {
  private items = new Map<string, { sessionId: string; value: unknown; expires: number }>();

  put(sessionId: string, value: unknown): string {
    const now = Date.now();
    for (const [k, v] of this.items) if (v.expires < now) this.items.delete(k);
    const id = crypto.randomBytes(12).toString('base64url');
    this.items.set(id, { sessionId, value, expires: now + 10 * 60_000 });
    return id;
  }

  get<T>(sessionId: string, id: string | null | undefined): T | null {
    const item = id ? this.items.get(id) : undefined;
    return item && item.sessionId === sessionId && item.expires > Date.now() ? (item.value as T) : null;
  }
}
