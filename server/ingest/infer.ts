import { FALSE_VALUES, TRUE_VALUES, validDate, type TableField } from './schema.ts';

/**
 * Field type inference over a whole column, with Vietnamese conventions: dates dd/mm/yyyy,
 * numbers 1.234.567,89, booleans có/không. A type is chosen only if every non-empty value fits it,
 * so an inferred schema never rejects the file it came from.
 */
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

// 1 and 0 are numbers far more often than booleans in a unit's table
const BOOL_WORDS = new Set([...TRUE_VALUES, ...FALSE_VALUES].filter((v) => v !== '1' && v !== '0'));

/** Identifiers ("Mã xã", "Số hiệu tuyến") are text even when all digits: no arithmetic, no lost zeros. */
const IDENTIFIER_NAME = /^(mã|ma\b|code\b|id\b|số hiệu|so hieu)|mã số|mã định danh/i;

export class TypeTracker {
  private candidates = new Set<string>(['integer-vi', 'integer-en', 'number-vi', 'number-en', 'boolean', 'date-vi', 'date-iso', 'datetime-iso', 'datetime-vi', 'year']);
  private seen = 0;
  private leadingZero = false;
  private readonly headerName: string;

  constructor(headerName: string) {
    this.headerName = headerName;
  }

  add(v: string): void {
    if (v === '') return;
    this.seen++;
    const c = this.candidates;
    if (c.size === 0) return;
    if (/^[+-]?0\d/.test(v)) this.leadingZero = true;
    const plain = RE.intPlain.test(v);
    const viGrouped = RE.intViGrouped.test(v);
    const enGrouped = RE.intEnGrouped.test(v);
    if (!(plain || viGrouped)) c.delete('integer-vi');
    if (!(plain || enGrouped)) c.delete('integer-en');
    if (!(plain || viGrouped || RE.numVi.test(v))) c.delete('number-vi');
    if (!(plain || enGrouped || RE.numEn.test(v))) c.delete('number-en');
    if (!BOOL_WORDS.has(v)) c.delete('boolean');
    if (c.has('date-vi')) {
      const m = RE.dateVi.exec(v);
      if (!m || !validDate(+m[3]!, +m[2]!, +m[1]!)) c.delete('date-vi');
    }
    if (c.has('date-iso')) {
      const m = RE.dateIso.exec(v);
      if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) c.delete('date-iso');
    }
    if (c.has('datetime-iso') && !RE.datetimeIso.test(v)) c.delete('datetime-iso');
    if (c.has('datetime-vi') && !RE.datetimeVi.test(v)) c.delete('datetime-vi');
    if (c.has('year') && !RE.year.test(v)) c.delete('year');
  }

  result(): TableField {
    const name = this.headerName;
    const c = this.candidates;
    if (this.seen === 0) return { name, type: 'string' };
    if (this.leadingZero && !c.has('date-vi') && !c.has('datetime-vi')) return { name, type: 'string' };
    if (IDENTIFIER_NAME.test(name)) return { name, type: 'string' };
    if (c.has('year') && /năm|nam\b|year/i.test(name)) return { name, type: 'year' };
    if (c.has('boolean')) return { name, type: 'boolean' };
    // Vietnamese grouping wins when both readings fit ("1.234"): this portal's publishers write vi-VN numbers.
    if (c.has('integer-vi')) return { name, type: 'integer', groupChar: '.', decimalChar: ',' };
    if (c.has('integer-en')) return { name, type: 'integer', groupChar: ',' };
    if (c.has('number-vi')) return { name, type: 'number', groupChar: '.', decimalChar: ',' };
    if (c.has('number-en')) return { name, type: 'number', groupChar: ',' };
    if (c.has('date-iso')) return { name, type: 'date' };
    if (c.has('date-vi')) return { name, type: 'date', format: '%d/%m/%Y' };
    if (c.has('datetime-iso')) return { name, type: 'datetime' };
    if (c.has('datetime-vi')) return { name, type: 'datetime', format: '%d/%m/%Y %H:%M:%S' };
    return { name, type: 'string' };
  }
}
