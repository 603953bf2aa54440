import { IngestError, problem, type IngestProblem } from './errors.ts';

/** A record (a row, with its quoted line breaks) longer than this is not a table a person made. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/**
 * Follows the decoded text on its way to papaparse and finds the quotes papaparse passes over in
 * silence: a quote inside an unquoted field (papaparse keeps it as text), a closing quote followed
 * by more text (papaparse reports only "InvalidQuotes" somewhere in a chunk, with no row), and an
 * opening quote that is never closed (papaparse's "MissingQuotes" row counts from the chunk, not the
 * file). It applies papaparse's own rules (a quote opens a field only at the field's start; it closes
 * it when followed, after optional white space, by the delimiter or the line terminator; a doubled
 * quote is a quote), so its row numbers are papaparse's (checked on random text in the tests). It jumps from quote to quote and from line end to line
 * end with indexOf: most text is never looked at character by character.
 */
export class QuoteScanner {
  private readonly q: string;
  private readonly d: string;
  private readonly nl: string;
  private readonly onFault: (p: IngestProblem) => void;
  /** text held back until the next chunk says what it is (after a quote, or a \r of a \r\n) */
  private pending = '';
  /** absolute offset (in UTF-16 units from the start of the text) of the next chunk's first character */
  private base = 0;
  private prevChar = '';
  private inQuote = false;
  private quoteOpen = 0;
  /** record terminators seen outside quotes: the 0-based index of the current record */
  private records = 0;
  private recordStart = 0;
  /** the current record's text before `base`, to find a fault's column */
  private carry = '';

  constructor(delimiter: string, quoteChar: string, newline: string, onFault: (p: IngestProblem) => void) {
    this.d = delimiter;
    this.q = quoteChar;
    this.nl = newline;
    this.onFault = onFault;
  }

  /** Rows begun so far (papaparse's row count for the same text, a last empty line included). */
  get rows(): number {
    return this.records + 1;
  }

  scan(chunk: string): void {
    const text = this.pending + chunk;
    this.pending = '';
    const { q, d, nl, base } = this;
    const dc = d.charCodeAt(0);
    const nl0 = nl.charCodeAt(0);
    const n = text.length;
    // the state in locals while scanning (written back before a fault is located, and at the end)
    let { inQuote, records, recordStart } = this;
    let i = 0;
    let hold = n; // text from here on waits for the next chunk
    let nextNl = text.indexOf(nl); // found once per line, not once per quote
    const sync = () => { this.inQuote = inQuote; this.records = records; this.recordStart = recordStart; };
    while (i < n) {
      if (inQuote) {
        const j = text.indexOf(q, i);
        if (j < 0) break;
        if (j + 1 >= n) { hold = j; break; }
        const next = text.charCodeAt(j + 1);
        if (next === dc) { inQuote = false; i = j + 2; continue; } // the usual closing quote
        if (text[j + 1] === q) { i = j + 2; continue; } // an escaped quote
        if (next === nl0 && text.startsWith(nl, j + 1)) { inQuote = false; i = j + 1; continue; }
        const k = afterBlanks(text, j + 1, d, nl);
        if (k >= n || (k + nl.length > n && nl.startsWith(text.slice(k)))) { hold = j; break; }
        if (text[k] === d) { inQuote = false; i = k + 1; continue; }
        if (text.startsWith(nl, k)) { inQuote = false; i = k; continue; }
        // papaparse takes this quote as text and looks on for the closing one: so does this scanner
        sync();
        this.fault(this.quoteOpen, text, `ô bắt đầu bằng dấu ngoặc kép nhưng dấu đóng bị theo sau bởi "${text.slice(j + 1, j + 11)}" thay vì dấu phân cách`);
        i = j + 1;
      } else {
        const j = text.indexOf(q, i);
        const end = j < 0 ? n : j;
        if (nextNl >= 0 && nextNl < i) nextNl = text.indexOf(nl, i); // those inside quotes do not end a row
        while (nextNl >= 0 && nextNl < end) {
          records++;
          recordStart = base + nextNl + nl.length;
          nextNl = text.indexOf(nl, nextNl + nl.length);
        }
        if (j < 0) {
          if (nl.length > 1 && text.charCodeAt(n - 1) === nl0) hold = n - 1; // a \r whose \n is in the next chunk
          break;
        }
        if (base + j === recordStart || (j > 0 ? text.charCodeAt(j - 1) === dc : this.prevChar === d)) {
          inQuote = true;
          this.quoteOpen = base + j;
        } else {
          sync();
          this.fault(base + j, text, 'dấu ngoặc kép nằm giữa một ô không được đặt trong ngoặc kép');
        }
        i = j + 1;
      }
    }
    sync();
    if (hold < n) this.pending = text.slice(hold);
    if (this.recordStart >= this.base) this.carry = text.slice(this.recordStart - this.base, hold);
    else this.carry += text.slice(0, hold);
    if (hold > 0) this.prevChar = text[hold - 1]!;
    this.base += hold;
    if (this.carry.length > MAX_RECORD_CHARS) {
      if (this.inQuote) throw this.unclosed(`sau hơn ${MAX_RECORD_CHARS / 1024 / 1024} triệu ký tự vẫn chưa gặp dấu đóng`);
      throw new IngestError(problem('source-error', `hàng ${this.records + 1} dài hơn ${MAX_RECORD_CHARS / 1024 / 1024} triệu ký tự; tệp không phải bảng dữ liệu hợp lệ`, { rowNumber: this.records + 1 }));
    }
  }

  /** The end of the text: a quoted field still open there was never closed. */
  end(): void {
    const rest = this.pending;
    this.pending = '';
    // held back at the end inside a quoted field: a quote that is the very last character closes it
    if (rest === this.q && this.inQuote) this.inQuote = false;
    if (this.inQuote) throw this.unclosed('đến cuối tệp vẫn chưa gặp dấu đóng');
  }

  private unclosed(why: string): IngestError {
    const { rowNumber, fieldNumber } = this.locate(this.quoteOpen, '');
    return new IngestError(problem('unclosed-quote', `dấu ngoặc kép mở ở hàng ${rowNumber}, cột ${fieldNumber} không được đóng (${why}); mọi dòng sau đó bị đọc thành một ô`, { rowNumber, fieldNumber }));
  }

  private lastFault = '';

  private fault(at: number, text: string, why: string): void {
    const { rowNumber, fieldNumber } = this.locate(at, text);
    const key = `${rowNumber}:${fieldNumber}`;
    if (key === this.lastFault) return; // one report per cell, however many quotes it misplaces
    this.lastFault = key;
    this.onFault(problem('stray-quote', `hàng ${rowNumber}, cột ${fieldNumber}: ${why}`, { rowNumber, fieldNumber }));
  }

  /** Row and column of an absolute offset in the current record (`text`: the text being scanned, from base). */
  private locate(at: number, text: string): { rowNumber: number; fieldNumber: number } {
    let record: string;
    if (this.recordStart >= this.base) record = text.slice(this.recordStart - this.base, at - this.base);
    else if (at >= this.base) record = this.carry + text.slice(0, at - this.base);
    else record = this.carry.slice(0, at - this.recordStart);
    return { rowNumber: this.records + 1, fieldNumber: fieldIndex(record, this.d, this.q, this.nl) + 1 };
  }
}

/**
 * Where the text after a closing quote goes on: papaparse lets white space (as String#trim sees it,
 * a \r included) stand between a closing quote and the delimiter or line terminator that follows.
 */
function afterBlanks(text: string, k: number, d: string, nl: string): number {
  while (k < text.length && text[k] !== d && !text.startsWith(nl, k) && /\s/.test(text[k]!)) k++;
  return k;
}

/** The 0-based field a record's text ends in, reading quoted fields as papaparse does. */
export function fieldIndex(record: string, d: string, q: string, nl: string): number {
  const n = record.length;
  let field = 0;
  let i = 0;
  while (i < n) {
    if (record[i] === q) {
      let j = i + 1;
      for (;;) {
        j = record.indexOf(q, j);
        if (j < 0) return field;
        if (record[j + 1] === q) { j += 2; continue; }
        const k = afterBlanks(record, j + 1, d, nl);
        if (k >= n) return field;
        if (record[k] === d) { field++; i = k + 1; break; }
        j++;
      }
      continue;
    }
    const next = record.indexOf(d, i);
    if (next < 0) return field;
    field++;
    i = next + 1;
  }
  return field;
}
