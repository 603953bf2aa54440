import type http from 'node:http';
import { CatalogError } from '../catalog/datasets.ts';

const STATUS: Record<string, number> = {
  unauthenticated: 401, forbidden: 403, 'csrf-failed': 403, 'dataset-not-found': 404, 'organization-not-found': 404,
  'account-not-found': 404, 'file-too-large': 413, 'too-many-attempts': 429,
};

/** The HTTP status for an error: domain errors are the client's (422 unless named above), the rest 500. */
export function errorStatus(err: unknown): number {
  if (err instanceof CatalogError) return STATUS[err.code] ?? 422;
  return 500;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
