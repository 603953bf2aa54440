import path from 'node:path';
import { CatalogError } from './errors.ts';
import { isValidName } from '../contract/names.ts';

// The rule itself lives in the contract, where the site checks the snapshot's names too.
export { NAME_PATTERN, isValidName } from '../contract/names.ts';

export type NameKind = 'dataset' | 'resource' | 'organization' | 'file';

const WHAT: Record<NameKind, string> = {
  dataset: 'Tên định danh của bộ dữ liệu',
  resource: 'Tên tài nguyên',
  organization: 'Tên định danh của đơn vị',
  file: 'Tên tệp',
};

/** The Vietnamese message for a name that breaks the rule, or null when it is fine. */
export function nameProblem(kind: NameKind, value: unknown): string | null {
  if (isValidName(value)) return null;
  const shown = typeof value === 'string' ? `"${value.slice(0, 60)}${value.length > 60 ? '…' : ''}"` : 'trống';
  return `${WHAT[kind]} ${shown} không hợp lệ: chỉ gồm chữ thường không dấu (a–z), chữ số và dấu gạch ngang, bắt đầu bằng chữ hoặc số, tối đa 100 ký tự (ví dụ: du-lieu-dan-so-2025).`;
}

/** Throws CatalogError('invalid-name') unless the name follows the rule; returns it otherwise. */
export function assertName(kind: NameKind, value: unknown): string {
  const problem = nameProblem(kind, value);
  if (problem) throw new CatalogError('invalid-name', problem, { field: kind });
  return value as string;
}

/**
 * A path inside `root` made of name segments; throws if the result would leave `root` whatever the
 * segments hold (a last defence for writers: the snapshot and the site build).
 */
export function insideFolder(root: string, ...segments: string[]): string {
  const base = path.resolve(root);
  const target = path.resolve(base, ...segments);
  if (target === base || !target.startsWith(base + path.sep)) throw new CatalogError('path-escape', `Đường dẫn ra ngoài thư mục: ${segments.join('/')}`);
  return target;
}
