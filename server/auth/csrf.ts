import crypto from 'node:crypto';

export { SESSION_COOKIE } from '../contract/workspace.ts';

/** Constant-time comparison of a form's CSRF token with the session's. */
export function csrfMatches(session: { csrfToken: string } | null, submitted: unknown): boolean {
  if (!session || typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(submitted);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
