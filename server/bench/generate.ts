import fs from 'node:fs';
import { once } from 'node:events';

const GIVEN = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const NAMES = ['Văn An', 'Thị Bích', 'Minh Châu', 'Quốc Dũng', 'Thị Hằng', 'Đức Huy', 'Thanh Hương', 'Văn Khoa', 'Ngọc Lan', 'Hữu Nghĩa'];
const PLACES = ['Phường Quy Nhơn Bắc', 'Xã Đắk Đoa', 'Phường Pleiku', 'Xã Ia Ly', 'Xã Chư Sê', 'Phường An Nhơn', 'Xã Tây Sơn', 'Phường Hoài Nhơn'];
const NOTES = [
  'Hồ sơ đã được tiếp nhận và chuyển phòng chuyên môn xử lý theo quy định',
  'Đề nghị bổ sung giấy tờ: "bản sao chứng thực", giấy xác nhận cư trú',
  'Đã giải quyết đúng hạn; trả kết quả qua dịch vụ bưu chính công ích',
  'Đang chờ ý kiến của các sở, ngành liên quan, dự kiến hoàn thành trong quý',
];

/** A realistic Vietnamese CSV of about `targetBytes`: quoted fields, "" escapes, embedded newlines, mixed types. */
export async function generateCsv(file: string, targetBytes: number): Promise<{ rows: number; bytes: number }> {
  const out = fs.createWriteStream(file);
  out.write('Mã hồ sơ,Mã xã,Họ và tên,Địa chỉ,Ngày tiếp nhận,Số tiền (đồng),Tỷ lệ hoàn thành,Đúng hạn,Ghi chú\r\n');
  let bytes = 0;
  let rows = 0;
  let seed = 42;
  // the low bits of this generator repeat with a short period: use the high ones
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
  while (bytes < targetBytes) {
    let chunk = '';
    for (let i = 0; i < 1000; i++) {
      rows++;
      const note = NOTES[rnd(NOTES.length)]!.replace(/"/g, '""');
      const longNote = `${note}. ${NOTES[rnd(NOTES.length)]!.replace(/"/g, '""')}${rnd(200) === 0 ? '\n(ghi chú thêm dòng thứ hai)' : ''}. Cán bộ thụ lý: ${GIVEN[rnd(15)]} ${NAMES[rnd(10)]}.`;
      const money = (rnd(900_000_000) + 100_000).toLocaleString('vi-VN') + ',' + String(rnd(100)).padStart(2, '0');
      chunk += `HS${String(rows).padStart(9, '0')},${String(21000 + rnd(900)).padStart(5, '0')},${GIVEN[rnd(15)]} ${NAMES[rnd(10)]},"${rnd(200) + 1} đường Trần Hưng Đạo, ${PLACES[rnd(8)]}",${String(rnd(28) + 1).padStart(2, '0')}/${String(rnd(12) + 1).padStart(2, '0')}/${2020 + rnd(6)},"${money}","${rnd(100)},${rnd(10)}",${rnd(3) ? 'có' : 'không'},"${longNote}"\r\n`;
    }
    const buf = Buffer.from(chunk);
    bytes += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return { rows, bytes: bytes };
}
