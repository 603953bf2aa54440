import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { cspViolations, watched, watchedContext } from './helpers/csp.ts';
import { loadConfig } from '../server/config.ts';
import { openPortal, type Portal } from '../server/portal.ts';
import { build, ensureAdmin, publish, seed } from '../server/commands.ts';
import { markServerBuildInUse } from '../server/publish/site-build.ts';
import { startServer, type RunningServer } from '../server/http/server.ts';
import { simplePublisher, type Publisher } from '../server/publish/publisher.ts';
import { schema } from '../server/db/index.ts';
import { addMonths, localDate } from '../server/freshness/due.ts';
import { formatDateVi } from '../server/freshness/labels.ts';
import { runFreshnessCheck } from '../server/freshness/check.ts';
import { toWindows1258 } from './helpers/encode.ts';
import { fixture, tempDir } from './helpers/fixtures.ts';

const POLL = { timeout: 10_000, interval: 50 };
const ADMIN_PASSWORD = 'quan-tri-cong-du-lieu-2026';

/**
 * The workspace as its users meet it, in Chromium, on the embedded database: the admin creates a
 * unit editor; the editor uploads a Windows-1258 CSV with one bad row, reads the Vietnamese error,
 * fixes it, publishes, and the rebuilt public site shows the new version and due date.
 */
describe('units\u2019 workspace end to end', () => {
  let portal: Portal;
  let server: RunningServer;
  let browser: Browser;
  let publisher: Publisher;

  beforeAll(async () => {
    const dataDir = tempDir('portal-ws-e2e-');
    portal = await openPortal({ ...loadConfig({ DATA_DIR: dataDir, ADMIN_PASSWORD }), siteUrl: 'http://localhost' });
    await seed(portal);
    await ensureAdmin(portal);
    // the health facilities were last updated on 01/09/2026 (before this test): due 01/12/2026
    await portal.database.db.update(schema.datasets).set({ lastUpdatedAt: new Date('2026-09-01T03:00:00Z') }).where(eq(schema.datasets.slug, 'co-so-kham-benh-chua-benh'));
    await publish(portal);
    const built = await build(portal);
    markServerBuildInUse(built.serverEntry);
    const handler = (await import(pathToFileURL(built.serverEntry).href)).handler;
    publisher = simplePublisher(async () => { await publish(portal); await build(portal); });
    portal.onChanged((reasons) => publisher.request(reasons.join(', ')));
    server = await startServer({ dataDir, host: 'localhost', port: 0, portal: { actions: portal.actions, db: portal.database.db, store: portal.store, publisher }, astroHandler: handler, cookieSecure: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await publisher?.idle();
    await server?.close();
    await portal?.close();
  });

  async function signIn(page: Page, username: string, password: string) {
    await page.goto(`${server.url}/workspace/`);
    await page.waitForURL(/\/workspace\/sign-in\//);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(`${server.url}/workspace/`);
  }

  async function noAxeViolations(page: Page) {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }

  it('lets the admin create an editor for a unit; the dashboard shows the unit behind on updates', async () => {
    const context = watchedContext(await browser.newContext({ locale: 'vi-VN' }));
    const page = await context.newPage();
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await noAxeViolations(page);
    await page.getByRole('link', { name: 'Tài khoản', exact: true }).click();
    await page.getByLabel('Tên đăng nhập *').fill('syt.bientap');
    await page.getByLabel('Họ tên *').fill('Nguyễn Thị Hoa');
    await page.getByLabel('Thư điện tử (nhận thư nhắc)').fill('hoa@syt.gialai.gov.vn');
    await page.getByLabel(/Mật khẩu ban đầu/).fill('bien-tap-y-te-2026');
    await page.getByLabel('Biên tập viên của đơn vị').selectOption({ label: 'Sở Y tế tỉnh Gia Lai' });
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), POLL).toContain('Đã tạo tài khoản');
    await expect.poll(() => page.getByRole('row', { name: /syt\.bientap/ }).textContent(), POLL).toContain('Sở Y tế tỉnh Gia Lai (biên tập)');
    await noAxeViolations(page);

    await runFreshnessCheck(portal.database.db, { trigger: 'test', siteUrl: server.url });
    await page.getByRole('link', { name: 'Theo dõi cập nhật' }).click();
    const row = page.getByRole('row', { name: /Sở Y tế tỉnh Gia Lai/ });
    const cells = await row.getByRole('cell').allTextContents();
    // due on 01/12/2026: from 17/11/2026 on (this test was written on 23/11) it is due soon, then overdue
    expect(Number(cells[3]) + Number(cells[4])).toBe(1);
    expect(await page.getByRole('img', { name: 'Tỷ lệ bộ dữ liệu được cập nhật đúng hạn theo quý' }).count()).toBe(1);
    await noAxeViolations(page);
    // someone guessing at a username: the admin's lock page lists it
    for (let i = 0; i < 5; i++) await fetch(`${server.url}/workspace/sign-in/`, { method: 'POST', redirect: 'manual', headers: { origin: server.url }, body: new URLSearchParams({ username: 'ke.la', password: `doan-${i}` }) });
    for (const p of ['/workspace/admin/units/', '/workspace/admin/report/', '/workspace/admin/mirror/', '/workspace/admin/sign-in-locks/']) {
      await page.goto(`${server.url}${p}`);
      await noAxeViolations(page);
    }
    expect(await page.getByRole('row', { name: /ke\.la/ }).count()).toBe(1);
    const csv = await page.request.get(`${server.url}/workspace/admin/freshness.csv`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const text = (await csv.body()).toString('utf8');
    expect(text.startsWith('\uFEFFĐơn vị,Mã định danh,Số bộ dữ liệu')).toBe(true);
    expect(text).toContain('Sở Y tế tỉnh Gia Lai,');
    await context.close();
  });

  it('takes a Windows-1258 upload with one bad row, shows the Vietnamese error, then publishes the fix on the public site', async () => {
    const context = watchedContext(await browser.newContext({ locale: 'vi-VN' }));
    const page = await context.newPage();
    await signIn(page, 'syt.bientap', 'bien-tap-y-te-2026');
    // only the unit's own datasets, with due dates
    const rows = page.getByRole('table').getByRole('row');
    await expect.poll(() => rows.count(), POLL).toBe(2); // header + the unit's one dataset
    await expect.poll(() => rows.nth(1).textContent(), POLL).toContain('01/12/2026');
    await noAxeViolations(page);
    await page.getByRole('link', { name: 'Danh sách cơ sở khám bệnh, chữa bệnh được cấp phép hoạt động' }).click();
    await page.waitForURL(/\/workspace\/datasets\/co-so-kham-benh-chua-benh\//);
    await noAxeViolations(page);

    const header = 'Mã cơ sở;Tên cơ sở;Loại hình;Địa chỉ (xã/phường);Số giường bệnh;Ngày cấp phép hoạt động;Điện thoại';
    const good = [
      'YT0001;Trung tâm y tế Chư Sê;Trung tâm y tế;Xã Chư Sê;980;22/09/2018;0256 3214250',
      'YT0002;Trạm y tế Ia Boòng;Trạm y tế;Xã Ia Boòng;6;17/08/2024;0256 3570166',
      'YT0099;Phòng khám đa khoa Đức Cơ;Phòng khám đa khoa;Xã Đức Cơ;30;05/10/2026;0269 3888111',
    ];
    const bad = [...good.slice(0, 2), 'YT0099;Phòng khám đa khoa Đức Cơ;Phòng khám đa khoa;Xã Đức Cơ;ba mươi;05/10/2026;0269 3888111'];
    const badFile = fixture('co-so-kcb-quy-4.csv', toWindows1258([header, ...bad].join('\r\n') + '\r\n'));
    await page.getByLabel('Ghi chú thay đổi').fill('Cập nhật quý 4/2026: thêm phòng khám Đức Cơ');
    await page.getByLabel('Tệp dữ liệu').setInputFiles(badFile);
    await page.getByRole('button', { name: 'Kiểm tra và công bố' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), POLL).toContain('Tệp chưa hợp lệ — chưa công bố');
    const report = await alert.textContent();
    expect(report).toContain('Bảng mã windows-1258');
    expect(report).toContain('hàng 4, cột "Số giường bệnh"');
    expect(report).toContain('Giá trị không đúng kiểu dữ liệu của cột');
    expect(report).toContain('ba mươi');
    expect(report).toContain('type-error');
    await noAxeViolations(page);

    const fixed = fixture('co-so-kcb-quy-4-da-sua.csv', toWindows1258([header, ...good].join('\r\n') + '\r\n'));
    await page.getByLabel('Ghi chú thay đổi').fill('Cập nhật quý 4/2026: thêm phòng khám Đức Cơ');
    await page.getByLabel('Tệp dữ liệu').setInputFiles(fixed);
    await page.getByRole('button', { name: 'Kiểm tra và công bố' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), POLL).toContain('Đã công bố phiên bản 2');
    const newDue = formatDateVi(addMonths(localDate(new Date()), 3));
    expect(await page.locator('#ket-qua').textContent()).toContain(newDue);

    // the public site is rebuilt and switched: the new version and due date appear there
    await publisher.idle();
    await page.goto(`${server.url}/dataset/co-so-kham-benh-chua-benh/`);
    const pub = await page.locator('main').textContent();
    expect(pub).toContain('Cập nhật quý 4/2026: thêm phòng khám Đức Cơ');
    expect(pub).toContain(newDue);
    expect(pub).toContain('Phòng khám đa khoa Đức Cơ');

    for (const p of ['/workspace/datasets/co-so-kham-benh-chua-benh/edit/', '/workspace/datasets/new/', '/workspace/tokens/']) {
      await page.goto(`${server.url}${p}`);
      await noAxeViolations(page);
    }

    // withdrawing needs a reason; the public address then says it was withdrawn and why
    await page.goto(`${server.url}/workspace/datasets/co-so-kham-benh-chua-benh/`);
    await page.getByLabel('Lý do rút').fill(' '.repeat(12)); // passes the browser's minlength, not the server's check
    await page.getByRole('button', { name: 'Rút bộ dữ liệu' }).click();
    await expect.poll(() => page.locator('#loi-rut').textContent(), POLL).toContain('Cần ghi rõ lý do rút bộ dữ liệu');
    await page.getByLabel('Lý do rút').fill('Dữ liệu được hợp nhất vào Cơ sở dữ liệu y tế của tỉnh');
    await page.getByRole('button', { name: 'Rút bộ dữ liệu' }).click();
    await page.waitForURL(/da-rut=1/);
    expect(await page.locator('dl.facts').textContent()).toContain('Đã rút — lý do: Dữ liệu được hợp nhất vào Cơ sở dữ liệu y tế của tỉnh');
    await publisher.idle();
    await page.goto(`${server.url}/dataset/co-so-kham-benh-chua-benh/`);
    expect(await page.locator('main').textContent()).toContain('Bộ dữ liệu này đã được rút khỏi cổng');
    expect(await page.locator('main').textContent()).toContain('Dữ liệu được hợp nhất vào Cơ sở dữ liệu y tế của tỉnh');
    await noAxeViolations(page);
    await page.goto(`${server.url}/dataset/`);
    expect(await page.locator('main').textContent()).not.toContain('Danh sách cơ sở khám bệnh, chữa bệnh được cấp phép hoạt động');
    await context.close();
  });

  it('broke nothing with its Content-Security-Policy: no page reported a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
