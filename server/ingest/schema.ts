/**
 * Frictionless Table Schema: the logical types a unit may declare (or that ingest infers), casting
 * of text cells to those types with Vietnamese conventions, and the constraint checks.
 */
export type FieldType = 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'year' | 'string'
  | 'time' | 'yearmonth' | 'duration' | 'geopoint' | 'geojson' | 'object' | 'array' | 'list' | 'any';

export interface FieldConstraints {
  required?: boolean;
  unique?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number | string;
  maximum?: number | string;
  pattern?: string;
  enum?: (string | number | boolean)[];
}

export interface TableField {
  name: string;
  type: FieldType;
  format?: string;
  title?: string;
  description?: string;
  decimalChar?: string;
  groupChar?: string;
  bareNumber?: boolean;
  trueValues?: string[];
  falseValues?: string[];
  constraints?: FieldConstraints;
}

export interface TableSchema {
  fields: TableField[];
  missingValues?: string[];
  primaryKey?: string[] | string;
}

export type Cell = string | number | boolean | null;
export type CastResult = { ok: true; value: Cell } | { ok: false };

export const TRUE_VALUES = ['true', 'True', 'TRUE', '1', 'có', 'Có', 'CÓ', 'x', 'X', 'đúng', 'Đúng'];
export const FALSE_VALUES = ['false', 'False', 'FALSE', '0', 'không', 'Không', 'KHÔNG', 'sai', 'Sai'];

const pad = (n: string | number) => String(n).padStart(2, '0');
/** 00 … 99: a date's month and day without a padStart per cell */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i));
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATETIME_VI = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isDigit = (c: number) => c >= 48 && c <= 57; // false for NaN (past the end)

/**
 * A Vietnamese date d/m/yyyy as year * 10000 + month * 100 + day, or -1: exactly what
 * /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/ accepts, without a match array per cell.
 */
export function dayMonthYear(v: string): number {
  const n = v.length;
  if (n < 8 || n > 10 || !isDigit(v.charCodeAt(0))) return -1;
  let i = 1;
  let d = v.charCodeAt(0) - 48;
  if (isDigit(v.charCodeAt(1))) { d = d * 10 + v.charCodeAt(1) - 48; i = 2; }
  if (v.charCodeAt(i++) !== 47 || !isDigit(v.charCodeAt(i))) return -1;
  let m = v.charCodeAt(i++) - 48;
  if (isDigit(v.charCodeAt(i))) m = m * 10 + v.charCodeAt(i++) - 48;
  if (v.charCodeAt(i++) !== 47 || n - i !== 4) return -1;
  let y = 0;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (!isDigit(c)) return -1;
    y = y * 10 + c - 48;
  }
  return y * 10000 + m * 100 + d;
}

/** A clock time that exists: hours 0–23, minutes and seconds 0–59 (a time zone offset up to ±14:59). */
const validTime = (h: string, min: string, sec: string | undefined) => +h <= 23 && +min <= 59 && (sec === undefined || +sec <= 59);
const validOffset = (tz: string | undefined) => !tz || tz === 'Z' || (+tz.slice(1, 3) <= 14 && +tz.slice(-2) <= 59);

/**
 * An ISO (2024-05-01 08:30[:00]) or Vietnamese (01/05/2024 08:30[:00]) date and time as ISO text, or
 * undefined when it is not one or names a day or time that does not exist (2009-31-21 17:31:32).
 * Inference and the cast both use it, so an inferred datetime column always casts.
 */
export function castDateTime(text: string): string | undefined {
  const vi = DATETIME_VI.exec(text);
  if (vi) return validDate(+vi[3]!, +vi[2]!, +vi[1]!) && validTime(vi[4]!, vi[5]!, vi[6]) ? `${vi[3]}-${pad(vi[2]!)}-${pad(vi[1]!)}T${pad(vi[4]!)}:${vi[5]}:${vi[6] ?? '00'}` : undefined;
  const iso = DATETIME_ISO.exec(text);
  if (iso) return validDate(+iso[1]!, +iso[2]!, +iso[3]!) && validTime(iso[4]!, iso[5]!, iso[6]) && validOffset(iso[8]) ? text.replace(' ', 'T') : undefined;
  return undefined;
}

export function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  // years 100–9999, whole numbers (what the date patterns capture): the Gregorian rule, without a Date per cell
  if (Number.isInteger(y) && Number.isInteger(m) && y >= 100 && y <= 9999) {
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    return d <= (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!);
  }
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate(); // Date.UTC reads years 0–99 as 1900–1999
}

const PLAIN_INT = /^-?\d{1,15}$/;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The common shapes of a grouped number ("1.234.567,89" with group "." and decimal ",", or
 * "1,234.5"), read without building intermediate strings: digits with group characters after the
 * first digit, then optionally the decimal character and digits. With at most 15 significant
 * digits and 22 decimals, m / 10^e is exactly the double Number() gives for the text (both are
 * exact and the division rounds once). null: another shape, for the general rule.
 */
function groupedNumber(text: string, group: number, decimal: number, integer: boolean): number | undefined | null {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  const negative = c === 45;
  if (negative || c === 43) i = 1;
  let m = 0;
  let significant = 0;
  let digit = false;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      if (significant || c !== 48) significant++;
      digit = true;
    } else if (c !== group || !digit) break;
  }
  if (!digit) return null;
  let decimals = 0;
  if (i < n) {
    if (c !== decimal) return null;
    if (integer) return undefined;
    const start = ++i;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      m = m * 10 + (c - 48);
      if (significant || c !== 48) significant++;
    }
    decimals = n - start;
    if (decimals === 0) return null;
  }
  if (significant > 15 || decimals > 22) return null;
  const v = decimals ? m / POW10[decimals]! : m;
  return negative ? -v : v;
}

/** A separator groupedNumber can read: not a digit or a sign (-1: none). */
const plainSeparator = (c: number) => !(c >= 48 && c <= 57) && c !== 43 && c !== 45;

function castNumber(field: TableField, text: string, integer: boolean): Cell | undefined {
  if (PLAIN_INT.test(text)) return Number(text); // the common case, whatever the separators
  if (field.bareNumber !== false) {
    const group = field.groupChar === undefined ? -1 : field.groupChar.length === 1 ? field.groupChar.charCodeAt(0) : -2;
    const decimal = field.decimalChar === undefined ? 46 : field.decimalChar.length === 1 ? field.decimalChar.charCodeAt(0) : -2;
    if (group !== -2 && decimal !== -2 && group !== decimal && plainSeparator(group) && plainSeparator(decimal)) {
      const fast = groupedNumber(text, group, decimal, integer);
      if (fast !== null) return fast;
    }
  }
  let v = text;
  if (field.bareNumber === false) v = v.replace(/^[^\d+-]+|[^\d]+$/g, ''); // "95%", "1.000 đ"
  const group = field.groupChar;
  const decimal = field.decimalChar ?? '.';
  if (group) v = v.split(group).join('');
  if (decimal !== '.') {
    if (v.includes('.')) return undefined;
    v = v.replace(decimal, '.');
  }
  if (integer ? !/^[+-]?\d+$/.test(v) : !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    if (!integer && /^(NaN|INF|-INF)$/.test(v)) return v;
    return undefined;
  }
  const n = Number(v);
  // beyond 2^53 a double no longer holds every integer: the value would be published rounded
  if (integer ? !Number.isSafeInteger(n) : !Number.isFinite(n) || Math.abs(n) >= 2 ** 53) return undefined;
  return n;
}

/** Casts one non-empty text cell to its logical value (JSON-ready); undefined when it does not fit the field. */
export function castValue(field: TableField, text: string): Cell | undefined {
  switch (field.type) {
    case 'integer': return castNumber(field, text, true);
    case 'number': return castNumber(field, text, false);
    case 'year': return /^\d{4}$/.test(text) ? Number(text) : undefined;
    case 'boolean': {
      if ((field.trueValues ?? TRUE_VALUES).includes(text)) return true;
      if ((field.falseValues ?? FALSE_VALUES).includes(text)) return false;
      return undefined;
    }
    case 'date': {
      const vi = field.format === '%d/%m/%Y' || field.format === 'any' || field.format === undefined ? dayMonthYear(text) : -1;
      if (vi >= 0) {
        const y = Math.floor(vi / 10000), m = Math.floor(vi / 100) % 100, d = vi % 100;
        if (validDate(y, m, d)) return `${y >= 1000 ? y : String(y).padStart(4, '0')}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
      }
      const iso = DATE_ISO.exec(text);
      if (iso && field.format !== '%d/%m/%Y' && validDate(+iso[1]!, +iso[2]!, +iso[3]!)) return text;
      return undefined;
    }
    case 'datetime': return castDateTime(text);
    case 'string': {
      if (field.format === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return undefined;
      if (field.format === 'uri' && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(text)) return undefined;
      if (field.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return undefined;
      return text;
    }
    default:
      // other Frictionless types are kept as their text (no Vietnamese publisher has needed them yet)
      return text;
  }
}

/** Casts one non-empty text cell to its logical value; JSON-ready. */
export function castCell(field: TableField, text: string): CastResult {
  const value = castValue(field, text);
  return value === undefined ? { ok: false } : { ok: true, value };
}

const KNOWN_CAST = new Set<FieldType>(['integer', 'number', 'year', 'boolean', 'date', 'datetime', 'string']);

/**
 * castValue bound to one field, for casting a whole column: text fields without a checked format
 * (the most common kind) are returned as they are, without a call per cell.
 */
export function compileCast(field: TableField): ((text: string) => Cell | undefined) | null {
  if ((field.type === 'string' && field.format !== 'email' && field.format !== 'uri' && field.format !== 'uuid') || !KNOWN_CAST.has(field.type)) return null;
  if (field.type === 'integer' || field.type === 'number') {
    // the separators read once for the column, and its common shapes (a plain integer among them) read
    // by groupedNumber first: exactly what castNumber returns for them
    const integer = field.type === 'integer';
    const group = field.groupChar === undefined ? -1 : field.groupChar.length === 1 ? field.groupChar.charCodeAt(0) : -2;
    const decimal = field.decimalChar === undefined ? 46 : field.decimalChar.length === 1 ? field.decimalChar.charCodeAt(0) : -2;
    if (field.bareNumber !== false && group !== -2 && decimal !== -2 && group !== decimal && plainSeparator(group) && plainSeparator(decimal)) {
      return (text) => groupedNumber(text, group, decimal, integer) ?? castNumber(field, text, integer);
    }
  }
  return (text) => castValue(field, text);
}

export type ConstraintName = keyof FieldConstraints;

/** Checks a cast, non-null value against the field's constraints; returns the first one broken. */
export function brokenConstraint(field: TableField, value: Cell, text: string, patternRe?: RegExp): { name: ConstraintName; limit: unknown } | null {
  const c = field.constraints;
  if (!c || value === null) return null;
  const len = typeof value === 'string' ? [...value].length : text.length;
  if (c.minLength !== undefined && len < c.minLength) return { name: 'minLength', limit: c.minLength };
  if (c.maxLength !== undefined && len > c.maxLength) return { name: 'maxLength', limit: c.maxLength };
  if (c.minimum !== undefined && value < c.minimum) return { name: 'minimum', limit: c.minimum };
  if (c.maximum !== undefined && value > c.maximum) return { name: 'maximum', limit: c.maximum };
  if (patternRe && !patternRe.test(text)) return { name: 'pattern', limit: c.pattern };
  if (c.enum && !c.enum.some((e) => e === value)) return { name: 'enum', limit: c.enum.join(', ') };
  return null;
}

/** Schema checks a unit's declared schema must pass before any row is read. */
export function schemaProblems(schema: unknown): string[] {
  const out: string[] = [];
  const s = schema as TableSchema;
  if (!s || typeof s !== 'object' || !Array.isArray(s.fields) || s.fields.length === 0) return ['lược đồ phải có danh sách "fields" không rỗng'];
  const names = new Set<string>();
  const known: FieldType[] = ['integer', 'number', 'boolean', 'date', 'datetime', 'year', 'string', 'time', 'yearmonth', 'duration', 'geopoint', 'geojson', 'object', 'array', 'list', 'any'];
  s.fields.forEach((f, i) => {
    if (!f || typeof f.name !== 'string' || f.name === '') out.push(`trường thứ ${i + 1} thiếu "name"`);
    else if (names.has(f.name)) out.push(`tên trường "${f.name}" bị trùng`);
    else names.add(f.name);
    if (f?.type !== undefined && !known.includes(f.type)) out.push(`trường "${f?.name}": kiểu "${f.type}" không hợp lệ`);
    if (f?.constraints?.pattern !== undefined) {
      try { new RegExp(f.constraints.pattern, 'u'); } catch { out.push(`trường "${f.name}": biểu thức "pattern" không hợp lệ`); }
    }
  });
  const pk = typeof s.primaryKey === 'string' ? [s.primaryKey] : s.primaryKey ?? [];
  for (const k of pk) if (!names.has(k)) out.push(`khóa chính "${k}" không phải tên một trường`);
  return out;
}

/** 53-bit string hash (cyrb53): unique/primary-key checks keep numbers, not strings, in memory. */
export function hash53(str: string): number {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
