import { isWorkspaceProblem, type WorkspaceLocals } from '../../server/contract/workspace.ts';

export { isWorkspaceProblem };
export type { WorkspaceLocals };

/** The server's services for an on-demand workspace page (set by server/http/server.ts). */
export function workspaceOf(locals: unknown): WorkspaceLocals {
  const l = locals as Partial<WorkspaceLocals>;
  if (typeof l.call !== 'function') throw new Error('workspace pages must be served by the portal server');
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

/** A posted url-encoded form (a repeated field, such as checkboxes, comma-joined) and whether its CSRF token is the session's. */
export async function postedForm(request: Request, L: WorkspaceLocals): Promise<{ form: Record<string, string>; csrfOk: boolean }> {
  const data = await request.formData();
  const form: Record<string, string> = {};
  for (const [k, v] of data) if (typeof v === 'string') form[k] = form[k] !== undefined ? `${form[k]},${v.normalize('NFC')}` : v.normalize('NFC');
  return { form, csrfOk: L.csrfOk(form._csrf) };
}

export const STATE_LABELS: Record<string, string> = { draft: 'Bản nháp', published: 'Đang công bố', withdrawn: 'Đã rút' };

export function dateVi(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const date = typeof d === 'string' ? new Date(d.length === 10 ? `${d}T00:00:00+07:00` : d) : d;
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
}

export function dateTimeVi(d: Date | string | null | undefined): string {
  if (!d) return '—';
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(typeof d === 'string' ? new Date(d) : d);
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

/** The answer of a page an action refused: 401/403/404 as plain text. */
export function refusal(err: unknown): Response {
  if (!isWorkspaceProblem(err)) throw err;
  return new Response(err.message, { status: err.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

export const forbidden = (message: string) => new Response(message, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** This year in Asia/Ho_Chi_Minh. */
export const thisYear = () => Number(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 4));

/** The report's year from ?nam= (this year by default), or null if it is not a sensible year. */
export function reportYear(url: URL): number | null {
  const year = Number(url.searchParams.get('nam') ?? thisYear());
  return Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : null;
}

/** The form input a problem is about: the actions name fields as the form does, but for the file. */
export const fieldOfProblem = (field: string) => (field === 'upload' ? 'file' : field);
