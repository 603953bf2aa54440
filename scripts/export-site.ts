// npm run export-site -- <folder> — the public site as one plain folder (hard links where it can),
// for any static host: the full build and the layers publishes added above it, resolved.
import path from 'node:path';
import fs from 'node:fs';
import { loadConfig } from '../server/config.ts';
import { currentView, exportView } from '../server/publish/site-view.ts';
import { log } from '../server/log.ts';

const out = process.argv[2];
if (!out) {
  console.error('Cách dùng: npm run export-site -- <thư mục đích> (thư mục chưa có hoặc rỗng)');
  process.exit(2);
}
const target = path.resolve(out);
if (fs.existsSync(target) && fs.readdirSync(target).length) {
  console.error(`Thư mục đích không rỗng: ${target}`);
  process.exit(2);
}
const view = currentView(path.join(loadConfig().dataDir, 'site'));
if (!view) {
  console.error('Chưa có trang nào được dựng (chạy npm start hoặc npm run build:site trước).');
  process.exit(1);
}
const t0 = Date.now();
const n = exportView(view, target, (done) => log('export', `${done} tệp…`));
log('export', `xong: ${n} tệp (bản dựng đầy đủ và ${view.layers.length} lớp cập nhật) → ${target} sau ${((Date.now() - t0) / 1000).toFixed(1)} s`);
