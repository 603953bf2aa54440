import { castDateTime, dayMonthYear, FALSE_VALUES, TRUE_VALUES, validDate, type TableField } from './schema.ts';

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
  dateIso: /^(\d{4})-(\d{2})-(\d{2})$/,
  year: /^(1[89]|20|21)\d{2}$/,
};

// 1 and 0 are numbers far more often than booleans in a unit's table
const BOOL_WORDS = new Set([...TRUE_VALUES, ...FALSE_VALUES].filter((v) => v !== '1' && v !== '0'));

/** Identifiers ("Mã xã", "Số hiệu tuyến") are text even when all digits: no arithmetic, no lost zeros. */
const IDENTIFIER_NAME = /^(mã|ma\b|code\b|id\b|số hiệu|so hieu)|mã số|mã định danh/i;

// candidate types, one bit each: a column keeps a bit while every value so far fits that type
const INT_VI = 1, INT_EN = 2, NUM_VI = 4, NUM_EN = 8, BOOL = 16, DATE_VI = 32, DATE_ISO = 64, DT_ISO = 128, DT_VI = 256, YEAR = 512;
const ALL = 1023;
/** Every type but boolean needs a sign or a digit first. */
const NOT_BOOL = ALL & ~BOOL;
const NUMBERS = INT_VI | INT_EN | NUM_VI | NUM_EN;

/** More significant digits than a double holds exactly (15): such a column stays text, never rounded. */
export function tooManyDigits(v: string): boolean {
  if (v.length <= 15) return false;
  let digits = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57 && (digits || c !== 48)) digits++;
  }
  return digits > 15;
}

export class TypeTracker {
  private candidates = ALL;
  private seen = 0;
  private leadingZero = false;
  private readonly headerName: string;

  constructor(headerName: string) {
    this.headerName = headerName;
  }

  /** Called for every cell of the column: only the tests of the types still possible are run. */
  add(v: string): void {
    if (v === '') return;
    this.seen++;
    let c = this.candidates;
    if (c === 0) return;
    const first = v.charCodeAt(0);
    if (!this.leadingZero) {
      // /^[+-]?0\d/
      const at = first === 43 || first === 45 ? 1 : 0;
      if (v.charCodeAt(at) === 48) { const next = v.charCodeAt(at + 1); if (next >= 48 && next <= 57) this.leadingZero = true; }
    }
    if ((first < 48 || first > 57) && first !== 43 && first !== 45) {
      c &= ~NOT_BOOL; // not a number, date or year
    } else {
      if ((c & NUMBERS) && tooManyDigits(v)) c &= ~NUMBERS;
      if (c & NUMBERS) {
        // each candidate keeps its bit if one of its shapes fits; the shapes are tested lazily, the
        // decimal ones first for a decimal column (-1: not tested yet)
        let plain = -1, viGrouped = -1, enGrouped = -1;
        if ((c & NUM_VI) && !(c & INT_VI) && !RE.numVi.test(v)) {
          plain = +RE.intPlain.test(v);
          if (!plain) { viGrouped = +RE.intViGrouped.test(v); if (!viGrouped) c &= ~NUM_VI; }
        }
        if ((c & NUM_EN) && !(c & INT_EN) && !RE.numEn.test(v)) {
          if (plain < 0) plain = +RE.intPlain.test(v);
          if (!plain) { enGrouped = +RE.intEnGrouped.test(v); if (!enGrouped) c &= ~NUM_EN; }
        }
        if (c & (INT_VI | INT_EN)) {
          if (plain < 0) plain = +RE.intPlain.test(v);
          if (!plain) {
            if (c & (INT_VI | NUM_VI)) {
              if (viGrouped < 0) viGrouped = +RE.intViGrouped.test(v);
              if (!viGrouped) { c &= ~INT_VI; if ((c & NUM_VI) && !RE.numVi.test(v)) c &= ~NUM_VI; }
            }
            if (c & (INT_EN | NUM_EN)) {
              if (enGrouped < 0) enGrouped = +RE.intEnGrouped.test(v);
              if (!enGrouped) { c &= ~INT_EN; if ((c & NUM_EN) && !RE.numEn.test(v)) c &= ~NUM_EN; }
            }
          }
        }
      }
      if (c & DATE_VI) {
        const dmy = dayMonthYear(v);
        if (dmy < 0 || !validDate(Math.floor(dmy / 10000), Math.floor(dmy / 100) % 100, dmy % 100)) c &= ~DATE_VI;
      }
      if (c & DATE_ISO) {
        const m = RE.dateIso.exec(v);
        if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) c &= ~DATE_ISO;
      }
      // the cast's own test: an impossible day or time (2009-31-21 17:31:32) makes the column text
      if (c & (DT_ISO | DT_VI)) {
        if (castDateTime(v) === undefined) c &= ~(DT_ISO | DT_VI);
        else c &= v.charCodeAt(4) === 45 ? ~DT_VI : ~DT_ISO; // yyyy-… or d/m/yyyy …
      }
      if ((c & YEAR) && !RE.year.test(v)) c &= ~YEAR;
    }
    if ((c & BOOL) && !BOOL_WORDS.has(v)) c &= ~BOOL;
    this.candidates = c;
  }

  result(): TableField {
    const name = this.headerName;
    const c = this.candidates;
    if (this.seen === 0) return { name, type: 'string' };
    if (this.leadingZero && !(c & DATE_VI) && !(c & DT_VI)) return { name, type: 'string' };
    if (IDENTIFIER_NAME.test(name)) return { name, type: 'string' };
    if ((c & YEAR) && /năm|nam\b|year/i.test(name)) return { name, type: 'year' };
    if (c & BOOL) return { name, type: 'boolean' };
    // Vietnamese grouping wins when both readings fit ("1.234"): this portal's publishers write vi-VN numbers.
    if (c & INT_VI) return { name, type: 'integer', groupChar: '.', decimalChar: ',' };
    if (c & INT_EN) return { name, type: 'integer', groupChar: ',' };
    if (c & NUM_VI) return { name, type: 'number', groupChar: '.', decimalChar: ',' };
    if (c & NUM_EN) return { name, type: 'number', groupChar: ',' };
    if (c & DATE_ISO) return { name, type: 'date' };
    if (c & DATE_VI) return { name, type: 'date', format: '%d/%m/%Y' };
    if (c & DT_ISO) return { name, type: 'datetime' };
    if (c & DT_VI) return { name, type: 'datetime', format: '%d/%m/%Y %H:%M:%S' };
    return { name, type: 'string' };
  }
}
