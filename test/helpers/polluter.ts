import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { ErrorCode } from '../../server/ingest/errors.ts';

/**
 * A polluted-CSV corpus made from the demo catalogue: each clean table is written again with one
 * fault a person or an exporter makes (a separator too many or too few at a row and column, a
 * stray or unclosed quote, a repeated or missing header, title lines above the table, notes below
 * it, a separator at the end of every line, another delimiter), and each variant says what ingest
 * must make of it: reject it at a given row and column, or publish exactly the clean table.
 *
 * The tables are split into cells here by a small RFC 4180 reader of its own, not by the code
 * under test, so the expectations do not lean on what they check.
 */

export interface Cell { raw: string; value: string; quoted: boolean }
export interface DemoTable {
  name: string;
  delimiter: string;
  newline: string;
  /** header first */
  rows: Cell[][];
}

export type Expectation =
  /** the first error is at this row, and one there has one of these types (and this column) */
  | { outcome: 'rejected'; rowNumber: number; fieldNumber?: number; types: ErrorCode[] }
  /** the clean table, column names and all; `headerless`: the same values under generated names */
  | { outcome: 'published'; warnings: ErrorCode[]; headerless?: boolean };

/** `kind`: the fault; `name`: the fault and where it is */
export interface Variant { table: string; kind: string; name: string; text: string; expect: Expectation }

const datasetsDir = path.resolve(import.meta.dirname, '../../datasets');

/** The CSV and TSV files of the demo catalogue, decoded and split into cells. */
export function demoTables(): DemoTable[] {
  const out: DemoTable[] = [];
  for (const dir of fs.readdirSync(datasetsDir).sort()) {
    const folder = path.join(datasetsDir, dir);
    if (!fs.statSync(folder).isDirectory()) continue;
    for (const file of fs.readdirSync(folder).sort()) {
      if (!/\.(csv|tsv)$/.test(file)) continue;
      const bytes = fs.readFileSync(path.join(folder, file));
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = iconv.decode(bytes, 'windows-1258').normalize('NFC');
      }
      text = text.replace(/^\uFEFF/, '');
      const newline = text.includes('\r\n') ? '\r\n' : '\n';
      const firstLine = text.slice(0, text.indexOf(newline));
      const delimiter = [',', ';', '\t'].sort((a, b) => firstLine.split(b).length - firstLine.split(a).length)[0]!;
      out.push({ name: `${dir}/${file}`, delimiter, newline, rows: splitRows(text, delimiter, newline) });
    }
  }
  return out;
}

function splitRows(text: string, d: string, nl: string): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let i = 0;
  for (;;) {
    let cell: Cell;
    if (text[i] === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('demo file with an unclosed quote');
        value += text.slice(j, q);
        if (text[q + 1] === '"') { value += '"'; j = q + 2; continue; }
        j = q + 1;
        break;
      }
      cell = { raw: text.slice(i, j), value, quoted: true };
      i = j;
    } else {
      let j = i;
      while (j < text.length && text[j] !== d && !text.startsWith(nl, j)) j++;
      cell = { raw: text.slice(i, j), value: text.slice(i, j), quoted: false };
      i = j;
    }
    row.push(cell);
    if (text[i] === d) { i++; continue; }
    rows.push(row);
    row = [];
    if (i >= text.length) break;
    i += nl.length;
    if (i >= text.length) break;
  }
  return rows;
}

/** The table as text again, with its own delimiter and line endings, and a line ending after the last row. */
export function serialize(t: DemoTable, rows = t.rows.map((r) => r.map((c) => c.raw))): string {
  return rows.map((r) => r.join(t.delimiter)).join(t.newline) + t.newline;
}

const raws = (t: DemoTable) => t.rows.map((r) => r.map((c) => c.raw));

/** Rows a fault is put into: the header, the first two data rows, one in the middle, the last. */
function sampleRows(t: DemoTable): number[] {
  const last = t.rows.length - 1;
  return [...new Set([0, 1, 2, Math.floor(last / 2), last])].filter((r) => r <= last).sort((a, b) => a - b);
}

/** Every polluted variant of one demo table, with what ingest must make of it. */
export function pollute(t: DemoTable): Variant[] {
  const out: Variant[] = [];
  const n = t.rows[0]!.length;
  const dataRows = t.rows.length - 1;
  const d = t.delimiter;
  const add = (name: string, rows: string[][] | string, expect: Expectation) => out.push({ table: t.name, kind: name.replace(/,? (ở )?hàng \d.*$/, '').replace(/ \d+ /, ' n '), name, text: typeof rows === 'string' ? rows : serialize(t, rows), expect });
  const rejected = (rowNumber: number, fieldNumber: number | undefined, ...types: ErrorCode[]): Expectation => ({ outcome: 'rejected', rowNumber, fieldNumber, types });
  const clean: Expectation = { outcome: 'published', warnings: [] };

  for (const r of sampleRows(t)) {
    const line = t.rows[r]!;
    const isHeader = r === 0;
    // a separator too many, before cell j (j = n: at the end of the line)
    for (let j = 0; j <= n; j++) {
      const rows = raws(t);
      rows[r]!.splice(j, 0, '');
      let expect: Expectation;
      if (isHeader) expect = j === n ? clean : rejected(1, j + 1, 'blank-label'); // an empty last label is dropped: no value moves
      else expect = rejected(r + 1, n + 1, 'extra-cell');
      add(`dấu phân cách thừa ở hàng ${r + 1}, trước cột ${j + 1}`, rows, expect);
    }
    // a separator too few, between cells j and j + 1
    for (let j = 0; j + 1 < n; j++) {
      const rows = raws(t);
      rows[r]!.splice(j, 2, rows[r]![j]! + rows[r]![j + 1]!);
      let expect: Expectation;
      if (line[j]!.quoted && line[j + 1]!.quoted) expect = rejected(r + 1, n, 'missing-cell'); // "14,02""108,72": one quoted value
      else if (line[j]!.quoted || line[j + 1]!.quoted) expect = rejected(r + 1, j + 1, 'stray-quote'); // "24,5"05:30 or Phước"24,5"
      else if (isHeader) expect = rejected(2, n, 'extra-cell'); // every row has a cell more than the header
      else expect = rejected(r + 1, n, 'missing-cell');
      add(`thiếu dấu phân cách ở hàng ${r + 1}, giữa cột ${j + 1} và ${j + 2}`, rows, expect);
    }
    for (let j = 0; j < n; j++) {
      const cell = line[j]!;
      if (cell.quoted) continue;
      const v = cell.raw;
      // a delimiter inside an unquoted value ("Quy Nhơn, Gia Lai" written without quotes)
      const mid = Math.ceil(v.length / 2);
      if (v.slice(0, mid).trim() && v.slice(mid).trim()) {
        const rows = raws(t);
        rows[r]![j] = `${v.slice(0, mid)}${d}${v.slice(mid)}`;
        add(`dấu phân cách trong ô không có ngoặc kép, hàng ${r + 1}, cột ${j + 1}`, rows, isHeader ? rejected(2, n + 1, 'missing-cell') : rejected(r + 1, n + 1, 'extra-cell'));
      }
      // a quote in the middle of an unquoted value
      if (v.length >= 2) {
        const rows = raws(t);
        rows[r]![j] = `${v.slice(0, mid)}"${v.slice(mid)}`;
        add(`dấu ngoặc kép giữa ô, hàng ${r + 1}, cột ${j + 1}`, rows, rejected(r + 1, j + 1, 'stray-quote'));
      }
      // a quote opening the value that is not closed where it should be (or never)
      const rows = raws(t);
      rows[r]![j] = `"${v}`;
      add(`dấu ngoặc kép mở không đóng, hàng ${r + 1}, cột ${j + 1}`, rows, rejected(r + 1, j + 1, 'stray-quote', 'unclosed-quote'));
    }
  }

  // header rows that are copies of the header, right under it and between the rows
  const header = t.rows[0]!.map((c) => c.raw);
  for (const copies of [1, 2]) {
    const rows = raws(t);
    rows.splice(1, 0, ...Array.from({ length: copies }, () => [...header]));
    add(`${copies + 1} dòng tiêu đề giống nhau`, rows, { outcome: 'published', warnings: ['repeated-header'] });
  }
  if (dataRows >= 2) {
    const rows = raws(t);
    rows.splice(1 + Math.ceil(dataRows / 2), 0, [...header]);
    add('hàng tiêu đề lặp lại giữa bảng', rows, { outcome: 'published', warnings: ['repeated-header'] });
  }
  // no header row at all
  add('không có hàng tiêu đề', raws(t).slice(1), { outcome: 'published', warnings: ['no-header'], headerless: true });
  // title lines above the table
  const pad = (...cells: string[]) => [...cells, ...Array(n - cells.length).fill('')];
  const preambles: [string, string[][]][] = [
    ['một dòng SEQUENTIAL', [['SEQUENTIAL']]],
    ['tiêu đề, đơn vị và dòng trống', [['BÁO CÁO SỐ LIỆU NĂM 2025'], ['Đơn vị: Sở Khoa học và Công nghệ'], ['']]],
    // as a spreadsheet exports it: every line as wide as the table (two cells filled only where that is under half)
    ['tiêu đề có dấu phân cách (xuất từ Excel)', [pad('BÁO CÁO SỐ LIỆU'), n >= 5 ? pad('Đơn vị: Sở Y tế', 'Mẫu số 01') : pad('Đơn vị: Sở Y tế')]],
    ['60 dòng', Array.from({ length: 60 }, (_, i) => [`Dòng giới thiệu thứ ${i + 1} của báo cáo`])],
  ];
  for (const [what, lines] of preambles) add(`phần đầu: ${what}`, [...lines, ...raws(t)], { outcome: 'published', warnings: ['preamble'] });
  // notes under the table
  add('chú thích cuối bảng', [...raws(t), ['Ghi chú: số liệu sơ bộ'], ['Nguồn: Cục Thống kê tỉnh Gia Lai']], { outcome: 'published', warnings: ['footnote'] });
  add('chú thích sau một dòng trống', [...raws(t), [''], ['Gia Lai ngày 15 tháng 7 năm 2025'], ['Người lập biểu']], { outcome: 'published', warnings: ['footnote'] });
  // a note that holds the delimiter is not a note but a row with too few cells
  if (n >= 3) add('chú thích có dấu phân cách', [...raws(t), ['Nguồn: Sở Y tế', ' Cục Thống kê']], rejected(t.rows.length + 1, 3, 'missing-cell'));
  // a separator after the last field of every line (some exporters write so): the file's way;
  // after every data line but not the header: each row has a cell more than the header
  add('dấu phân cách cuối mọi dòng', raws(t).map((r) => [...r, '']), { outcome: 'published', warnings: ['trailing-delimiter'] });
  add('dấu phân cách cuối mọi dòng dữ liệu', raws(t).map((r, i) => (i ? [...r, ''] : r)), rejected(2, n + 1, 'extra-cell'));
  // the same table with another delimiter, under a one-line title
  for (const other of [',', ';', '|', '\t'].filter((x) => x !== d)) {
    const quote = (v: string) => (/["\r\n]/.test(v) || v.includes(other) ? `"${v.replace(/"/g, '""')}"` : v);
    const text = ['SEQUENTIAL', ...t.rows.map((r) => r.map((c) => quote(c.value)).join(other))].join(t.newline) + t.newline;
    add(`phân cách bằng ${JSON.stringify(other)}, dưới một dòng tiêu đề`, text, { outcome: 'published', warnings: ['preamble'] });
  }
  return out;
}
