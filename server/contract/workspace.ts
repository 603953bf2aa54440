/**
 * What the workspace's on-demand pages get in Astro.locals from the portal server: the signed-in
 * session, and one way into the catalogue — `call(action, input)`, run as the session's account. The
 * pages import nothing else of the server but types: they render what actions return.
 */

export interface SessionView {
  username: string;
  isAdmin: boolean;
  csrfToken: string;
  sessionId: string;
}

/** An action's refusal as a page sees it. */
export class WorkspaceProblem extends Error {
  /** 'sign-in': not signed in; 'forbidden': another unit's; 'not-found'; 'invalid': input or file problems */
  readonly kind: 'sign-in' | 'forbidden' | 'not-found' | 'invalid';
  readonly code: string;
  readonly problems: { field: string; code: string; message: string }[];
  readonly reports: unknown[] | undefined;
  /** seconds before a refused sign-in may be tried again */
  readonly retryAfterSeconds: number | undefined;
  constructor(kind: WorkspaceProblem['kind'], code: string, message: string, problems: WorkspaceProblem['problems'] = [], extra: { reports?: unknown[]; retryAfterSeconds?: number } = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.problems = problems;
    this.reports = extra.reports;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
  /** the HTTP status a page answers with */
  get status(): number {
    return { 'sign-in': 401, forbidden: 403, 'not-found': 404, invalid: 422 }[this.kind];
  }
}

export const isWorkspaceProblem = (err: unknown): err is WorkspaceProblem => err instanceof Error && 'kind' in err && 'problems' in err;

export interface WorkspaceLocals {
  session: SessionView | null;
  /** runs an action as the signed-in account (anonymous when nobody is); refusals are WorkspaceProblems */
  call<T = any>(name: string, input?: Record<string, unknown>): Promise<T>;
  signIn(username: string, password: string): Promise<{ token: string; expiresAt: Date }>;
  signOut(token: string | undefined): Promise<void>;
  /** the posted form's CSRF token against the session's, in constant time */
  csrfOk(submitted: unknown): boolean;
  /** results of a form post kept for the page the browser is redirected to */
  flash: { put(value: unknown): Promise<string>; get<T>(id: string | null | undefined): Promise<T | null> };
  cookieSecure: boolean;
  publisher: { busy: boolean; last: { visibleAt: Date; ms: number } | null };
}

/** What the dataset page shows after an upload from the browser. */
export interface UploadFlash {
  status: 'published' | 'no-change' | 'invalid' | 'error';
  version?: number;
  message?: string;
  code?: string;
  reports?: unknown[];
  fileName?: string;
}

export interface CreateFlash { problems: { field: string; message: string }[]; form: Record<string, string>; reports?: unknown[]; message?: string }

/** A field of the dataset metadata form, as the field table describes it (workspace_form_show). */
export interface FormField {
  key: string; name: string; label: string; hint: string | null; input: string; required: boolean; maxLength: number | null;
  createOnly: boolean; options: { value: string; label: string }[] | null; defaultValue: string;
}

export const SESSION_COOKIE = 'cdl_session';
