import type http from 'node:http';
import { NotAuthorized, NotFound, ValidationError, type Dispatcher } from '../actions/index.ts';
import { csrfMatches } from '../auth/csrf.ts';
import { readCookie, sessionFromToken, type SessionInfo } from '../auth/sessions.ts';
import { SESSION_COOKIE, WorkspaceProblem, type WorkspaceLocals } from '../contract/workspace.ts';
import type { Db } from '../db/index.ts';
import { getFlash, putFlash } from '../auth/flash.ts';
import type { Publisher } from '../publish/publisher.ts';

/** An action's refusal as the workspace pages see it. */
export function asWorkspaceProblem(err: unknown): unknown {
  if (err instanceof NotAuthorized) return new WorkspaceProblem(err.signedIn ? 'forbidden' : 'sign-in', err.code, err.message);
  if (err instanceof NotFound) return new WorkspaceProblem('not-found', err.code, err.message);
  if (err instanceof ValidationError) {
    return new WorkspaceProblem('invalid', err.code, err.message, err.list(), { reports: err.data?.reports as unknown[] | undefined, retryAfterSeconds: err.data?.retryAfterSeconds as number | undefined });
  }
  return err;
}

export interface WorkspaceContext {
  actions: Dispatcher;
  db: Db;
  publisher: Publisher | null;
  cookieSecure: boolean;
}

/** The session behind a request's cookie, or null. */
export function sessionOf(req: http.IncomingMessage, db: Db): Promise<SessionInfo | null> {
  return sessionFromToken(db, readCookie(req.headers.cookie, SESSION_COOKIE));
}

/** What a workspace page finds in Astro.locals: the session and the actions, run as its account. */
export function workspaceLocals(session: SessionInfo | null, clientAddress: string, ctx: WorkspaceContext): WorkspaceLocals {
  const caller = { user: session?.principal ?? null };
  const call = async (name: string, input: Record<string, unknown> = {}) => {
    try {
      return await ctx.actions.call(name, caller, input);
    } catch (err) {
      throw asWorkspaceProblem(err);
    }
  };
  return {
    session: session && { username: session.principal.username, isAdmin: session.principal.role === 'admin', csrfToken: session.csrfToken, sessionId: session.sessionId },
    call,
    signIn: (username, password) => call('session_create', { username, password, address: clientAddress }),
    signOut: async (token) => { await call('session_delete', { token }); },
    csrfOk: (submitted) => csrfMatches(session, submitted),
    flash: {
      put: (value) => (session ? putFlash(ctx.db, session.sessionId, value) : Promise.resolve('')),
      get: <T>(id: string | null | undefined) => (session ? getFlash<T>(ctx.db, session.sessionId, id) : Promise.resolve(null)),
    },
    cookieSecure: ctx.cookieSecure,
    publisher: { busy: ctx.publisher?.busy ?? false, last: ctx.publisher?.last ?? null },
  };
}
