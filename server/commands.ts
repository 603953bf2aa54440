import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { openPortal, type Portal } from './portal.ts';
import { loadDemoCatalog, type SeedResult } from './seed/demo.ts';
import { buildSite, latestServerEntry, markServerBuildInUse } from './publish/site-build.ts';
import { Publisher } from './publish/publisher.ts';
import { hasPendingChanges } from './catalog/publish-queue.ts';
import { publishPending, type PublishJobResult } from './publish/job.ts';
import { dataPaths } from './config.ts';
import { startServer } from './http/server.ts';
import { log } from './log.ts';
import { systemCaller } from './actions/index.ts';
import { deliverOutbox, smtpTransport } from './freshness/mailer.ts';
import { localDate } from './freshness/due.ts';
import { MirrorScheduler, runMirror, type MirrorProgress, type MirrorStats } from './mirror/run.ts';

/** The command-line entry points' work; scripts/ only call these. */

export async function seed(portal: Portal): Promise<SeedResult[]> {
  log('seed', `nạp danh mục trình diễn từ ${portal.config.datasetsDir} (CSDL: ${portal.database.kind})`);
  const results = await loadDemoCatalog(portal.actions, portal.config.datasetsDir);
  const by = (s: string) => results.filter((r) => r.status === s).length;
  log('seed', `xong: ${by('published')} công bố mới, ${by('no-change')} không đổi, ${by('kept')} do đơn vị thay đổi nên giữ nguyên, ${by('failed')} lỗi`);
  return results;
}

/** Publishes what changed (publish/job.ts: publishPending), with this portal's configuration. */
export function publish(portal: Portal, opts: { site?: boolean; inChild?: boolean; warm?: boolean; full?: boolean; fullSite?: boolean } = {}): Promise<PublishJobResult> {
  return publishPending(portal.database.db, portal.store, {
    dataDir: portal.config.dataDir, siteUrl: portal.config.siteUrl, frameAncestors: portal.config.frameAncestors, logDir: dataPaths(portal.config.dataDir).logs, ...opts,
  });
}

/** `npm run build:site`: the whole site again from the current snapshot. */
export async function build(portal: Portal) {
  return buildSite({ dataDir: portal.config.dataDir, siteUrl: portal.config.siteUrl, frameAncestors: portal.config.frameAncestors });
}

/** A new database gets one admin account (the province's IT department); its password is shown once. */
export async function ensureAdmin(portal: Portal): Promise<void> {
  const password = portal.config.adminPassword ?? crypto.randomBytes(12).toString('base64url');
  const { created } = await portal.actions.call('admin_ensure', systemCaller('seed'), { password });
  if (!created) return;
  log('start', portal.config.adminPassword ? 'đã tạo tài khoản quản trị "admin" (mật khẩu từ ADMIN_PASSWORD)' : `đã tạo tài khoản quản trị "admin" với mật khẩu: ${password} — hãy đổi hoặc đặt ADMIN_PASSWORD`);
}

/** `npm run check-updates`: the quarterly-update check, then delivery of queued reminders. */
export async function checkUpdates(portal: Portal, trigger: 'command' | 'schedule' = 'command') {
  const result = await portal.actions.call('freshness_check_run', systemCaller(trigger === 'schedule' ? 'schedule' : 'cli'), { trigger, ...(trigger === 'schedule' ? { once_a_day: true } : {}) });
  if (result.skipped) return { ...result, mail: { sent: 0, failed: 0, waiting: 0 } };
  const mail = await deliverOutbox(portal.database.db, await smtpTransport(portal.config.smtpUrl), portal.config.mailFrom);
  if (!portal.config.smtpUrl) log('mail', `chưa cấu hình SMTP_URL: ${mail.waiting} thư nhắc chờ trong hộp thư đi (hiển thị trong khu làm việc)`);
  return { ...result, mail };
}

/** `npm start`: migrate, load the demo catalogue, publish, build the site and serve it with the workspace. */
export async function start(): Promise<void> {
  const t0 = Date.now();
  const portal = await openPortal();
  await seed(portal);
  await ensureAdmin(portal);
  // in a child process, as every later publish: the server never holds a site build's memory
  const published = await publish(portal, { site: true, inChild: true });
  const server = await serve(portal, published.site?.kind === 'full' ? published.site.serverEntry : latestServerEntry());
  log('start', `cổng dữ liệu sẵn sàng tại ${server.url}/ (khu làm việc: ${server.url}/workspace/) sau ${((Date.now() - t0) / 1000).toFixed(1)} s (dữ liệu: ${portal.config.dataDir})`);
}

/** Serves the built site, the workspace and the API; runs the update check daily (UTC+7) and rebuilds when statuses change. */
export async function serve(portal: Portal, serverEntry: string | null = latestServerEntry()) {
  const db = portal.database;
  // one mirror run at a time across the processes sharing the database
  const mirror = portal.config.mirror ? new MirrorScheduler(async () => {
    const r = await db.tryLock('portal:mirror', () => mirrorOnce(portal));
    return r.locked ? r.value : { created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, pending: 0 };
  }) : null;
  const publisher = new Publisher({
    tryLock: (fn) => db.tryLock('portal:publish', fn),
    pending: () => hasPendingChanges(db.db),
    // several processes on one PostgreSQL look at the shared queue; the embedded database has one process
    pollMs: db.kind === 'postgres' ? 2000 : 0,
    rebuild: async (force) => {
      if (!force && !(await hasPendingChanges(db.db))) return false;
      // the snapshot and the site in a child process: this one keeps answering meanwhile
      await publish(portal, { site: portal.config.buildSite, inChild: true, warm: true });
      mirror?.request(); // the national portal follows, never holding the publish back
      return true;
    },
  });
  portal.onChanged((reasons) => publisher.request(reasons.join(', ')));
  let astroHandler = null;
  if (serverEntry) {
    markServerBuildInUse(serverEntry);
    astroHandler = (await import(pathToFileURL(serverEntry).href)).handler;
  } else {
    log('start', 'chưa có bản dựng nào: khu làm việc chưa sẵn sàng (chạy npm run build:site)');
  }
  const server = await startServer({
    dataDir: portal.config.dataDir, host: portal.config.host, port: portal.config.port, portal: { actions: portal.actions, db: portal.database.db, store: portal.store, publisher }, astroHandler,
    cookieSecure: portal.config.cookieSecure, uploadMaxBytes: portal.config.uploadMaxBytes,
    trustProxy: portal.config.trustProxy, frameAncestors: portal.config.frameAncestors, siteUrl: portal.config.siteUrl,
  });

  let lastDay = '';
  let lastCounts = '';
  const tick = async () => {
    const today = localDate(new Date());
    if (today === lastDay) return;
    lastDay = today;
    // once a day across the processes sharing the database: the first to take the lock runs it
    const ran = await db.tryLock('portal:daily-check', () => checkUpdates(portal, 'schedule'));
    if (!ran.locked || ran.value.skipped) return;
    const r = ran.value;
    const counts = JSON.stringify(r.counts);
    // statuses on the static pages move with the calendar: rebuild when a dataset changed status
    if (lastCounts && counts !== lastCounts) publisher.request('trạng thái cập nhật thay đổi theo ngày', true);
    lastCounts = counts;
  };
  await tick().catch((err) => log('freshness', `lỗi: ${(err as Error).stack}`));
  const timer = setInterval(() => { tick().catch((err) => log('freshness', `lỗi: ${(err as Error).stack}`)); }, 15 * 60_000);
  timer.unref();
  let mirrorTimer: NodeJS.Timeout | undefined;
  if (mirror) {
    mirror.request();
    mirrorTimer = setInterval(() => mirror.request(), portal.config.mirror!.intervalMinutes * 60_000);
    mirrorTimer.unref();
  }

  const stop = async () => {
    publisher.stop();
    clearInterval(timer);
    clearInterval(mirrorTimer);
    await mirror?.idle();
    await server.close();
    await publisher.idle();
    await portal.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

/** One run of the mirror to the national portal (MIRROR_URL), as the server and `npm run mirror` do it. */
export function mirrorOnce(portal: Portal, opts: { dryRun?: boolean; progress?: (p: MirrorProgress) => void } = {}): Promise<MirrorStats> {
  if (!portal.config.mirror) throw new Error('Chưa cấu hình MIRROR_URL và MIRROR_TOKEN (cổng dữ liệu quốc gia).');
  return runMirror({ cfg: portal.config.mirror, snapshot: portal.snapshot, actions: portal.actions, siteUrl: portal.config.siteUrl, ...opts });
}

/** Runs one command with an open portal and a clear exit code. */
export async function runWith(fn: (p: Portal) => Promise<unknown>): Promise<void> {
  const portal = await openPortal();
  try {
    await fn(portal);
  } finally {
    await portal.close();
  }
}
