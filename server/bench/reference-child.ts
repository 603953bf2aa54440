// The reference the build-time target is set against (shared/reference/site-anchors.md): a bare Astro
// build of one small page per dataset from one JSON file, on this machine, in its own process.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'astro';

const [root, n] = [process.argv[2]!, Number(process.argv[3])];
fs.cpSync(path.join(import.meta.dirname, 'astro-reference'), root, { recursive: true });
// the project's own Astro, found from the copy as from the project
fs.symlinkSync(path.resolve(import.meta.dirname, '..', '..', 'node_modules'), path.join(root, 'node_modules'), 'dir');
const datasets = Array.from({ length: n }, (_, i) => ({
  id: `bo-du-lieu-${i}`,
  title: `Danh sách cơ sở giáo dục năm học ${i}`,
  description: 'Dữ liệu mở của tỉnh về số lượng học sinh, giáo viên và phòng học, cập nhật hằng quý theo quy định. '.repeat(3),
  org: 'Sở Giáo dục và Đào tạo',
}));
fs.mkdirSync(path.join(root, 'src', 'data'), { recursive: true });
fs.writeFileSync(path.join(root, 'src', 'data', 'datasets.json'), JSON.stringify(datasets));
const started = performance.now();
await build({ root, cacheDir: path.join(root, '.cache'), logLevel: 'error', output: 'static', integrations: [] });
console.log(JSON.stringify({ ms: performance.now() - started, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
