import { CatalogError } from '../catalog/errors.ts';

/**
 * The errors an action answers with, one class per row of CKAN's error table (ckan/logic/__init__.py),
 * each with a stable code and a Vietnamese message. Adapters map them: the Action API to CKAN's
 * envelope and status, the workspace to its pages, the command line to exit codes.
 */
export class ActionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** 403 Authorization Error; `signedIn` false means "sign in first" (the workspace answers 401 then). */
export class NotAuthorized extends ActionError {
  readonly signedIn: boolean;
  constructor(message: string, signedIn: boolean, code = signedIn ? 'forbidden' : 'unauthenticated') {
    super(code, message);
    this.signedIn = signedIn;
  }
}

/** 404 Not Found Error. Also what someone gets who may not know that a non-public dataset exists. */
export class NotFound extends ActionError {
  constructor(message: string, code = 'not-found') { super(code, message); }
}

export interface FieldProblem { code: string; message: string }

/** 409 Validation Error: problems per input field (CKAN's `{field: [messages]}`), each with a code. */
export class ValidationError extends ActionError {
  readonly fields: Record<string, FieldProblem[]>;
  /** what else the caller should see: the ingest's validation reports of a rejected file */
  readonly data: Record<string, unknown> | undefined;
  constructor(fields: Record<string, FieldProblem[]>, data?: Record<string, unknown>) {
    const first = Object.values(fields).flat()[0];
    super(first?.code ?? 'invalid', first?.message ?? 'Dữ liệu gửi lên không hợp lệ.');
    this.fields = fields;
    this.data = data;
  }
  static of(field: string, code: string, message: string): ValidationError {
    return new ValidationError({ [field]: [{ code, message }] });
  }
  /** One flat list, for forms that show every problem next to its field. */
  list(): { field: string; code: string; message: string }[] {
    return Object.entries(this.fields).flatMap(([field, ps]) => ps.map((p) => ({ field, ...p })));
  }
}

/** 400 Search Query Error: a malformed q, fq or sort. */
export class SearchQueryError extends ActionError {
  constructor(message: string, code = 'bad-search-query') { super(code, message); }
}

/** A domain refusal (CatalogError) as the action error it means. */
export function fromCatalogError(err: CatalogError): ActionError {
  if (err.code.endsWith('-not-found')) return new NotFound(err.message, err.code);
  if (err.code === 'forbidden') return new NotAuthorized(err.message, true);
  if (err.code === 'unauthenticated') return new NotAuthorized(err.message, false);
  const retry = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
  return new ValidationError({ [err.field ?? err.code]: [{ code: err.code, message: err.message }] }, retry ? { retryAfterSeconds: retry } : undefined);
}
