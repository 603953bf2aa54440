/**
 * A client of a remote CKAN Action API (the national portal): retries with exponential backoff on
 * timeouts, network failures, 5xx and 429 (honouring Retry-After); CKAN's errors come back as
 * RemoteError with the status and CKAN's error object.
 */
export class RemoteError extends Error {
  readonly status: number;
  readonly type: string;
  readonly body: unknown;
  constructor(status: number, type: string, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.type = type;
    this.body = body;
  }
}

/** The remote did not answer after every retry: the run stops and the next one catches up. */
export class RemoteUnavailable extends Error {}

export interface ClientOptions {
  url: string;
  token: string;
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  /** tests count what is sent */
  onRequest?: (action: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CkanClient {
  private readonly opts: ClientOptions;
  constructor(opts: ClientOptions) { this.opts = opts; }

  async call<T = any>(action: string, params: Record<string, unknown> = {}, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const base = `${this.opts.url}/api/3/action/${action}`;
    let lastError = '';
    for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
      let wait = this.opts.retryBaseMs * 2 ** (attempt - 1);
      try {
        this.opts.onRequest?.(action);
        const res = await fetch(method === 'GET' ? `${base}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}` : base, {
          method, signal: AbortSignal.timeout(this.opts.timeoutMs),
          headers: { authorization: this.opts.token, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          body: method === 'POST' ? JSON.stringify(params) : undefined,
        });
        const text = await res.text();
        if (res.status === 429 || res.status >= 500) {
          const after = Number(res.headers.get('retry-after'));
          if (Number.isFinite(after) && after > 0) wait = Math.max(wait, after * 1000);
          lastError = `HTTP ${res.status}`;
        } else {
          let body: { success?: boolean; result?: T; error?: { __type?: string; message?: string } & Record<string, unknown> } | string;
          try {
            body = JSON.parse(text);
          } catch {
            throw new RemoteError(res.status, 'Bad Response', `cổng quốc gia trả lời không phải JSON (HTTP ${res.status})`, text.slice(0, 500));
          }
          if (typeof body === 'string') throw new RemoteError(res.status, 'Bad Request', body, body);
          if (res.ok && body.success) return body.result as T;
          const error = body.error ?? {};
          throw new RemoteError(res.status, error.__type ?? 'Error', describeError(error), error);
        }
      } catch (err) {
        if (err instanceof RemoteError) throw err;
        lastError = (err as Error).name === 'TimeoutError' ? `quá ${this.opts.timeoutMs} ms không trả lời` : (err as Error).message;
      }
      if (attempt < this.opts.maxAttempts) await sleep(Math.min(wait, 60_000));
    }
    throw new RemoteUnavailable(`cổng quốc gia không trả lời sau ${this.opts.maxAttempts} lần thử (${lastError})`);
  }
}

/** CKAN's error object as one readable line: a message, or the fields of a Validation Error. */
export function describeError(error: Record<string, unknown>): string {
  if (typeof error.message === 'string') return error.message;
  const fields = Object.entries(error).filter(([k]) => !k.startsWith('__')).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join('; ') : JSON.stringify(v)}`);
  return `${error.__type ?? 'Lỗi'}: ${fields.join(' | ')}`.slice(0, 1000);
}
