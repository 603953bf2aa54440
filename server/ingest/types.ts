/**
 * Field type inference and casting for Vietnamese tables, with Frictionless Table Schema names.
 * Vietnamese conventions: dates dd/mm/yyyy, numbers 1.234.567,89, booleans có/không.
 */
export type FieldType = 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'year' | 'string';

export interface TableField {
  name: string;
  type: FieldType;
  format?: string;
  decimalChar?: string;
  groupChar?: string;
  trueValues?: string[];
  falseValues?: string[];
}

const TRUE_VALUES = ['có', 'true', 'đúng', 'x', 'yes'];
const FALSE_VALUES = ['không', 'false', 'sai', 'no'];

const RE = {
  intPlain: /^[+-]?\d+$/,
  intViGrouped: /^[+-]?\d{1,3}(\.\d{3})+$/, // 1.234.567 (also 1.234 — ambiguous with an English decimal)
  intEnGrouped: /^[+-]?\d{1,3}(,\d{3})+$/, // 1,234,567 (also 1,234 — ambiguous with a Vietnamese decimal)
  numVi: /^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$/, // 1.234,5 or 12,5
  numEn: /^[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+$/, // 1,234.5 or 12.5
  dateVi: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/,
  dateIso: /^(\d{4})-(\d{2})-(\d{2})$/,
  datetimeIso: /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/,
  datetimeVi: /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(:(\d{2}))?$/,
  year: /^(1[89]|20|21)\d{2}$/,
};

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** Tracks, for one column, which types every non-empty value so far is compatible with. */
export class TypeTracker {
  private candidates = new Set<string>(['integer-vi', 'integer-en', 'number-vi', 'number-en', 'boolean', 'date-vi', 'date-iso', 'datetime-iso', 'datetime-vi', 'year']);
  private seen = 0;
  private leadingZero = false;
  private headerName: string;

  constructor(headerName: string) {
    this.headerName = headerName;
  }

  add(value: string): void {
    if (value === '') return;
    this.seen++;
    if (this.candidates.size === 0) return;
    const v = value;
    const c = this.candidates;
    // codes such as "01" or "00004" are identifiers, not numbers: keep them as text
    if (/^0\d/.test(v)) this.leadingZero = true;
    const plain = RE.intPlain.test(v);
    const viGrouped = RE.intViGrouped.test(v);
    const enGrouped = RE.intEnGrouped.test(v);
    if (!(plain || viGrouped)) c.delete('integer-vi');
    if (!(plain || enGrouped)) c.delete('integer-en');
    if (!(plain || viGrouped || RE.numVi.test(v))) c.delete('number-vi');
    if (!(plain || enGrouped || RE.numEn.test(v))) c.delete('number-en');
    if (!TRUE_VALUES.includes(v.toLowerCase()) && !FALSE_VALUES.includes(v.toLowerCase())) c.delete('boolean');
    if (c.has('date-vi')) {
      const m = RE.dateVi.exec(v);
      if (!m || !validDate(+m[3]!, +m[2]!, +m[1]!)) c.delete('date-vi');
    }
    if (c.has('date-iso')) {
      const m = RE.dateIso.exec(v);
      if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) c.delete('date-iso');
    }
    if (!RE.datetimeIso.test(v)) c.delete('datetime-iso');
    if (!RE.datetimeVi.test(v)) c.delete('datetime-vi');
    if (!RE.year.test(v)) c.delete('year');
  }

  result(): TableField {
    const name = this.headerName;
    const c = this.candidates;
    if (this.seen === 0) return { name, type: 'string' };
    if (this.leadingZero && !c.has('date-vi') && !c.has('datetime-vi')) return { name, type: 'string' };
    // identifiers ("Mã xã", "Số hiệu tuyến") are text even when all digits: no arithmetic, no lost zeros
    if (IDENTIFIER_NAME.test(name)) return { name, type: 'string' };
    if (c.has('year') && /năm|nam|year/i.test(name)) return { name, type: 'year' };
    if (c.has('boolean')) return { name, type: 'boolean', trueValues: TRUE_VALUES, falseValues: FALSE_VALUES };
    // Vietnamese grouping wins when both readings fit ("1.234"): this portal's publishers write vi-VN numbers.
    if (c.has('integer-vi')) return { name, type: 'integer', groupChar: '.', decimalChar: ',' };
    if (c.has('integer-en')) return { name, type: 'integer', groupChar: ',', decimalChar: '.' };
    if (c.has('number-vi')) return { name, type: 'number', groupChar: '.', decimalChar: ',' };
    if (c.has('number-en')) return { name, type: 'number', groupChar: ',', decimalChar: '.' };
    if (c.has('date-iso')) return { name, type: 'date' };
    if (c.has('date-vi')) return { name, type: 'date', format: '%d/%m/%Y' };
    if (c.has('datetime-iso')) return { name, type: 'datetime' };
    if (c.has('datetime-vi')) return { name, type: 'datetime', format: '%d/%m/%Y %H:%M:%S' };
    return { name, type: 'string' };
  }
}

const IDENTIFIER_NAME = /^(mã|ma\b|code\b|id\b|số hiệu|so hieu)|mã số|mã định danh/i;

const pad = (n: string | number, w = 2) => String(n).padStart(w, '0');

/** Casts a cell to its logical value: JSON-ready (numbers, booleans, ISO strings) or null when empty. */
export function castValue(field: TableField, value: string): string | number | boolean | null {
  if (value === '') return null;
  switch (field.type) {
    case 'integer':
    case 'number': {
      const group = field.groupChar ?? '';
      let v = group ? value.split(group).join('') : value;
      if (field.decimalChar === ',') v = v.replace(',', '.');
      return Number(v);
    }
    case 'year':
      return Number(value);
    case 'boolean':
      return (field.trueValues ?? TRUE_VALUES).includes(value.toLowerCase());
    case 'date': {
      const m = RE.dateVi.exec(value);
      return m ? `${m[3]}-${pad(m[2]!)}-${pad(m[1]!)}` : value;
    }
    case 'datetime': {
      const m = RE.datetimeVi.exec(value);
      return m ? `${m[3]}-${pad(m[2]!)}-${pad(m[1]!)}T${pad(m[4]!)}:${m[5]}:${m[7] ?? '00'}` : value.replace(' ', 'T');
    }
    default:
      return value;
  }
}
