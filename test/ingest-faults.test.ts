import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { ingestFile, type TableSchema } from '../server/ingest/index.ts';
import { TypeTracker } from '../server/ingest/infer.ts';
import { castValue } from '../server/ingest/schema.ts';
import { QuoteScanner } from '../server/ingest/quotes.ts';
import { sniffDialect } from '../server/ingest/readers.ts';
import type { IngestProblem } from '../server/ingest/errors.ts';
import { fixture, tempStore } from './helpers/fixtures.ts';

async function ingest(content: string, extra: { schema?: TableSchema; header?: boolean } = {}, name = 'a.csv') {
  const { store } = tempStore();
  const r = await ingestFile(fixture(name, content), { store, originalName: name, ...extra });
  const json = r.outputs ? JSON.parse(fs.readFileSync(store.pathOf(r.outputs.json.sha256), 'utf8')) as Record<string, unknown>[] : undefined;
  return { ...r, json };
}
const where = (ps: IngestProblem[]) => ps.map((p) => [p.type, p.rowNumber ?? null, p.fieldNumber ?? null]);

/** A seeded generator: the same "random" cases on every run. */
function random(seed: number) {
  return (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
}

describe('the faults seen in real files (issue 14)', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')},08:${String(i % 60).padStart(2, '0')},${i + 1},http://x/${i}`);

  it('rejects a leading extra comma on line 14 of an 83-row file, at that row, instead of shifting it', async () => {
    const lines = ['DATE,TIME,QUANTITY,Comments', ...rows(83)];
    lines[13] = `,${lines[13]}`;
    const r = await ingest(lines.join('\n'));
    expect(r.report.valid).toBe(false);
    expect(where(r.report.errors)).toEqual([['extra-cell', 14, 5]]);
    expect(r.report.errors[0]!.cell).toBe('http://x/12');
  });

  it('rejects a row whose only extra cell is empty, and an unquoted field holding the delimiter', async () => {
    const trailing = ['DATE,TIME,QUANTITY,Comments', ...rows(20)];
    trailing[5] += ',';
    expect(where((await ingest(trailing.join('\n'))).report.errors)).toEqual([['extra-cell', 6, 5]]);
    const split = ['Mã,Địa chỉ,Số', '1,Quy Nhơn,5', '2,Pleiku, Gia Lai,6', '3,An Khê,7'];
    const r = await ingest(split.join('\n'));
    expect(where(r.report.errors)).toEqual([['extra-cell', 3, 4]]);
  });

  it('reads a separator after every line, the header\'s too, as the file\'s way, with a warning', async () => {
    const r = await ingest('STT,Tên,Số,\r\n1,Hà Nội,5,\r\n2,Huế,6,\r\n');
    expect(r.report.valid).toBe(true);
    expect(r.json).toEqual([{ STT: 1, 'Tên': 'Hà Nội', 'Số': 5 }, { STT: 2, 'Tên': 'Huế', 'Số': 6 }]);
    expect(where(r.report.warnings)).toEqual([['trailing-delimiter', null, null]]);
  });

  it('reports a stray quote and an unclosed quote at their row and column, as fields', async () => {
    const stray = await ingest('Mã,Tên,Ghi chú\n1,Hà Nội,ổn\n2,Nhà "Văn hóa,mới\n3,Huế,cũ\n');
    expect(stray.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber, e.fieldName])).toEqual([['stray-quote', 3, 2, 'Tên']]);
    const lines = ['Mã,Tên', ...Array.from({ length: 20 }, (_, i) => `${i + 1},Xã ${i + 1}`)];
    lines[14] = '14,"Xã Ia Ly';
    const unclosed = await ingest(lines.join('\n'));
    expect(where(unclosed.report.errors)).toEqual([['unclosed-quote', 15, 2]]);
    expect(unclosed.report.errors[0]!.message).toContain('hàng 15, cột 2');
  });

  it('keeps the problems nearest the top when there are more than it keeps, the cause before what it caused', async () => {
    // a separator lost before a quoted cell of 150 lines: its quote is stray, and each of its lines
    // is a row too short; the quote is found after its batch of rows, when 100 short rows are known
    const cell = Array.from({ length: 150 }, (_, i) => `dòng ${i + 1}`).join('\n');
    const r = await ingest(`Mã,Ghi chú,Số\n1,một,10\n2"${cell}",20\n3,ba,30\n`);
    expect(r.report.valid).toBe(false);
    expect(r.report.errorCount).toBe(r.report.countsByType['stray-quote']! + r.report.countsByType['missing-cell']!);
    expect(r.report.errors).toHaveLength(100);
    expect(where(r.report.errors.slice(0, 3))).toEqual([['stray-quote', 3, 1], ['missing-cell', 3, 2], ['missing-cell', 4, 2]]);
    // a row of an unusual shape is known only at the end of the table: it still comes first
    const lines = ['Mã,Tên,Số', ...Array.from({ length: 300 }, (_, i) => `${i + 1},Xã ${i + 1},${i < 2 ? i : 'không'}`)];
    lines[1] += ',';
    const shifted = await ingest(lines.join('\n'), { schema: { fields: [{ name: 'Mã', type: 'integer' }, { name: 'Tên', type: 'string' }, { name: 'Số', type: 'integer' }] } });
    expect(shifted.report.errorCount).toBe(299);
    expect(where(shifted.report.errors.slice(0, 2))).toEqual([['extra-cell', 2, 4], ['type-error', 4, 3]]);
  });

  it('never takes a row of data one separator short for the second row of a header', async () => {
    // every line ends with ";" but row 2: its phone number must not become part of a column's name
    const lines = ['Mã;Tên;Ngày cấp phép;Điện thoại;', 'YT0001;Trung tâm y tế Chư Sê;22/09/2018;0256 3214250'];
    for (let i = 2; i <= 30; i++) lines.push(`YT${String(i).padStart(4, '0')};Trạm y tế số ${i};17/08/2024;0256 35701${String(i).padStart(2, '0')};`);
    const r = await ingest(lines.join('\n'));
    expect(r.report.valid).toBe(false);
    expect(where(r.report.errors)).toEqual([['missing-cell', 2, 5]]);
  });

  it('leaves out notes under the table padded with separators, as Excel writes them', async () => {
    const table = 'Stt,Mã số,Tên tỉnh\n1,01,Thành phố Hà Nội\n2,04,Cao Bằng\n3,08,Tuyên Quang\n';
    const r = await ingest(`${table}Ghi chú: số liệu sơ bộ,,\nNguồn: Cục Thống kê,,\n`);
    expect(r.report.valid).toBe(true);
    expect(r.json).toEqual([{ Stt: 1, 'Mã số': '01', 'Tên tỉnh': 'Thành phố Hà Nội' }, { Stt: 2, 'Mã số': '04', 'Tên tỉnh': 'Cao Bằng' }, { Stt: 3, 'Mã số': '08', 'Tên tỉnh': 'Tuyên Quang' }]);
    expect(where(r.report.warnings)).toEqual([['footnote', 5, null], ['footnote', 6, null]]);
    const blankThenSigned = await ingest(`${table},,\nNgười lập biểu,,\n`);
    expect(blankThenSigned.json).toHaveLength(3);
    expect(blankThenSigned.report.warnings.map((w) => w.type)).toContain('footnote');
    // a separator after every line, the notes' too
    const trailing = await ingest('Stt,Tên,\n1,Hà Nội,\n2,Huế,\nGhi chú: sơ bộ,\n');
    expect(trailing.json).toEqual([{ Stt: 1, 'Tên': 'Hà Nội' }, { Stt: 2, 'Tên': 'Huế' }]);
    expect(trailing.report.warnings.map((w) => w.type).sort()).toEqual(['footnote', 'trailing-delimiter']);
  });

  it('keeps the first row of a file declared without a header, even with empty cells, and takes the width from all rows', async () => {
    const r = await ingest('1,01,\n2,04,Cao Bằng\n3,08,Tuyên Quang\n4,11,Điện Biên\n5,12,Lai Châu\n', { header: false });
    expect(r.report.valid).toBe(true);
    expect(r.json).toHaveLength(5);
    expect(r.json![0]).toEqual({ cot_1: 1, cot_2: '01', cot_3: null });
    expect(r.report.warnings.map((w) => w.type)).toEqual(['no-header']);
  });

  it('reports the faults above an unclosed quote with it, not only the quote', async () => {
    const lines = ['Mã,Tên,Số', ...Array.from({ length: 40 }, (_, i) => `${i + 1},Xã ${i + 1},${i * 3}`)];
    lines[3] += ',';  // row 4: one separator too many (an empty extra cell: known only at the end)
    lines[5] = '5,"Xã Ia Ly,15';  // row 6: a quote opened and never closed
    const r = await ingest(lines.join('\n'));
    expect(where(r.report.errors)).toEqual([['extra-cell', 4, 4], ['unclosed-quote', 6, 2]]);
    // past the rows kept to find the header, the same
    const long = ['Mã,Tên,Số', ...Array.from({ length: 400 }, (_, i) => `${i + 1},Xã ${i + 1},${i * 3}`)];
    long[2] += ',a';
    long[300] = '300,"Xã Ia Ly,15';
    expect(where((await ingest(long.join('\n'))).report.errors)).toEqual([['extra-cell', 3, 4], ['unclosed-quote', 301, 2]]);
  });

  it('looks past a title line of two cells above a table of four columns', async () => {
    const lines = ['Đơn vị báo cáo: Sở Y tế,Mẫu số 01', 'Mã,Tên,Loại,Số', ...Array.from({ length: 30 }, (_, i) => `${i + 1},Trạm y tế ${i + 1},Trạm,${i * 3}`)];
    const r = await ingest(lines.join('\n'));
    expect(r.report.errors).toEqual([]);
    expect(r.report.headerRow).toBe(2);
    expect(r.json![0]).toEqual({ 'Mã': '1', 'Tên': 'Trạm y tế 1', 'Loại': 'Trạm', 'Số': 0 }); // "Mã" names an identifier: text
    expect(where(r.report.warnings)).toEqual([['preamble', 1, null]]);
    // with a quote left open further down, the quote is the first error, not the header
    lines[4] = '3,"Trạm y tế 3,Trạm,6';
    expect(where((await ingest(lines.join('\n'))).report.errors)).toEqual([['unclosed-quote', 5, 2]]);
  });

  it('drops two- and three-line headers that are copies, with a warning, and keeps the date column a date', async () => {
    for (const copies of [1, 2]) {
      const r = await ingest(['DATE,QUANTITY', ...Array(copies).fill('DATE,QUANTITY'), '2024-01-01,5', '2024-01-02,6'].join('\n'));
      expect(r.report.valid).toBe(true);
      expect(r.json).toEqual([{ DATE: '2024-01-01', QUANTITY: 5 }, { DATE: '2024-01-02', QUANTITY: 6 }]);
      expect(r.report.warnings.map((w) => w.type)).toEqual(Array(copies).fill('repeated-header'));
    }
  });

  it('names the columns cot_1 … cot_n of a file without a header row, keeping its first row as data', async () => {
    const r = await ingest('2024-01-01,5,Hà Nội\n2024-01-02,6,Huế\n2024-01-03,7,Đà Nẵng\n');
    expect(r.report.valid).toBe(true);
    expect(r.report.headerRow).toBe(0);
    expect(r.report.dialect?.header).toBe(false);
    expect(r.json![0]).toEqual({ cot_1: '2024-01-01', cot_2: 5, cot_3: 'Hà Nội' });
    expect(r.json).toHaveLength(3);
    expect(r.report.warnings.map((w) => w.type)).toEqual(['no-header']);
    // … and by the declared schema's names when the unit gives one
    const schema: TableSchema = { fields: [{ name: 'Ngày', type: 'date' }, { name: 'Số', type: 'integer' }, { name: 'Nơi', type: 'string' }] };
    const declared = await ingest('2024-01-01,5,Hà Nội\n2024-01-02,6,Huế\n', { schema });
    expect(declared.json![0]).toEqual({ 'Ngày': '2024-01-01', 'Số': 5, 'Nơi': 'Hà Nội' });
    // … or when the unit says so, even where the first row could pass for labels
    const told = await ingest('Hà Nội,Thủ đô\nHuế,Cố đô\n', { header: false });
    expect(told.json).toEqual([{ cot_1: 'Hà Nội', cot_2: 'Thủ đô' }, { cot_1: 'Huế', cot_2: 'Cố đô' }]);
  });

  it('takes a JSON file\'s keys as its column names, even keys that look like data', async () => {
    const r = await ingest(JSON.stringify([{ 1: 'a', 2: 5 }, { 1: 'b', 2: 6 }]), {}, 'a.json');
    expect(r.report.fields.map((f) => f.name)).toEqual(['1', '2']);
    expect(r.json).toEqual([{ 1: 'a', 2: 5 }, { 1: 'b', 2: 6 }]);
  });

  it('keeps years as the labels of a wide table', async () => {
    const r = await ingest('Chỉ tiêu,2023,2024\nDân số,1.234,1.300\nSố hộ,500,520\n');
    expect(r.report.headerRow).toBe(1);
    expect(r.report.fields.map((f) => f.name)).toEqual(['Chỉ tiêu', '2023', '2024']);
  });

  it('finds a header below 20 (and up to about 100) title lines, and reports them', async () => {
    const preamble = Array.from({ length: 45 }, (_, i) => `Dòng tiêu đề ${i + 1}`);
    const r = await ingest([...preamble, 'Mã;Tên;Số', '01;Hà Nội;1,5', '04;Cao Bằng;2,5'].join('\n'));
    expect(r.report.valid).toBe(true);
    expect(r.report.dialect?.delimiter).toBe(';');
    expect(r.report.headerRow).toBe(46);
    expect(r.json).toEqual([{ 'Mã': '01', 'Tên': 'Hà Nội', 'Số': 1.5 }, { 'Mã': '04', 'Tên': 'Cao Bằng', 'Số': 2.5 }]);
    expect(where(r.report.warnings)).toEqual([['preamble', 1, null]]);
  });

  it('keeps integers of 17–20 digits exact (as text), and an impossible datetime makes its column text', async () => {
    const r = await ingest('so_hieu,gio\n12345678901234567890,2009-31-21 17:31:32\n99999999999999999,2009-01-21 17:31:32\n');
    expect(r.report.valid).toBe(true);
    expect(r.report.fields.map((f) => f.type)).toEqual(['string', 'string']);
    expect(r.json![0]).toEqual({ so_hieu: '12345678901234567890', gio: '2009-31-21 17:31:32' });
    // a declared number beyond 2^53 is refused with the row and column, never rounded
    const declared = await ingest('so\n12345678901234567890\n', { schema: { fields: [{ name: 'so', type: 'number' }] } });
    expect(where(declared.report.errors)).toEqual([['type-error', 2, 1]]);
  });

  it('notes under the table are reported and left out; a "note" with the delimiter is a short row', async () => {
    const r = await ingest('Mã,Tên,Số\n1,A,2\n2,B,3\n\nNguồn: Cục Thống kê\n');
    expect(r.json).toHaveLength(2);
    expect(where(r.report.warnings)).toEqual([['footnote', 5, null]]);
    const bad = await ingest('Mã,Tên,Số\n1,A,2\n2,B,3\nNguồn: Cục Thống kê, Sở Y tế\n');
    expect(where(bad.report.errors)).toEqual([['missing-cell', 4, 3]]);
    // a one-cell line with more table after it is a row of the table
    const inside = await ingest('Mã,Tên,Số\n1,A,2\nGhi chú: xem dưới\n2,B,3\n');
    expect(where(inside.report.errors)).toEqual([['missing-cell', 3, 2]]);
  });
});

describe('delimiter detection', () => {
  it('looks past a preamble and decimal commas, and tries a space last', () => {
    expect(sniffDialect('SEQUENTIAL\nMã;Tên;Số\n01;Hà Nội;1,5\n04;Cao Bằng;2,5\n').delimiter).toBe(';');
    expect(sniffDialect('BÁO CÁO, NĂM 2025\nMã|Tên|Số\n01|Hà Nội|1,5\n04|Cao Bằng|2\n').delimiter).toBe('|');
    expect(sniffDialect('Mã\tĐịa chỉ\n1\t"12 Trần Phú, Quy Nhơn"\n2\t"3 Lê Lợi, Pleiku"\n').delimiter).toBe('\t');
    expect(sniffDialect('a b c\n1 2 3\n4 5 6\n').delimiter).toBe(' ');
    expect(sniffDialect('Tên\nHà Nội\nThành phố Hồ Chí Minh\n').delimiter).toBe(',');
  });
});

describe('type inference chooses only types the cast accepts', () => {
  it('on random numbers, dates, times and words', () => {
    const rnd = random(7);
    const pieces = ['0', '1', '9', '12', '2024', '31', '13', '.', ',', '-', '+', '/', ':', ' ', 'T', 'Z', '1234567890123456789', 'có', 'không', 'x', 'e5', '00', '60', '24', '%'];
    for (let round = 0; round < 20_000; round++) {
      const values = Array.from({ length: 1 + rnd(3) }, () => Array.from({ length: 1 + rnd(6) }, () => pieces[rnd(pieces.length)]).join(''));
      const t = new TypeTracker('cot');
      for (const v of values) t.add(v);
      const field = t.result();
      if (field.type === 'string') continue;
      for (const v of values) if (v !== '') expect(castValue(field, v), `${JSON.stringify(values)} → ${JSON.stringify(field)}`).not.toBeUndefined();
    }
  });
});

describe('the quote scanner', () => {
  const scan = (text: string, cuts: number[], d = ',', nl = '\n') => {
    const faults: IngestProblem[] = [];
    const s = new QuoteScanner(d, '"', nl, (p) => faults.push(p));
    let at = 0;
    let error: unknown = null;
    try {
      for (const c of [...cuts, text.length]) { s.scan(text.slice(at, c)); at = c; }
      s.end();
    } catch (err) {
      error = (err as { problem?: IngestProblem }).problem ?? err;
    }
    return { faults: where(faults), error: error && where([error as IngestProblem]) };
  };

  it('finds the same faults however the text is cut into chunks', () => {
    const rnd = random(11);
    const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', '""', 'Đắk'];
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 1 + rnd(40) }, () => alphabet[rnd(alphabet.length)]).join('');
      const nl = text.includes('\r\n') && rnd(2) ? '\r\n' : '\n';
      const whole = scan(text, [], ',', nl);
      const cuts = [...new Set(Array.from({ length: rnd(5) }, () => rnd(text.length + 1)))].sort((a, b) => a - b);
      expect(scan(text, cuts, ',', nl), JSON.stringify({ text, cuts })).toEqual(whole);
    }
  });

  it('counts rows as papaparse does, and each fault is a cell papaparse read with a quote in it', () => {
    const rnd = random(5);
    const alphabet = ['a', ',', '"', '\n', 'b c', '""', '\r\n'];
    for (let round = 0; round < 5000; round++) {
      const text = Array.from({ length: 1 + rnd(30) }, () => alphabet[rnd(alphabet.length)]).join('');
      const nl = rnd(2) ? '\n' : '\r\n';
      const faults: IngestProblem[] = [];
      const s = new QuoteScanner(',', '"', nl, (p) => faults.push(p));
      let unclosed = false;
      try { s.scan(text); s.end(); } catch { unclosed = true; }
      const parsed = Papa.parse<string[]>(text, { delimiter: ',', newline: nl, quoteChar: '"' });
      const why = JSON.stringify({ text, nl, faults: where(faults) });
      expect(parsed.errors.some((e) => e.code === 'MissingQuotes'), why).toBe(unclosed);
      if (unclosed) continue;
      expect(s.rows, why).toBe(parsed.data.length);
      if (parsed.errors.some((e) => e.code === 'InvalidQuotes')) expect(faults.length, why).toBeGreaterThan(0);
      for (const f of faults) expect(parsed.data[f.rowNumber! - 1]?.[f.fieldNumber! - 1], why).toContain('"');
    }
  });
});
