import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config.ts';
import { openPortal } from '../portal.ts';
import { build, publish } from '../commands.ts';
import { principalOf } from '../auth/accounts.ts';
import { markServerBuildInUse } from '../publish/site-build.ts';
import { startServer } from '../http/server.ts';
import { simplePublisher } from '../publish/publisher.ts';
import { slugify } from '../contract/text.ts';
import { systemCaller, UploadedFile } from '../actions/index.ts';

const SUBJECTS = ['trường học', 'cơ sở y tế', 'doanh nghiệp đăng ký mới', 'dân số trung bình', 'hộ nghèo', 'chợ và siêu thị', 'điểm du lịch', 'nhà thuốc', 'giá đất ở', 'di tích lịch sử'];
const PLACES = ['Phường Quy Nhơn', 'Xã Đắk Đoa', 'Phường Pleiku', 'Xã Ia Ly', 'Xã Chư Sê', 'Phường An Nhơn', 'Xã Tây Sơn'];

/**
 * Time from "publish" (the upload API answering 201) to "visible" (the public page serving the new
 * version), on a catalogue of n datasets that went through the real ingest, on the embedded database.
 */
export async function benchPublish(n: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-publish-${n}-`));
  process.env.PORTAL_QUIET ??= '1';
  const portal = await openPortal({ ...loadConfig({ DATA_DIR: dataDir, PORT: '0' }), siteUrl: 'http://localhost' });
  const system = systemCaller('cli');
  await portal.actions.call('organization_create', system, { name: 'so-y-te', title: 'Sở Y tế' });
  const t0 = Date.now();
  const file = path.join(dataDir, 'seed.csv');
  for (let i = 0; i < n; i++) {
    const title = `Danh sách ${SUBJECTS[i % SUBJECTS.length]} ${PLACES[i % PLACES.length]} số ${i + 1}`;
    fs.writeFileSync(file, `Mã,Tên,Số lượng\n${i},${title},${i * 7}\n`);
    await portal.actions.call('package_create', system, {
      name: slugify(title), title, notes: `${title}: dữ liệu tổng hợp theo quý.`, owner_org: 'so-y-te', tags: ['y tế'], sample: true,
      upload: new UploadedFile(file, 'du-lieu.csv'), resource_name: 'du-lieu', resource_title: 'Dữ liệu', note: 'Công bố lần đầu',
    });
    if ((i + 1) % 200 === 0) process.stdout.write(`  nạp ${i + 1}/${n} bộ dữ liệu (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  await publish(portal);
  const first = await build(portal);
  process.stdout.write(`  bản dựng đầu: ${first.pages} trang, ${(first.ms / 1000).toFixed(1)} s\n`);
  markServerBuildInUse(first.serverEntry);
  const handler = (await import(pathToFileURL(first.serverEntry).href)).handler;
  const publisher = simplePublisher(async () => { await publish(portal); await build(portal); });
  portal.onChanged((reasons) => publisher.request(reasons.join(', ')));
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, portal: { actions: portal.actions, db: portal.database.db, store: portal.store, publisher }, astroHandler: handler, cookieSecure: false });
  const account = await portal.actions.call('user_create', system, { name: 'bench.admin', fullname: 'Bench', password: 'mat-khau-do-hieu-nang', sysadmin: true });
  const { token } = await portal.actions.call('api_token_create', { user: await principalOf(portal.database.db, account.id) }, { name: 'bench' });

  const slug = slugify(`Danh sách ${SUBJECTS[0]} ${PLACES[0]} số 1`);
  const note = `Cập nhật đo thời gian ${Date.now()}`;
  const fd = new FormData();
  fd.append('note', note);
  fd.append('file', new Blob([`Mã,Tên,Số lượng\n0,Cập nhật,${Date.now() % 1000}\n`]), 'cap-nhat.csv');
  const start = Date.now();
  const res = await fetch(`${server.url}/api/datasets/${slug}/versions`, { method: 'POST', body: fd, headers: { authorization: token } });
  const answered = Date.now();
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  let visible = 0;
  while (!visible) {
    const page = await fetch(`${server.url}/dataset/${slug}/`);
    if ((await page.text()).includes(note)) visible = Date.now();
    else await new Promise((r) => setTimeout(r, 100));
  }
  await publisher.idle();
  process.stdout.write([
    `\n=== Công bố → hiển thị trên trang công khai, ${n.toLocaleString('vi-VN')} bộ dữ liệu (PGlite) ===`,
    `API trả lời 201 sau          ${(answered - start).toLocaleString('vi-VN')} ms (kiểm tra + lưu phiên bản)`,
    `trang công khai hiển thị sau  ${((visible - start) / 1000).toFixed(1)} s (ảnh chụp công bố + dựng lại toàn bộ trang + chuyển đổi)`,
    `số trang của bản dựng         ${first.pages.toLocaleString('vi-VN')}`,
    '',
  ].join('\n'));
  await server.close();
  await portal.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
