import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { ingestFile, type IngestProgress, type TableSchema } from '../server/ingest/index.ts';
import { formatReport } from '../server/ingest/report.ts';
import { fixture, tempDir, tempStore } from './helpers/fixtures.ts';
import { toWindows1258 } from './helpers/encode.ts';
import { makeZip } from './helpers/zip.ts';

async function ingest(name: string, content: string | Buffer, extra: Partial<Parameters<typeof ingestFile>[1]> = {}) {
  const { store } = tempStore();
  const filePath = fixture(path.basename(name.replace(/[\u0000-\u001f]/g, '')) || 'f.csv', content);
  const result = await ingestFile(filePath, { store, originalName: name, ...extra });
  const read = (sha?: string) => (sha ? fs.readFileSync(store.pathOf(sha), 'utf8') : '');
  const storedFiles = () => (fs.existsSync(store.root) ? fs.readdirSync(store.root, { recursive: true }).filter((f) => fs.statSync(path.join(store.root, String(f))).isFile()) : []);
  return { ...result, store, storedFiles, csv: read(result.outputs?.csv.sha256), json: result.outputs ? JSON.parse(read(result.outputs.json.sha256)) : undefined };
}

const errorTypes = (r: { report: { errors: { type: string }[] } }) => r.report.errors.map((e) => e.type);

describe('declared encodings and legacy Vietnamese encodings', () => {
  it('refuses a Windows-1258 file declared as UTF-8, saying what it looks like', async () => {
    const r = await ingest('a.csv', toWindows1258('Tên,Xã\nTrường THPT Lê Quý Đôn,Xã Đắk Đoa\n'), { encoding: 'utf-8' });
    expect(errorTypes(r)).toEqual(['encoding-error']);
    expect(r.report.errors[0]!.message).toContain('windows-1258');
  });

  it('decodes TCVN3 (ABC) bytes with a warning', async () => {
    const r = await ingest('a.csv', iconv.encode('tên trường,xã\ntrường thpt lê quý đôn,xã đắk đoa\ntrường thpt nguyễn huệ,phường quy nhơn\n', 'tcvn'));
    expect(r.report.valid).toBe(true);
    expect(r.report.encoding).toBe('tcvn3');
    expect(r.json[0]).toEqual({ 'tên trường': 'trường thpt lê quý đôn', 'xã': 'xã đắk đoa' });
    expect(r.report.warnings.map((w) => w.message).join()).toContain('TCVN3');
  });

  it('warns about TCVN3 text that was saved as UTF-8 (mojibake)', async () => {
    const mojibake = iconv.decode(iconv.encode('cộng hòa xã hội chủ nghĩa việt nam,trường học,đường phố\n', 'tcvn'), 'windows-1252');
    const r = await ingest('a.csv', `a,b,c\n${mojibake}`);
    expect(r.report.encoding).toBe('utf-8');
    expect(r.report.warnings.map((w) => w.message).join()).toContain('TCVN3');
  });

  it('reads Western Windows-1252 text as such', async () => {
    const r = await ingest('a.csv', iconv.encode('Name,City\nJosé,Zürich\nRenée,Besançon\n', 'windows-1252'));
    expect(r.report.encoding).toBe('windows-1252');
    expect(r.json[1]).toEqual({ Name: 'Renée', City: 'Besançon' });
  });

  it('reports the row and column of invalid UTF-8 bytes later in a UTF-8 file', async () => {
    const good = 'Tên,Ghi chú\n' + 'Hà Nội,ổn định\n'.repeat(5000);
    const r = await ingest('a.csv', Buffer.concat([Buffer.from(good), Buffer.from('Huế,'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\n')]));
    expect(errorTypes(r)).toEqual(['encoding-error']);
    expect(r.report.errors[0]).toMatchObject({ rowNumber: 5002, fieldNumber: 2 });
  });
});

describe('hostile and broken files', () => {
  it('refuses 50,000 columns', async () => {
    const header = Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(',');
    const r = await ingest('wide.csv', `${header}\n${'1,'.repeat(49_999)}1\n`);
    expect(errorTypes(r)).toEqual(['field-count']);
  });

  it('refuses a single 100 MB line without holding it in memory', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'one-line.csv');
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const fd = fs.openSync(file, 'w');
    for (let i = 0; i < 100; i++) fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const { store } = tempStore();
    const before = process.memoryUsage().rss;
    const r = await ingestFile(file, { store });
    expect(r.report.valid).toBe(false);
    expect(r.report.errors[0]!.type).toBe('source-error');
    expect(r.report.errors[0]!.message).toContain('dòng dài hơn');
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
  });

  it('takes a file whose lines end in \\r alone (old Mac exports) past the long-line limit as a table of short lines', async () => {
    // over 16 million characters in all, so the whole file is longer than the longest line allowed
    const dir = tempDir();
    const file = path.join(dir, 'mac.csv');
    const rows = ['Stt,Trạm,Lượng mưa'];
    for (let i = 1; i <= 1_000_000; i++) rows.push(`${i},Quy Nhơn,${i % 97}`);
    fs.writeFileSync(file, rows.join('\r') + '\r');
    const { store } = tempStore();
    const r = await ingestFile(file, { store });
    expect(r.report.errors).toEqual([]);
    expect(r.report.valid).toBe(true);
    expect(r.report.dialect?.lineTerminator).toBe('\r');
    expect(r.report.rowCount).toBe(1_000_000);
  });

  it('refuses a zip bomb named .xlsx before inflating it', async () => {
    const bomb = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook><sheets><sheet name="A" sheetId="1"/></sheets></workbook>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(1024 * 1024), declaredSize: 3_900_000_000 },
    ]);
    const r = await ingest('bom.xlsx', bomb);
    expect(errorTypes(r)).toEqual(['compression-error']);
  });

  it('refuses a zip that is not a workbook, and a truncated one', async () => {
    expect(errorTypes(await ingest('a.xlsx', makeZip([{ name: 'hello.txt', data: Buffer.from('xin chào') }])))).toEqual(['format-error']);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('A').addRow(['a']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    expect(errorTypes(await ingest('b.xlsx', buf.subarray(0, buf.length >> 1)))).toEqual(['format-error']);
  });

  it('keeps a file name with ../ and control characters out of the filesystem', async () => {
    const r = await ingest('../../etc/x\u0007\u0000.csv', 'Mã,Tên\n1,A\n');
    expect(r.report.valid).toBe(true);
    expect(r.report.fileName).toBe('x.csv');
    for (const f of r.storedFiles()) expect(path.basename(String(f))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves nothing behind when the ingest is stopped midway (crash, disk full)', async () => {
    const rows = ['Mã,Tên,Số'];
    for (let i = 0; i < 60_000; i++) rows.push(`${i},Xã ${i},${i * 3}`);
    const controller = new AbortController();
    let seenRows = 0;
    const progress: IngestProgress = {
      phase: '', bytes: 0, totalBytes: 0,
      get rows() { return seenRows; },
      set rows(n: number) { seenRows = n; if (n >= 20_000) controller.abort(); },
    };
    const r = await ingest('big.csv', rows.join('\n'), { signal: controller.signal, progress });
    expect(r.report.valid).toBe(false);
    expect(r.report.errors[0]!.message).toContain('dừng giữa chừng');
    expect(r.storedFiles()).toEqual([]);
    expect(fs.readdirSync(r.store.tmpDir)).toEqual([]);
  });
});

describe('spreadsheets as units make them', () => {
  it('lists every sheet and reads the chosen one', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Hướng dẫn').addRow(['Đọc kỹ trước khi nhập']);
    const data = wb.addWorksheet('Số liệu 2025');
    data.addRow(['Quý', 'Giá trị']);
    data.addRow([1, 10]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await ingest('a.xlsx', buf, { sheetName: 'Số liệu 2025' });
    expect(r.report.sheets).toEqual(['Hướng dẫn', 'Số liệu 2025']);
    expect(r.report.sheet).toBe('Số liệu 2025');
    expect(r.outputs, JSON.stringify(r.report.errors)).toBeDefined(); // once seen failing in a full run: say why
    expect(r.json).toEqual([{ 'Quý': 1, 'Giá trị': 10 }]);
    const missing = await ingest('a.xlsx', buf, { sheetName: 'Không có' });
    expect(missing.report.errors[0]!.message).toContain('Hướng dẫn, Số liệu 2025');
  });

  it('joins a two-row header under merged cells', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('A');
    ws.addRow(['Xã', 'Dân số', null, 'Ghi chú']);
    ws.addRow([null, 'Nam', 'Nữ', null]);
    ws.mergeCells('B1:C1');
    ws.addRow(['Xã Ia Ly', 5120, 5230, '']);
    const r = await ingest('a.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(r.report.fields.map((f) => f.name)).toEqual(['Xã', 'Dân số - Nam', 'Dân số - Nữ', 'Ghi chú']);
    expect(r.json[0]).toMatchObject({ 'Dân số - Nam': 5120, 'Dân số - Nữ': 5230 });
  });

  it('reads NDJSON', async () => {
    const r = await ingest('a.ndjson', '{"ma":"01","ten":"Hà Nội"}\n\n{"ma":"04","ten":"Cao Bằng"}\n');
    expect(r.json).toEqual([{ ma: '01', ten: 'Hà Nội' }, { ma: '04', ten: 'Cao Bằng' }]);
  });
});

describe('a declared Table Schema', () => {
  const schema: TableSchema = {
    fields: [
      { name: 'Mã', type: 'string', constraints: { required: true, pattern: '[0-9]{5}' } },
      { name: 'Tên', type: 'string', constraints: { required: true, unique: true } },
      { name: 'Loại', type: 'string', constraints: { enum: ['Xã', 'Phường'] } },
      { name: 'Dân số', type: 'integer', groupChar: '.', constraints: { minimum: 0, maximum: 1_000_000 } },
      { name: 'Ngày', type: 'date', format: '%d/%m/%Y' },
    ],
    primaryKey: ['Mã'],
  };

  it('casts and checks every cell, naming row, column and value', async () => {
    const csv = [
      'Mã,Tên,Loại,Dân số,Ngày',
      '21553,Phường Quy Nhơn Bắc,Phường,"120.345",01/07/2025',
      '21553,Xã Ia Ly,Xã,"5.000",01/07/2025', // duplicate primary key
      '2158,Xã Ia Ly,Thị trấn,-5,31/02/2025', // pattern, unique, enum, minimum, bad date
      ',Xã Chư Sê,Xã,nhiều,01/07/2025', // required (and PK), type
    ].join('\n');
    const r = await ingest('a.csv', csv, { schema });
    expect(r.report.valid).toBe(false);
    expect(r.report.errors.map((e) => [e.rowNumber, e.fieldNumber ?? null, e.type])).toEqual([
      [3, null, 'primary-key'],
      [4, 1, 'constraint-error'],
      [4, 2, 'unique-error'],
      [4, 3, 'constraint-error'],
      [4, 4, 'constraint-error'],
      [4, 5, 'type-error'],
      [5, 1, 'constraint-error'],
      [5, 4, 'type-error'],
    ]);
    expect(r.report.errors[5]!.cell).toBe('31/02/2025');
    expect(r.outputs).toBeUndefined();
    const text = formatReport(r.report);
    expect(text).toContain('KHÔNG HỢP LỆ — 8 lỗi');
    expect(text).toContain('hàng 4, cột "Loại": "Thị trấn" vi phạm một trong các giá trị (Xã, Phường)');
  });

  it('reports header labels that do not match the schema', async () => {
    const r = await ingest('a.csv', 'Mã,Tên đơn vị,Loại,Dân số\n21553,A,Xã,1\n', { schema });
    expect(r.report.errors.map((e) => [e.fieldNumber, e.type])).toEqual([[2, 'incorrect-label'], [5, 'missing-label']]);
  });

  it('refuses a schema that is itself invalid', async () => {
    const r = await ingest('a.csv', 'a\n1\n', { schema: { fields: [{ name: 'a', type: 'số' as never }], primaryKey: ['b'] } });
    expect(errorTypes(r)).toEqual(['schema-error']);
  });

  it('matches frictionless-py on its invalid.csv golden case', async () => {
    // frictionless/resource/__spec__/test_validate.py, data/invalid.csv
    const invalid = 'id,name,,name\n1,english\n1,english\n\n2,german,1,2,3\n';
    const r = await ingest('invalid.csv', invalid);
    const flat = [...r.report.errors, ...r.report.warnings].map((e) => [e.rowNumber ?? null, e.fieldNumber ?? null, e.type]);
    expect(flat).toEqual(expect.arrayContaining([[1, 3, 'blank-label'], [1, 4, 'duplicate-label'], [2, 3, 'missing-cell'], [3, 3, 'missing-cell'], [4, null, 'blank-row'], [5, 5, 'extra-cell']]));
  });

  it('keeps at most 100 errors of a kind and counts the rest', async () => {
    const rows = ['Mã,Tên,Loại,Dân số,Ngày'];
    for (let i = 0; i < 500; i++) rows.push(`${10000 + i},X${i},Xã,abc,01/01/2025`);
    const r = await ingest('a.csv', rows.join('\n'), { schema });
    expect(r.report.errors).toHaveLength(100);
    expect(r.report.errorCount).toBe(500);
    expect(r.report.countsByType['type-error']).toBe(500);
    expect(formatReport(r.report)).toContain('… và 400 lỗi khác');
  });
});

describe('what a spreadsheet or a JSON file holds, published as the unit sees it (found by fuzzing, 30 Nov)', () => {
  const VI_TEXT = 'Mã cơ sở,Tên cơ sở,Địa chỉ\nYT0001,Trung tâm y tế Chư Sê,Xã Chư Sê\nYT0002,Trạm y tế Ia Boòng,Xã Ia Boòng\n';

  it('refuses a malformed JSON file with a report, and the process goes on', async () => {
    const rows = '[{"a":1},{"a":2}';
    for (const text of [`${rows},]`, `${rows}`, `${rows}]x`, `${rows}][{"a":3}]`, '{"a":1}\n{"a":2}\n', `[{"a":1,}]`]) {
      const r = await ingest('a.json', text);
      expect(r.report.valid, text).toBe(false);
      expect(errorTypes(r), text).toEqual(['format-error']);
    }
  });

  it('keeps JSON numbers as written: three decimals, beyond 2^53, and refuses a key given twice', async () => {
    const r = await ingest('a.json', '[{"ten":"a","km":1.234,"so":12345678901234567890},{"ten":"b","km":12.345,"so":9007199254740993}]');
    expect(r.json).toEqual([{ ten: 'a', km: 1.234, so: '12345678901234567890' }, { ten: 'b', km: 12.345, so: '9007199254740993' }]);
    // an exponent is written out when a double holds the number (15 significant digits), else kept as text
    const forms = await ingest('a.json', '[{"v":1E2,"w":1.5e400,"x":1E-400},{"v":2,"w":1,"x":1}]');
    expect(forms.json).toEqual([{ v: 100, w: '1.5e400', x: '1E-400' }, { v: 2, w: '1', x: '1' }]);
    const nd = await ingest('a.ndjson', '{"km":1.234,"so":12345678901234567890}\n{"km":3.125,"so":1}\n');
    expect(nd.json).toEqual([{ km: 1.234, so: '12345678901234567890' }, { km: 3.125, so: '1' }]);
    const twice = await ingest('a.json', '[{"a":1,"b":2},{"a":1,"b":2,"a":3}]');
    expect(errorTypes(twice)).toEqual(['duplicate-key']);
    expect(twice.report.errors[0]!.message).toContain('phần tử thứ 2');
  });

  it('reads spreadsheet numbers, times and formulas as Excel shows them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('A');
    ws.addRow(['Tuyến', 'Chiều dài (km)', 'Giá trị', 'Giờ mở tuyến']);
    ws.addRow(['T1', 1.234, 0.1 + 0.2, new Date(Date.UTC(1899, 11, 30, 5, 30))]);
    ws.addRow(['T2', 12.345, 1e-7, new Date(Date.UTC(1899, 11, 30, 19, 0))]);
    ws.getColumn(4).numFmt = 'hh:mm';
    const r = await ingest('a.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(r.json).toEqual([
      { 'Tuyến': 'T1', 'Chiều dài (km)': 1.234, 'Giá trị': 0.3, 'Giờ mở tuyến': '05:30:00' },
      { 'Tuyến': 'T2', 'Chiều dài (km)': 12.345, 'Giá trị': 1e-7, 'Giờ mở tuyến': '19:00:00' },
    ]);
  });

  it('refuses an error value, a formula never calculated, and names a stray cell by its own column', async () => {
    const book = async (fill: (ws: ExcelJS.Worksheet) => void) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('A');
      ws.addRow(['Tên', 'Số', 'Ghi chú']);
      ws.addRow(['a', 1, 'x']);
      fill(ws);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const na = await ingest('a.xlsx', await book((ws) => ws.addRow(['b', { error: '#N/A' }, 'y'])));
    expect(na.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber])).toEqual([['formula-error', 3, 2]]);
    expect(na.report.errors[0]!.message).toContain('#N/A');
    const uncalculated = await ingest('a.xlsx', await book((ws) => ws.addRow(['b', { formula: 'B2*2' }, 'y'])));
    expect(uncalculated.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber])).toEqual([['formula-error', 3, 2]]);
    const far = await ingest('a.xlsx', await book((ws) => { ws.addRow(['b', 2, 'y']); ws.getCell('Z3').value = 'lạc'; }));
    expect(far.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber])).toEqual([['extra-cell', 3, 26]]);
  });

  it('refuses what Excel hides from the unit: a hidden row or column with data; a hidden sheet is not read', async () => {
    const book = async (fill: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void) => {
      const wb = new ExcelJS.Workbook();
      const lookup = wb.addWorksheet('Tra cứu');
      lookup.state = 'hidden';
      lookup.addRows([['Mã', 'Tên'], ['01', 'Hà Nội']]);
      const ws = wb.addWorksheet('Dữ liệu');
      ws.addRows([['Tên', 'Ghi chú nội bộ', 'Số'], ['a', '', 1], ['b', '', 2], ['c', '', 3]]);
      fill(ws, wb);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    // an empty hidden column is nothing to publish, and the hidden lookup sheet is passed over
    const fine = await ingest('a.xlsx', await book((ws) => { ws.getColumn(4).hidden = true; }));
    expect(fine.report.sheet).toBe('Dữ liệu');
    expect(fine.json).toEqual([{ 'Tên': 'a', 'Ghi chú nội bộ': null, 'Số': 1 }, { 'Tên': 'b', 'Ghi chú nội bộ': null, 'Số': 2 }, { 'Tên': 'c', 'Ghi chú nội bộ': null, 'Số': 3 }]);
    const column = await ingest('a.xlsx', await book((ws) => { ws.getColumn(2).hidden = true; ws.getCell('B3').value = 'số CCCD 0123'; }));
    expect(column.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber])).toEqual([['hidden-data', 1, 2]]);
    expect(column.report.errors[0]!.message).toContain('cột 2 đang bị ẩn');
    const row = await ingest('a.xlsx', await book((ws) => { ws.getRow(3).hidden = true; }));
    expect(row.report.errors.map((e) => [e.type, e.rowNumber, e.fieldNumber])).toEqual([['hidden-data', 3, 1]]);
  });

  it('joins a two-row header whose merged heading ends the row (no cell is written under a merge)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('A');
    ws.getCell('A1').value = 'STT';
    ws.getCell('B1').value = 'Quý';
    ws.getCell('C1').value = 'Hồ sơ';
    ws.mergeCells('C1:D1');
    ws.mergeCells('A1:A2');
    ws.mergeCells('B1:B2');
    ws.getCell('C2').value = 'Tiếp nhận';
    ws.getCell('D2').value = 'Trực tuyến';
    ws.addRow([1, 'Q1/2025', 67415, 41686]);
    const r = await ingest('a.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(r.report.errors).toEqual([]);
    expect(r.json).toEqual([{ STT: 1, 'Quý': 'Q1/2025', 'Hồ sơ - Tiếp nhận': 67415, 'Hồ sơ - Trực tuyến': 41686 }]);
  });

  it('names the sheet it read: the first with rows, after an empty cover sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Trống');
    wb.addWorksheet('Dữ liệu').addRows([['a', 'b'], [1, 2]]);
    const r = await ingest('a.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(r.json).toEqual([{ a: 1, b: 2 }]);
    expect(r.report.sheet).toBe('Dữ liệu');
  });

  it('refuses a declared code page the bytes contradict, instead of publishing mojibake', async () => {
    const utf8 = await ingest('a.csv', VI_TEXT, { encoding: 'windows-1258' });
    expect(errorTypes(utf8)).toEqual(['encoding-error']);
    expect(utf8.report.errors[0]!.message).toContain('UTF-8');
    const cp1258 = toWindows1258(VI_TEXT);
    const as1252 = await ingest('a.csv', cp1258, { encoding: 'windows-1252' });
    expect(errorTypes(as1252)).toEqual(['encoding-error']);
    expect(as1252.report.errors[0]!.message).toContain('windows-1258');
    const right = await ingest('a.csv', cp1258, { encoding: 'windows-1258' });
    expect(right.report.valid).toBe(true);
    expect(right.json[1]).toEqual({ 'Mã cơ sở': 'YT0002', 'Tên cơ sở': 'Trạm y tế Ia Boòng', 'Địa chỉ': 'Xã Ia Boòng' });
  });
});
