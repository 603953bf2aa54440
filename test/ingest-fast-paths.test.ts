import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestFile, type IngestOptions, type IngestProgress, type TableSchema } from '../server/ingest/index.ts';
import { BlobStore } from '../server/storage/blobs.ts';
import { castCell, castValue, compileCast, validDate, type TableField } from '../server/ingest/schema.ts';
import { cleanCell } from '../server/ingest/table.ts';
import { MAY_NEED_NFC } from '../server/ingest/readers.ts';
import { HashingWriter, utf8 } from '../server/storage/blobs.ts';
import { fixture, tempStore } from './helpers/fixtures.ts';
import { toWindows1258 } from './helpers/encode.ts';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { decodeStream } from '../server/ingest/encoding.ts';
import Papa from 'papaparse';
import { csvField, neutraliseFormula, OutputFormatter } from '../server/ingest/output.ts';

async function ingest(name: string, content: string | Buffer, extra: Partial<IngestOptions> = {}) {
  const { store } = tempStore();
  const result = await ingestFile(fixture(name, content), { store, originalName: name, ...extra });
  const read = (sha?: string) => (sha ? fs.readFileSync(store.pathOf(sha), 'utf8') : '');
  const leftInTmp = () => fs.readdirSync(store.tmpDir);
  return { ...result, store, leftInTmp, csv: read(result.outputs?.csv.sha256), json: result.outputs ? JSON.parse(read(result.outputs.json.sha256)) : undefined };
}

/** Builds a CSV with `before` plain ASCII rows ahead of the given rows (past the 1000-row sample when before ≥ 1000). */
function afterAscii(header: string, before: number, rows: string[]): string {
  const lines = [header];
  for (let i = 0; i < before; i++) lines.push(`${i},dong ${i}`);
  return [...lines, ...rows].join('\r\n') + '\r\n';
}

describe('ingest fast paths: NFC only where it can change anything', () => {
  it('a string made only of U+0000–U+02FF and U+1E00–U+1EFF is already NFC (every character and every pair)', () => {
    const safe: string[] = [];
    for (let c = 0; c <= 0x02ff; c++) safe.push(String.fromCharCode(c));
    for (let c = 0x1e00; c <= 0x1eff; c++) safe.push(String.fromCharCode(c));
    let changed = 0;
    for (const a of safe) {
      if (a.normalize('NFC') !== a || /\p{M}/u.test(a)) changed++;
      for (const b of safe) if ((a + b).normalize('NFC') !== a + b) changed++;
    }
    expect(changed).toBe(0);
    // and the fast check sends every Vietnamese tone mark, decomposed, and U+FFFD to normalize()
    for (const mark of ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323', '\u0302', '\u0306', '\u031b', '\uFFFD', '\u212A']) expect(MAY_NEED_NFC.test(`a${mark}`)).toBe(true);
    expect(cleanCell(' Xa\u0303 \u0110a\u0306\u0301k \u0110oa ')).toBe('Xã Đắk Đoa');
    expect(cleanCell('Phường Quy Nhơn Bắc')).toBe('Phường Quy Nhơn Bắc');
  });

  it('normalises a decomposed cell that comes after 1000 ASCII rows (UTF-8 file)', async () => {
    const decomposed = 'Xa\u0303 \u0110a\u0306\u0301k \u0110oa';
    const r = await ingest('nfd.csv', afterAscii('Mã,Tên', 1500, [`9999,${decomposed}`]));
    expect(r.report.valid).toBe(true);
    expect(r.json[1500]).toEqual({ 'Mã': '9999', 'Tên': 'Xã Đắk Đoa' });
    expect(r.csv.split('\r\n')[1501]).toBe('9999,Xã Đắk Đoa');
    expect(r.csv).toBe(r.csv.normalize('NFC'));
  });

  it('still normalises, and still finds invalid bytes, when they first appear several 64 KB chunks into the file', async () => {
    // the reader normalises each chunk and watches for U+FFFD: text that first needs either late in the file must still get it
    const decomposed = 'Xa\u0303 \u0110a\u0306\u0301k \u0110oa';
    const r = await ingest('nfd-late.csv', afterAscii('Mã,Tên', 40_000, [`9999,${decomposed}`, '10000,Ho\u0300a Bi\u0300nh']));
    expect(r.report.valid).toBe(true);
    expect(r.json[40_000]).toEqual({ 'Mã': '9999', 'Tên': 'Xã Đắk Đoa' });
    expect(r.json[40_001]['Tên']).toBe('Hòa Bình');
    expect(r.csv).toBe(r.csv.normalize('NFC'));
    const bad = Buffer.concat([Buffer.from(afterAscii('Mã,Tên', 40_000, [])), Buffer.from('9999,Nh\xff\xfeng\r\n', 'latin1')]);
    const broken = await ingest('invalid-late.csv', bad);
    expect(broken.report.valid).toBe(false);
    expect(broken.report.errors[0]).toMatchObject({ type: 'encoding-error', rowNumber: 40_002, fieldNumber: 2 });
  });

  it('composes a tone mark that begins a 64 KB read chunk with the letter that ends the one before', async () => {
    // Windows-1258 writes "ò" as "o" + U+0300 (one byte each): put the "o" at byte 65,535 and the mark at 65,536
    let text = 'Mã,Tên\r\n';
    for (let i = 0; text.length < 65_000; i++) text += `${10000 + i},Xa\r\n`;
    const digits = 65_534 - toWindows1258(text).length - ','.length; // "H" at 65,534
    text += `${'9'.repeat(digits)},Ho\u0300a Bi\u0300nh\r\n12345,Xa\r\n`;
    const bytes = toWindows1258(text);
    expect(bytes.subarray(65_534, 65_536).toString('latin1')).toBe('Ho'); // "o" ends the first chunk …
    expect(bytes[65_536]).toBe(0xcc); // … and the grave accent (0xCC in Windows-1258) starts the second
    const r = await ingest('cp1258-cut.csv', bytes);
    expect(r.report.valid).toBe(true);
    expect(r.json.find((row: Record<string, string>) => row['Tên'].startsWith('Hòa'))['Tên']).toBe('Hòa Bình');
    expect(r.csv).toBe(r.csv.normalize('NFC'));
  });

  it('turns Windows-1258 tone marks into NFC after 1000 ASCII rows and in a long file', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 3000; i++) rows.push(`${10000 + i},Trường THPT Lê Quý Đôn ${i} — Xã Đắk Đoa`);
    const r = await ingest('cp1258.csv', toWindows1258(afterAscii('Mã,Tên', 1000, rows)));
    expect(r.report.encoding).toBe('windows-1258');
    expect(r.report.valid).toBe(true);
    expect(r.json[1000]).toEqual({ 'Mã': '10000', 'Tên': 'Trường THPT Lê Quý Đôn 0 — Xã Đắk Đoa' });
    expect(r.json[3999]['Tên']).toBe('Trường THPT Lê Quý Đôn 2999 — Xã Đắk Đoa');
    expect(r.csv).toBe(r.csv.normalize('NFC'));
    expect(r.csv).not.toMatch(/[\u0300-\u036f]/);
  });
});

describe('ingest fast paths: decoded text reaches papaparse as strings', () => {
  it('decodes UTF-8 as iconv-lite did: the same U+FFFD for invalid and cut sequences, BOM stripped', async () => {
    let seed = 5;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
    const pieces = [[0x41], [0xc3, 0xa3], [0xe1, 0xbb, 0x87], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf], [0x80], [0xbf], [0xc0], [0xc1, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xe1], [0xe1, 0xbb], [0xf0, 0x9f, 0x98], [0x0a]];
    for (let k = 0; k < 3000; k++) {
      const bytes: number[] = [];
      for (let i = 1 + rnd(12); i > 0; i--) bytes.push(...pieces[rnd(pieces.length)]!);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length;) { const n = 1 + rnd(5); chunks.push(Buffer.from(bytes.slice(i, i + n))); i += n; }
      const before = iconv.getDecoder('utf-8', { stripBOM: true });
      const expected = chunks.map((c) => before.write(c)).join('') + (before.end() ?? '');
      let text = '';
      for await (const s of Readable.from(chunks).pipe(decodeStream('utf-8'))) text += s;
      expect(text, Buffer.from(bytes).toString('hex')).toBe(expected);
    }
  });

  it('keeps an emoji whose UTF-16BE bytes straddle the 64 KB read chunk', async () => {
    // BOM (2 bytes), then the header and a row long enough that the emoji starts at byte 65,534
    const head = 'a,b\n1,';
    const pad = 'x'.repeat((65_534 - 2) / 2 - head.length);
    const text = `${head}${pad}😀 Việt\n2,ổn\n`;
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    expect(bytes.subarray(65_534, 65_536).readUInt16BE(0)).toBe(0xd83d); // the high surrogate ends the first chunk
    const r = await ingest('be.csv', bytes);
    expect(r.report.encoding).toBe('utf-16be');
    expect(r.report.valid).toBe(true);
    expect(r.json[0].b).toBe(`${pad}😀 Việt`);
  });

  it('reports an unpaired surrogate in a UTF-16 file as an invalid byte, with row and column', async () => {
    const text = 'a,b\n1,Việt\ud800 Nam\n2,ổn\n';
    const r = await ingest('lone.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(r.report.valid).toBe(false);
    expect(r.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber, e.cell])).toEqual([['encoding-error', 2, 2, 'Việt\uFFFD Nam']]);
  });
});

describe('ingest fast paths: output text', () => {
  it('writes every kind of cell the same way in CSV and JSON, past the sample and over many output chunks', async () => {
    const tricky = [
      ['plain', 'Phường Quy Nhơn Bắc', 'Phường Quy Nhơn Bắc'],
      ['comma', '"a, b"', '"a, b"'],
      ['quote', '"nói ""có"""', '"nói ""có"""'],
      ['backslash', 'C:\\thu muc', 'C:\\thu muc'],
      ['formula', '=SUM(1)', `'=SUM(1)`],
      ['plus', '+84 256', `'+84 256`],
      ['at', '@x', `'@x`],
      ['newline', '"dòng 1\ndòng 2"', '"dòng 1\ndòng 2"'],
      ['tab', '"a\tb"', 'a\tb'],
      ['u2028', 'a\u2028b', 'a\u2028b'],
    ] as const;
    const header = 'Mã,Ghi chú,Số,Có,Trống';
    const lines = [header];
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const [, cell] = tricky[i % tricky.length]!;
      // the last column is empty except once, so it is inferred as integer: nulls at the end of most rows
      lines.push(`${i % 3 ? 'HS' + i : ''},${cell},"${i},5",${i % 2 ? 'có' : 'không'},${i === 7 ? 1 : ''}`);
    }
    const r = await ingest('tricky.csv', lines.join('\r\n'));
    expect(r.report.valid).toBe(true);
    expect(r.report.fields.map((f) => f.type)).toEqual(['string', 'string', 'number', 'boolean', 'integer']);
    const csvLines = r.csv.split('\r\n');
    for (let i = 0; i < n; i++) {
      const [, cell, csvCell] = tricky[i % tricky.length]!;
      const text = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      expect(r.json[i]).toEqual({ 'Mã': i % 3 ? 'HS' + i : null, 'Ghi chú': text, 'Số': i + 0.5, 'Có': i % 2 === 1, 'Trống': i === 7 ? 1 : null });
      if (!text.includes('\n')) expect(csvLines[i + 1]).toBe(`${i % 3 ? 'HS' + i : ''},${csvCell},${i}.5,${i % 2 ? 'true' : 'false'},${i === 7 ? 1 : ''}`);
    }
  });

  it('encodes long output text to exactly the bytes V8 writes, lone surrogates included', () => {
    const samples = ['Việt Nam', 'a\ud800b', 'x\udc00', '\ud83d\ude00 ok', 'Đ'.repeat(70_000), `${'ệ'.repeat(40_000)}\ud800${'a'.repeat(40_000)}`, ''];
    for (const s of samples) expect(utf8(s).equals(Buffer.from(s, 'utf8'))).toBe(true);
  });

  it('writes and hashes every byte of texts of any length across its two buffers, and an abort leaves no file', async () => {
    const { store } = tempStore();
    // short and long pieces (the two encoding paths), pairs and lone surrogates, pieces larger than a buffer
    const pieces = ['Mã,Tên\r\n', 'ệ'.repeat(700), 'a\ud800', '\udc00b', '\ud83d\ude00', 'Đ'.repeat(50_000), 'x'.repeat(1023), 'ư'.repeat(400_000), '', 'z'];
    for (let i = 0; i < 400; i++) pieces.push(`${i},Nguyễn Văn ${i},"ghi chú ""${i}"""\r\n`.repeat(1 + (i % 97)));
    const writer = new HashingWriter(store.tempPath('.csv'));
    for (const p of pieces) await writer.write(p);
    const file = await writer.finish();
    // each piece is encoded on its own (a lone surrogate at a piece's end is U+FFFD, as V8 writes it)
    const expected = Buffer.concat(pieces.map((p) => Buffer.from(p, 'utf8')));
    expect(fs.readFileSync(file.path).equals(expected)).toBe(true);
    expect(file.size).toBe(expected.length);
    expect(file.sha256).toBe(crypto.createHash('sha256').update(expected).digest('hex'));

    const aborted = new HashingWriter(store.tempPath('.csv'));
    await aborted.write('ư'.repeat(2_000_000));
    aborted.abort();
    expect(fs.existsSync(aborted.path)).toBe(false);
    await expect(aborted.finish()).rejects.toThrow();
  });
});

describe('ingest fast paths: casting', () => {
  it('reads Vietnamese grouped numbers as the general rule does', () => {
    const num: TableField = { name: 'n', type: 'number', groupChar: '.', decimalChar: ',' };
    const int: TableField = { name: 'n', type: 'integer', groupChar: '.', decimalChar: ',' };
    expect(castCell(num, '1.234.567,89')).toEqual({ ok: true, value: 1234567.89 });
    expect(castCell(num, '-12,5')).toEqual({ ok: true, value: -12.5 });
    expect(castCell(num, '1.2.3,4')).toEqual({ ok: true, value: 123.4 });
    expect(castCell(int, '1.234')).toEqual({ ok: true, value: 1234 });
    expect(castCell(int, '12,5')).toEqual({ ok: false });
    expect(castCell(int, '9.007.199.254.740.993')).toEqual({ ok: false });
    expect(castCell(num, '1,234,5')).toEqual({ ok: false });
    expect(castCell({ ...num, bareNumber: false }, '1.000 đ')).toEqual({ ok: true, value: 1000 });
    // read digit by digit, the same doubles as Number() on the rewritten text
    expect(castCell(num, '0,1')).toEqual({ ok: true, value: 0.1 });
    expect(castCell(num, '-0,000000000000000000001')).toEqual({ ok: true, value: -1e-21 });
    expect(castCell(num, '123.456.789.012,345')).toEqual({ ok: true, value: 123456789012.345 });
    expect(castCell(num, '1.234.567.890.123.456,7')).toEqual({ ok: true, value: 1234567890123456.7 }); // 17 digits: the general rule
    const en: TableField = { name: 'n', type: 'number', groupChar: ',' };
    expect(castCell(en, '1,234.5')).toEqual({ ok: true, value: 1234.5 });
    expect(castCell(en, '1,2.3,4')).toEqual({ ok: true, value: 12.34 }); // a group character after the decimal: the general rule
    expect(castCell(en, '.5')).toEqual({ ok: true, value: 0.5 });
    expect(castCell(en, '1e3')).toEqual({ ok: true, value: 1000 });
    expect(castCell({ ...num, groupChar: '0' }, '1000,5')).toEqual({ ok: true, value: 1.5 }); // a digit as separator: the general rule
  });

  it('casts a column (compileCast) exactly as castValue casts each cell: random numbers, separators and dates', () => {
    const fields: TableField[] = [
      { name: 'a', type: 'integer' }, { name: 'b', type: 'number' }, { name: 'c', type: 'integer', groupChar: '.', decimalChar: ',' },
      { name: 'd', type: 'number', groupChar: '.', decimalChar: ',' }, { name: 'e', type: 'number', groupChar: ',' },
      { name: 'f', type: 'number', groupChar: ' ', decimalChar: ',' }, { name: 'g', type: 'number', bareNumber: false, decimalChar: ',' },
      { name: 'h', type: 'integer', groupChar: '0' }, { name: 'i', type: 'number', groupChar: '..' },
      { name: 'j', type: 'date' }, { name: 'k', type: 'date', format: '%d/%m/%Y' },
    ];
    const alphabet = ['0', '1', '5', '9', '9', '0', '.', ',', '+', '-', ' ', 'e', '/', '%'];
    let seed = 11;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
    const texts = ['0', '-0', '+0', '007', '123456789012345', '1234567890123456', '-999999999999999', '1.234.567', '1.234.567,89', '1,234.5', '12,5', '1.2.3', '.5', '5.', '1e3', '1 234,5', '95%',
      '1/2/2024', '29/02/2023', '29/02/2024', '31/12/0999', '2024-02-29', '0000-01-01', '01/01/0001'];
    for (let i = 0; i < 5000; i++) texts.push(Array.from({ length: 1 + rnd(12) }, () => alphabet[rnd(alphabet.length)]).join(''));
    for (const f of fields) {
      const cast = compileCast(f)!;
      for (const t of texts) expect(cast(t), `${f.name} ${t}`).toEqual(castValue(f, t));
    }
  });

  it('checks dates by the Gregorian calendar, years 0–99 as Date.UTC reads them', () => {
    expect(validDate(2024, 2, 29)).toBe(true);
    expect(validDate(2023, 2, 29)).toBe(false);
    expect(validDate(1900, 2, 29)).toBe(false);
    expect(validDate(2000, 2, 29)).toBe(true);
    expect(validDate(2025, 4, 31)).toBe(false);
    expect(validDate(2025, 13, 1)).toBe(false);
    expect(validDate(0, 2, 29)).toBe(false); // Date.UTC: year 0 is 1900
    expect(validDate(4, 2, 29)).toBe(true);
  });
});

describe('ingest fast paths: the text of the outputs', () => {
  it('writes every text cell so that CSV and JSON readers get it back (random text, quotes, commas, controls, formulas)', async () => {
    const { dir } = tempStore();
    const paths = { csv: path.join(dir, 'o.csv'), json: path.join(dir, 'o.json') };
    const alphabet = ['a', 'ệ', ' ', ',', '"', '\\', '\n', '\r', '\t', '\u0001', '\u001f', '\u2028', '\u2029', '=', '+', '-', '@', "'", ';', '\u00a0'];
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
    const rows: string[][] = [];
    for (let r = 0; r < 3000; r++) rows.push([0, 1, 2].map(() => Array.from({ length: 1 + rnd(6) }, () => alphabet[rnd(alphabet.length)]).join('')));
    const out = new OutputFormatter(['a', 'b', 'c'], paths);
    for (const row of rows) {
      out.add(row);
      if (out.full) await out.drain();
    }
    await out.finish();
    const csv = Papa.parse<string[]>(fs.readFileSync(paths.csv, 'utf8'), { newline: '\r\n' }).data;
    const json = JSON.parse(fs.readFileSync(paths.json, 'utf8')) as Record<string, string>[];
    for (let r = 0; r < rows.length; r++) {
      expect(json[r], String(r)).toEqual({ a: rows[r]![0], b: rows[r]![1], c: rows[r]![2] });
      // as csvField writes it, cell by cell
      expect(csv[r + 1], String(r)).toEqual(rows[r]!.map((v) => neutraliseFormula(v)));
      expect(fs.readFileSync(paths.csv, 'utf8')).toContain(rows[r]!.map((v) => csvField(neutraliseFormula(v))).join(',') + '\r\n');
    }
  });
});

describe('ingest fast paths: the output worker', () => {
  const widening = () => {
    const rows = ['Mã,Giá trị,Ghi chú,Số lượng'];
    for (let i = 1; i <= 3000; i++) rows.push(`${10000 + i},${i > 2400 ? `"${i},5"` : i},"dòng ${i}, ""x""",${i > 1200 ? i : ''}`);
    return rows.join('\n');
  };
  const schema: TableSchema = {
    fields: [{ name: 'Mã', type: 'string', constraints: { required: true, unique: true } }, { name: 'Giá trị', type: 'number', decimalChar: ',' }, { name: 'Ghi chú', type: 'string' }, { name: 'Số lượng', type: 'integer' }],
    primaryKey: ['Mã'],
  };
  // a type error, a repeated key (unique and primary key) and a missing required key
  const broken = () => widening().replace('\n10007,7,', '\n10006,x,').replace('\n10900,', '\n,');

  it('writes the same files and reports the same problems as this thread', async () => {
    const cases: [string, string, Partial<IngestOptions>][] = [
      ['rong.csv', widening(), {}], // a second pass: types widen after the sample
      ['loi.csv', broken(), { schema }],
      ['tricky.csv', 'a,b\n=1,"x\ny"\n@2,\u2028\n', {}],
    ];
    for (const [name, content, extra] of cases) {
      const here = await ingest(name, content, { ...extra, outputWorker: false });
      const there = await ingest(name, content, { ...extra, outputWorker: true });
      expect(there.report, name).toEqual(here.report);
      expect(there.outputs?.csv.sha256, name).toBe(here.outputs?.csv.sha256);
      expect(there.outputs?.json.sha256, name).toBe(here.outputs?.json.sha256);
      // the worker also copies and hashes the original (this thread does without one)
      expect(there.outputs?.original.sha256, name).toBe(here.outputs?.original.sha256);
      if (there.outputs) expect(there.outputs.original.sha256).toBe(crypto.createHash('sha256').update(content).digest('hex'));
      expect(there.leftInTmp(), name).toEqual([]);
    }
    const loi = await ingest('loi.csv', broken(), { schema, outputWorker: true });
    // in reading order: the row's own problem (its key), then its cells by column
    expect(loi.report.errors.map((e) => [e.rowNumber, e.type])).toEqual([[8, 'primary-key'], [8, 'unique-error'], [8, 'type-error'], [901, 'constraint-error']]);
    const rong = await ingest('rong.csv', widening(), { outputWorker: true });
    expect(rong.json[2999]).toEqual({ 'Mã': '13000', 'Giá trị': 3000.5, 'Ghi chú': 'dòng 3000, "x"', 'Số lượng': 3000 });
  });

  it('leaves nothing behind when the ingest is stopped midway', async () => {
    const rows = ['Mã,Tên,Số'];
    for (let i = 0; i < 60_000; i++) rows.push(`${i},Xã ${i},${i * 3}`);
    const controller = new AbortController();
    let seen = 0;
    const progress: IngestProgress = {
      phase: '', bytes: 0, totalBytes: 0,
      get rows() { return seen; },
      set rows(n: number) { seen = n; if (n >= 20_000) controller.abort(); },
    };
    const r = await ingest('big.csv', rows.join('\n'), { signal: controller.signal, progress, outputWorker: true });
    expect(r.report.valid).toBe(false);
    expect(r.report.errors[0]!.message).toContain('dừng giữa chừng');
    expect(r.leftInTmp()).toEqual([]);
  });

  it('reports a write failure in the worker, leaving nothing behind', async () => {
    const { dir } = tempStore();
    // the outputs go to a folder that does not exist: opening them fails (in the worker)
    class Unwritable extends BlobStore {
      tempPath(suffix = '') { return suffix ? path.join(dir, 'missing', `out${suffix}`) : super.tempPath(suffix); }
    }
    const store = new Unwritable(path.join(dir, 'files'), path.join(dir, 'tmp'));
    for (const outputWorker of [false, true]) {
      const r = await ingestFile(fixture('a.csv', widening()), { store, outputWorker });
      expect(r.report.valid, String(outputWorker)).toBe(false);
      expect(r.report.errors.map((e) => e.type)).toEqual(['source-error']);
      expect(r.report.errors[0]!.message).toContain('ENOENT');
    }
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
  });
});
