import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ingestFile } from '../server/ingest/index.ts';
import { fixture, tempStore } from './helpers/fixtures.ts';
import { toWindows1258 } from './helpers/encode.ts';

const VI = 'Mã xã,Tên đơn vị,Ngày thành lập,Dân số,Diện tích (km²),Đô thị\r\n21553,Phường Quy Nhơn Bắc,01/07/2025,"120.345","45,67",có\r\n21583,Xã Đắk Đoa,01/07/2025,"35.012","312,05",không\r\n';

async function ingest(name: string, content: string | Buffer) {
  const { store } = tempStore();
  const result = await ingestFile(fixture(name, content), { store, originalName: name });
  const read = (sha?: string) => (sha ? fs.readFileSync(store.pathOf(sha), 'utf8') : '');
  return { ...result, store, csv: read(result.outputs?.csv.sha256), json: result.outputs ? JSON.parse(read(result.outputs.json.sha256)) : undefined };
}

describe('ingest: encodings', () => {
  it('reads UTF-8, UTF-8 with BOM, UTF-16 LE and Windows-1258 to the same NFC text', async () => {
    const variants: [string, Buffer][] = [
      ['utf-8', Buffer.from(VI)],
      ['utf-8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VI)])],
      ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VI, 'utf16le')])],
      ['windows-1258', toWindows1258(VI)],
    ];
    const outputs = [];
    for (const [encoding, bytes] of variants) {
      const r = await ingest('xa.csv', bytes);
      expect(r.report.valid, encoding).toBe(true);
      expect(r.report.encoding).toBe(encoding);
      outputs.push(r.csv);
    }
    expect(new Set(outputs).size).toBe(1);
    expect(outputs[0]).toContain('Xã Đắk Đoa');
    expect(outputs[0]).toBe(outputs[0]!.normalize('NFC'));
    expect(outputs[0]!.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('keeps multi-byte characters intact across 64 KB read chunks', async () => {
    const rows = ['Tên,Ghi chú'];
    for (let i = 0; i < 6000; i++) rows.push(`Đường ${i},"Nguyễn Thị Hồng Nhung — ữ ẫ ặ"`);
    const r = await ingest('dai.csv', rows.join('\n'));
    expect(r.report.rowCount).toBe(6000);
    expect(r.csv).not.toContain('\uFFFD');
  });
});

describe('ingest: Vietnamese formats and types', () => {
  it('infers dd/mm/yyyy dates, 1.234,5 numbers, có/không booleans and keeps codes as text', async () => {
    const r = await ingest('xa.csv', VI);
    const types = Object.fromEntries(r.report.fields.map((f) => [f.name, f.type]));
    expect(types).toEqual({ 'Mã xã': 'string', 'Tên đơn vị': 'string', 'Ngày thành lập': 'date', 'Dân số': 'integer', 'Diện tích (km²)': 'number', 'Đô thị': 'boolean' });
    expect(r.json[0]).toEqual({ 'Mã xã': '21553', 'Tên đơn vị': 'Phường Quy Nhơn Bắc', 'Ngày thành lập': '2025-07-01', 'Dân số': 120345, 'Diện tích (km²)': 45.67, 'Đô thị': true });
    expect(r.csv.split('\r\n')[2]).toBe('21583,Xã Đắk Đoa,2025-07-01,35012,312.05,false');
  });

  it('detects ; and tab delimiters and leading-zero codes', async () => {
    const semi = await ingest('a.csv', 'Mã;Tên\n01;Hà Nội\n04;Cao Bằng\n');
    expect(semi.report.dialect?.delimiter).toBe(';');
    expect(semi.json).toEqual([{ 'Mã': '01', 'Tên': 'Hà Nội' }, { 'Mã': '04', 'Tên': 'Cao Bằng' }]);
    const tsv = await ingest('a.tsv', 'a\tb\n1\t2\n');
    expect(tsv.json).toEqual([{ a: 1, b: 2 }]);
  });

  it('neutralises spreadsheet formulas in the published CSV but keeps the value in JSON', async () => {
    const r = await ingest('f.csv', 'Tên,Ghi chú\nA,"=HYPERLINK(""http://x"")"\nB,@SUM(1)\n');
    expect(r.csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(r.csv).toContain(`'@SUM(1)`);
    expect(r.json[0]['Ghi chú']).toBe('=HYPERLINK("http://x")');
  });
});

describe('ingest: types inferred from the whole table', () => {
  it('rewrites the outputs when rows after the first thousand widen a type (integer → number, empty → integer)', async () => {
    const rows = ['Mã,Giá trị,Ghi chú,Số lượng'];
    for (let i = 1; i <= 1500; i++) rows.push(`${10000 + i},${i > 1400 ? `"${i},5"` : i},dòng ${i},${i > 1200 ? i : ''}`);
    const r = await ingest('rong.csv', rows.join('\n'));
    expect(r.report.valid).toBe(true);
    expect(Object.fromEntries(r.report.fields.map((f) => [f.name, f.type]))).toEqual({ 'Mã': 'string', 'Giá trị': 'number', 'Ghi chú': 'string', 'Số lượng': 'integer' });
    expect(r.json[0]).toEqual({ 'Mã': '10001', 'Giá trị': 1, 'Ghi chú': 'dòng 1', 'Số lượng': null });
    expect(r.json[1499]).toEqual({ 'Mã': '11500', 'Giá trị': 1500.5, 'Ghi chú': 'dòng 1500', 'Số lượng': 1500 });
    expect(r.csv.split('\r\n')[1500]).toBe('11500,1500.5,dòng 1500,1500');
  });
});

describe('ingest: spreadsheets and JSON', () => {
  it('reads an .xlsx whose table starts under a title row and ignores trailing empty rows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Dữ liệu');
    ws.addRow(['BÁO CÁO SỐ LIỆU ĐĂNG KÝ DOANH NGHIỆP']);
    ws.addRow([]);
    ws.addRow(['Năm', 'Quý', 'Số doanh nghiệp', 'Ngày báo cáo']);
    ws.addRow([2025, 1, 412, new Date(Date.UTC(2025, 3, 5))]);
    ws.addRow([2025, 2, 398, new Date(Date.UTC(2025, 6, 4))]);
    ws.addRow([]);
    ws.addRow([]);
    const r = await ingest('dn.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(r.report.valid).toBe(true);
    expect(r.report.headerRow).toBe(3);
    expect(r.report.rowCount).toBe(2);
    expect(r.json[1]).toEqual({ 'Năm': 2025, 'Quý': 2, 'Số doanh nghiệp': 398, 'Ngày báo cáo': '2025-07-04' });
  });

  it('reads a JSON array of objects', async () => {
    const r = await ingest('d.json', JSON.stringify([{ ten: 'Pleiku', so: 1 }, { ten: 'An Khê', so: 2, ghi_chu: 'mới' }]));
    expect(r.report.fields.map((f) => f.name)).toEqual(['ten', 'so', 'ghi_chu']);
    expect(r.json[0]).toEqual({ ten: 'Pleiku', so: 1, ghi_chu: null });
  });
});

describe('ingest: an upload the server received', () => {
  const received = (bytes: Buffer) => ({ sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length });

  it('moves a valid upload from the store\'s own folder into the store, as hashed on receipt, instead of copying it', async () => {
    const { store } = tempStore();
    const bytes = Buffer.from(VI);
    const upload = store.tempPath('.upload');
    fs.writeFileSync(upload, bytes);
    const inode = fs.statSync(upload).ino;
    const r = await ingestFile(upload, { store, originalName: 'don-vi.csv', received: received(bytes) });
    expect(r.report.valid).toBe(true);
    expect(r.outputs!.original.sha256).toBe(received(bytes).sha256);
    expect(fs.existsSync(upload)).toBe(false);
    const stored = store.pathOf(r.outputs!.original.sha256);
    expect(fs.statSync(stored).ino).toBe(inode);
    expect(fs.readFileSync(stored).equals(bytes)).toBe(true);
  });

  it('copies and hashes the file itself when it lies elsewhere or its size is not the one received, and leaves a rejected upload alone', async () => {
    const { store } = tempStore();
    const bytes = Buffer.from(VI);
    const outside = fixture('don-vi.csv', bytes);
    const a = await ingestFile(outside, { store, received: received(bytes) });
    expect(fs.existsSync(outside)).toBe(true);
    expect(fs.statSync(store.pathOf(a.outputs!.original.sha256)).ino).not.toBe(fs.statSync(outside).ino);
    const inside = store.tempPath('.upload');
    fs.writeFileSync(inside, bytes);
    const b = await ingestFile(inside, { store, originalName: 'don-vi.csv', received: { ...received(bytes), size: bytes.length + 1 } });
    expect(b.outputs!.original.sha256).toBe(received(bytes).sha256);
    expect(fs.existsSync(inside)).toBe(true);
    const bad = Buffer.from('Mã,Tên\r\n1,"Quy Nhơn\r\n');
    const rejected = store.tempPath('.upload');
    fs.writeFileSync(rejected, bad);
    const c = await ingestFile(rejected, { store, originalName: 'loi.csv', received: received(bad) });
    expect(c.report.valid).toBe(false);
    expect(fs.readFileSync(rejected).equals(bad)).toBe(true);
    expect(store.has(received(bad).sha256)).toBe(false);
  });
});

describe('ingest: bad input is reported, nothing is stored', () => {
  const cases: [string, string, string | Buffer, string][] = [
    ['empty file', 'a.csv', '', 'row-count'],
    ['header only', 'a.csv', 'Mã,Tên\n', 'row-count'],
    ['binary junk named .csv', 'a.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0]), 'format-error'],
    ['an .xlsx that is really HTML', 'bao-cao.xlsx', '<html><body><table><tr><td>1</td></tr></table></body></html>', 'format-error'],
    ['an unsupported extension', 'a.pdf', '%PDF-1.4', 'format-error'],
    ['a JSON object instead of an array', 'a.json', '{"a":1}', 'format-error'],
  ];
  for (const [what, name, content, code] of cases) {
    it(`${what} → ${code}`, async () => {
      const r = await ingest(name, content);
      expect(r.report.valid).toBe(false);
      expect(r.outputs).toBeUndefined();
      expect(r.report.errors[0]!.type).toBe(code);
      expect(r.report.errors[0]!.message).toMatch(/[ăâđêôơưáàảãạ]/i); // a Vietnamese sentence
      const stored = fs.existsSync(r.store.root) ? fs.readdirSync(r.store.root, { recursive: true }).filter((f) => fs.statSync(path.join(r.store.root, String(f))).isFile()) : [];
      expect(stored).toEqual([]);
      expect(fs.readdirSync(r.store.tmpDir)).toEqual([]);
    });
  }

  it('reports ragged rows, blank and duplicate labels with row and column', async () => {
    const r = await ingest('a.csv', 'Mã,Tên,,Tên\n1,A,x,y\n2,B\n3,C,x,y,z\n');
    expect(r.report.valid).toBe(false);
    const flat = r.report.errors.map((e) => [e.rowNumber, e.fieldNumber, e.type]);
    expect(flat).toEqual([[1, 3, 'blank-label'], [1, 4, 'duplicate-label'], [3, 3, 'missing-cell'], [4, 5, 'extra-cell']]);
    expect(r.report.errors[3]!.cell).toBe('z');
  });

  it('reports an unterminated quote where it opens', async () => {
    const r = await ingest('a.csv', 'Mã,Tên\n1,"Hà Nội\n2,Huế\n');
    expect(r.report.valid).toBe(false);
    expect(r.report.errors[0]).toMatchObject({ type: 'unclosed-quote', rowNumber: 2, fieldNumber: 2 });
  });
});
