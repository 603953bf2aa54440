/**
 * A refusal the user can act on: a stable machine-readable code and a Vietnamese message. `field`
 * names the input at fault (for per-field error lists such as CKAN's Validation Error).
 */
export class CatalogError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, details: { field?: string } = {}) {
    super(message);
    this.code = code;
    this.field = details.field;
  }
}
