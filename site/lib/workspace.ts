import type { WorkspaceLocals } from '../../server/http/server.ts';
import type { SessionInfo } from '../../server/auth/sessions.ts';
import { csrfMatches } from '../../server/auth/csrf.ts';

/** The server's services for an on-demand workspace page (set by server/http/server.ts). */
export function workspaceOf(locals: unknown): WorkspaceLocals {
  const l = locals as Partial<WorkspaceLocals>;
  if (!l.workspace) throw new Error('workspace pages must be served by the portal server');
  return l as WorkspaceLocals;
}

/** Where to send a visitor who is not signed in; `next` brings them back afterwards. */
export function signInUrl(url: URL): string {
  return `/workspace/sign-in/?next=${encodeURIComponent(url.pathname + url.search)}`;
}

/** Only workspace addresses are accepted as a place to return to (no open redirect). */
export function safeNext(next: string | null): string {
  return next && /^\/workspace\/[\w\-/.?=&%]*$/.test(next) && !next.startsWith('//') ? next : '/workspace/';
}

/** A posted url-encoded form with its CSRF token checked against the session. */
export async function postedForm(request: Request, session: SessionInfo | null): Promise<{ form: Record<string, string>; csrfOk: boolean }> {
  const data = await request.formData();
  const form: Record<string, string> = {};
  for (const [k, v] of data) if (typeof v === 'string') form[k] = v.normalize('NFC');
  return { form, csrfOk: csrfMatches(session, form._csrf) };
}

export const STATE_LABELS: Record<string, string> = { draft: 'Bản nháp', published: 'Đang công bố', withdrawn: 'Đã rút' };

export function dateVi(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const date = typeof d === 'string' ? new Date(d.length === 10 ? `${d}T00:00:00+07:00` : d) : d;
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
}

export function dateTimeVi(d: Date | null | undefined): string {
  if (!d) return '—';
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
}

/** CSV for spreadsheet users: UTF-8 with BOM (Excel reads Vietnamese right), CRLF, formula cells neutralised. */
export function toCsv(rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    let s = v === null ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** An admin-only read: its result, or null when the account is not the admin (the page then answers 403). */
export async function forAdmin<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if ((err as { code?: string }).code !== 'forbidden') throw err;
    return null;
  }
}

export const forbidden = (message: string) => new Response(message, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** This year in Asia/Ho_Chi_Minh. */
export const thisYear = () => Number(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 4));

/** The report's year from ?nam= (this year by default), or null if it is not a sensible year. */
export function reportYear(url: URL): number | null {
  const year = Number(url.searchParams.get('nam') ?? thisYear());
  return Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : null;
}

// metadata problems name datapackage.json fields; the forms name their inputs differently
const FIELD_OF: Record<string, string> = {
  name: 'slug', licenses: 'license', 'temporal.start': 'temporalStart', 'temporal.end': 'temporalEnd', temporal: 'temporalEnd', 'contact.email': 'contactEmail',
};
/** The form input a metadata problem is about (its id in the create and edit forms). */
export const fieldOfProblem = (field: string) => FIELD_OF[field] ?? field;
