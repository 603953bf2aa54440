import * as z from 'zod';
import { ValidationError, type FieldProblem } from './errors.ts';

export { z };

// zod's own Vietnamese messages for what an action's schema does not word itself
const vi = z.locales.vi();

const CODES: Record<string, string> = {
  invalid_type: 'invalid-type', too_small: 'too-small', too_big: 'too-big', invalid_format: 'invalid-format',
  invalid_value: 'invalid-value', unrecognized_keys: 'unknown-parameter', custom: 'invalid',
};

/**
 * An action's input check from a zod schema: unknown parameters are refused (a misspelt parameter
 * silently ignored is how CKAN users lose an afternoon), and every problem comes back per field with a
 * stable code and a Vietnamese message, as CKAN's Validation Error lists them.
 */
export function zodInput<S extends z.ZodType>(schema: S): (raw: Record<string, unknown>) => z.output<S> {
  return (raw) => {
    const r = schema.safeParse(raw, { error: vi.localeError });
    if (r.success) return r.data;
    const fields: Record<string, FieldProblem[]> = {};
    const add = (field: string, p: FieldProblem) => { (fields[field] ??= []).push(p); };
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) add(k, { code: 'unknown-parameter', message: `Tham số "${k.slice(0, 60)}" không được hỗ trợ.` });
      } else {
        const params = (issue as { params?: { code?: string } }).params;
        add(issue.path.map(String).join('.') || '__input', { code: params?.code ?? CODES[issue.code] ?? 'invalid', message: issue.message });
      }
    }
    throw new ValidationError(fields);
  };
}

/** A custom check's failure with its own code (zod's `params` carry it to zodInput). */
export const fail = (ctx: z.core.$RefinementCtx, code: string, message: string, path: (string | number)[] = []) =>
  ctx.addIssue({ code: 'custom', message, params: { code }, path });

// —— parameters as they arrive: JSON values, or strings from a query string or a form ——

/** An integer, from a number or its text (`rows=10`). */
export const int = (opts: { min?: number; max?: number; label: string }) => z.preprocess(
  (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
  z.number({ error: `${opts.label} phải là một số nguyên.` }).int({ error: `${opts.label} phải là một số nguyên.` })
    .min(opts.min ?? Number.MIN_SAFE_INTEGER, { error: `${opts.label} phải lớn hơn hoặc bằng ${opts.min}.` })
    .max(opts.max ?? Number.MAX_SAFE_INTEGER, { error: `${opts.label} tối đa là ${opts.max}.` }),
);

/** true/false, from a boolean or CKAN's text forms (`all_fields=True`). */
export const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  return t === 'true' || t === '1' || t === 'yes' ? true : t === 'false' || t === '0' || t === 'no' || t === '' ? false : v;
}, z.boolean({ error: 'Phải là true hoặc false.' }));

/** Trimmed NFC text of at most `max` characters. */
export const str = (max: number, label: string) => z.string({ error: `${label} phải là chuỗi ký tự.` })
  .transform((s) => s.trim().normalize('NFC'))
  .pipe(z.string().max(max, { error: `${label} dài quá ${max} ký tự.` }));

/** A list, as a JSON array or one JSON text (`facet.field=["tags"]`), or repeated/comma-separated text. */
export const stringList = (label: string) => z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (t.startsWith('[')) {
    try { return JSON.parse(t); } catch { return v; }
  }
  return t ? t.split(',').map((x) => x.trim()).filter(Boolean) : [];
}, z.array(z.string({ error: `${label}: mỗi phần tử phải là chuỗi ký tự.` }), { error: `${label} phải là một danh sách.` }).max(100));

/** An id or name of a dataset, a unit or a resource. */
export const ref = (label: string) => z.string({ error: `Thiếu ${label}.` }).trim().min(1, { error: `Thiếu ${label}.` }).max(100, { error: `${label} không hợp lệ.` });
