import type { IngestReport } from './index.ts';

const TYPE_VI: Record<string, string> = {
  string: 'văn bản', integer: 'số nguyên', number: 'số', boolean: 'có/không', date: 'ngày', datetime: 'ngày giờ', year: 'năm',
};
const DELIMITER_VI: Record<string, string> = { ',': 'dấu phẩy', ';': 'dấu chấm phẩy', '\t': 'tab', '|': 'gạch đứng', ' ': 'dấu cách' };

const n = (x: number) => x.toLocaleString('vi-VN');

function size(bytes: number): string {
  if (bytes < 1024) return `${n(bytes)} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} KB`;
  return `${(bytes / 1024 ** 2).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB`;
}

/** The validation report as readable Vietnamese text, for the command line and e-mails. */
export function formatReport(r: IngestReport): string {
  const lines: string[] = [];
  const facts = [size(r.bytes), r.format, r.encoding && `bảng mã ${r.encoding}`, r.dialect && `phân cách bằng ${DELIMITER_VI[r.dialect.delimiter] ?? r.dialect.delimiter}`, r.sheet && `trang tính "${r.sheet}"`].filter(Boolean);
  lines.push(`Tệp: ${r.fileName} (${facts.join(', ')})`);
  lines.push(`Kết quả: ${r.valid ? 'HỢP LỆ' : 'KHÔNG HỢP LỆ'} — ${n(r.errorCount)} lỗi, ${n(r.warningCount)} cảnh báo`);
  if (r.sheets && r.sheets.length > 1) lines.push(`Các trang tính: ${r.sheets.join(', ')}`);
  const schemaNote = `lược đồ ${r.schemaSource === 'declared' ? 'được áp dụng' : 'suy ra từ dữ liệu'}`;
  if (r.headerRow) lines.push(`Hàng tiêu đề: ${r.headerRow}; ${n(r.rowCount)} hàng dữ liệu; ${r.fields.length} cột (${schemaNote})`);
  else if (r.fields.length && r.rowCount) lines.push(`Không có hàng tiêu đề; ${n(r.rowCount)} hàng dữ liệu; ${r.fields.length} cột (${schemaNote})`);
  if (r.fields.length) lines.push(`Các cột: ${r.fields.map((f) => `${f.name} (${TYPE_VI[f.type] ?? f.type})`).join('; ')}`);
  if (r.errors.length) {
    lines.push('Lỗi:');
    for (const e of r.errors) lines.push(`  [${e.type}] ${e.message}`);
    if (r.errorCount > r.errors.length) {
      const byType = Object.entries(r.countsByType).map(([t, c]) => `${t}: ${n(c)}`).join(', ');
      lines.push(`  … và ${n(r.errorCount - r.errors.length)} lỗi khác (theo loại: ${byType})`);
    }
  }
  if (r.warnings.length) {
    lines.push('Cảnh báo:');
    for (const w of r.warnings) lines.push(`  [${w.type}] ${w.message}`);
    if (r.warningCount > r.warnings.length) lines.push(`  … và ${n(r.warningCount - r.warnings.length)} cảnh báo khác`);
  }
  return lines.join('\n');
}
