import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { log, setLogDirectory } from '../log.ts';
import { assembleSnapshot, prepareDelta, pruneObjects } from './snapshot.ts';
import type { Db } from '../db/index.ts';
import type { BlobStore } from '../storage/blobs.ts';
import { readCatalog } from './snapshot-files.ts';
import { siteBuildKey } from './build-key.ts';
import { buildSite } from './site-build.ts';
import { currentView } from './site-view.ts';
import { updateSite } from './site-update.ts';

/**
 * The file side of a publish: the new snapshot from the delta the server read from the database,
 * then the site — updated in place of the pages the change touches, or built in full when the site's
 * templates changed (its build key), when there is no site yet, or when the update cannot run. The
 * server runs it in a child process, so its own answers never wait for a snapshot or a render.
 */
export interface PublishJobInput {
  dataDir: string;
  siteUrl: string;
  frameAncestors?: string;
  deltaFile: string;
  /** false: the snapshot only (an API-only node: PORTAL_BUILD_SITE=0) */
  site: boolean;
  /** a full build even when an update could do */
  fullSite?: boolean;
  logDir?: string;
}

export interface PublishJobResult {
  snapshot: string;
  datasets: number;
  site: null | { kind: 'full'; ms: number; pages: number; serverEntry: string } | { kind: 'update'; ms: number; rendered: number; written: number; removed: number };
}

export async function runPublishJob(input: PublishJobInput): Promise<PublishJobResult> {
  log('publish', `bắt đầu công bố (tiến trình ${process.pid})`);
  const snap = await assembleSnapshot(input.dataDir, input.deltaFile);
  const result: PublishJobResult = { snapshot: snap.dir, datasets: snap.catalog.datasets.length, site: null };
  if (input.site) {
    const key = siteBuildKey();
    const view = currentView(path.join(input.dataDir, 'site'));
    const shown = view?.meta?.snapshot;
    let reason = input.fullSite ? 'yêu cầu dựng toàn bộ' : !view ? 'chưa có trang' : view.meta?.key !== key ? 'mã nguồn giao diện đã thay đổi' : !view.meta.prerender ? 'bản dựng không giữ mẫu trang' : !shown || !fs.existsSync(path.join(shown, 'catalog.json')) ? 'không còn ảnh chụp trang đang hiển thị' : null;
    if (!reason) {
      try {
        // the site usually shows the snapshot this one follows: its catalogue is already read
        const from = snap.previous?.dir === fs.realpathSync(shown!) ? snap.previous : { dir: shown!, catalog: readCatalog(shown!) };
        const u = await updateSite({ dataDir: input.dataDir, siteUrl: input.siteUrl, view: view!, from, to: { dir: snap.dir, catalog: snap.catalog }, key });
        result.site = { kind: 'update', ms: u.ms, rendered: u.rendered, written: u.written, removed: u.removed };
      } catch (err) {
        reason = `cập nhật từng phần không chạy được (${(err as Error).message})`;
        log('site', `${reason}: ${(err as Error).stack}`);
      }
    }
    if (reason) {
      log('site', `dựng lại toàn bộ trang: ${reason}`);
      const b = await buildSite({ dataDir: input.dataDir, siteUrl: input.siteUrl, frameAncestors: input.frameAncestors, key });
      result.site = { kind: 'full', ms: b.ms, pages: b.pages, serverEntry: b.serverEntry };
    }
  }
  const pruned = pruneObjects(input.dataDir);
  if (pruned) log('publish', `xoá ${pruned} tài liệu bộ dữ liệu không còn ảnh chụp nào dùng`);
  return result;
}

/**
 * A child started ahead, its modules loaded, waiting for its input: the next publish of a burst skips
 * Node's start and the imports (0.5–1 s on the 2-core machine). Kept for SPARE_MS after a publish, then
 * stopped, so an idle portal holds no second process.
 */
let spare: { child: ChildProcess; timer: NodeJS.Timeout } | null = null;
const SPARE_MS = 5 * 60_000;

/** A publish job's child process, waiting for its input (exported for the test of its priority). */
export const forkJob = (): ChildProcess => {
  // ten steps below this process (nice +10: the CPU share of a busy core falls to about a tenth)
  const nice = Math.min(19, os.getPriority() + 10);
  const child = fork(new URL('./job-main.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=16'], env: { ...process.env, PUBLISH_JOB_NICE: String(nice) } });
  // below the server from its first instruction: loading its modules (1–1.5 s of CPU) must not take
  // the cores from the server's answers either
  if (child.pid) setNice(child.pid, nice);
  return child;
};

function setNice(pid: number, nice: number): void {
  try { os.setPriority(pid, nice); } catch { /* not allowed here: the same priority */ }
}

function takeChild(): ChildProcess {
  const s = spare;
  spare = null;
  if (s) {
    clearTimeout(s.timer);
    if (s.child.exitCode === null && s.child.connected) {
      s.child.ref();
      return s.child;
    }
  }
  return forkJob();
}

function keepSpare(): void {
  if (spare) return;
  const child = forkJob();
  // a spare never keeps this process alive
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  const timer = setTimeout(() => { if (spare?.child === child) spare = null; child.kill(); }, SPARE_MS);
  timer.unref();
  child.once('exit', () => { if (spare?.child === child) { clearTimeout(timer); spare = null; } });
  spare = { child, timer };
}

/** The same in a child process (the server's way): its log lines go to this process's log. `warm`: keep a spare child for the next one. */
export function runPublishJobInChild(input: PublishJobInput, opts: { warm?: boolean } = {}): Promise<PublishJobResult> {
  return new Promise<PublishJobResult>((resolve, reject) => {
    const child = takeChild();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    let done = false;
    child.once('message', (m: { result?: PublishJobResult; error?: string }) => {
      done = true;
      if (m.result) resolve(m.result);
      else reject(new Error(m.error ?? 'publish job failed'));
    });
    child.once('error', (err) => { if (!done) { done = true; reject(err); } });
    child.once('exit', (code, signal) => { if (!done) { done = true; reject(new Error(`publish job stopped (${signal ?? `exit ${code}`})`)); } });
    child.send(input);
  }).finally(() => { if (opts.warm) keepSpare(); });
}

/** The child's side (job-main.ts). */
export function serveJob(): void {
  // below the server's priority: on a busy machine the server's answers come first, the publish after.
  // On Linux a priority is a thread's: the parent lowered the main thread's before it ran; V8's threads
  // started with it are lowered here, and the threads started from here on (render workers, libuv's
  // pool) inherit it.
  const nice = Number(process.env.PUBLISH_JOB_NICE ?? os.constants.priority.PRIORITY_BELOW_NORMAL);
  let threads = [String(process.pid)]; // the main thread's id is the process's
  try { threads = fs.readdirSync('/proc/self/task'); } catch { /* not Linux: the process's priority only */ }
  for (const tid of threads) setNice(Number(tid), nice);
  // the server that asked is gone (killed): stop at once, so a publish never runs without the lock it held
  process.once('disconnect', () => process.exit(1));
  process.once('message', (input: PublishJobInput) => {
    if (input.logDir) setLogDirectory(input.logDir);
    runPublishJob(input).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (err: Error) => process.send!({ error: err.stack ?? err.message }, () => process.exit(1)),
    );
  });
}

/**
 * Publishes what changed: reads the datasets the pending changes name (all of them the first time,
 * or with `full`) from the database, runs the job (in a child process with `inChild`, as the server
 * does), and marks those changes published — only once the site shows them: a process killed before
 * leaves them for the next publish.
 */
export async function publishPending(db: Db, store: BlobStore, opts: Omit<PublishJobInput, 'deltaFile' | 'site'> & { site?: boolean; inChild?: boolean; warm?: boolean; full?: boolean }): Promise<PublishJobResult> {
  // imported here: the job's child process loads this module and never touches the database
  const { markPublished, pendingChanges } = await import('../catalog/publish-queue.ts');
  const pending = await pendingChanges(db);
  const delta = await prepareDelta(db, store, { dataDir: opts.dataDir, siteUrl: opts.siteUrl, datasetIds: pending.datasetIds, full: opts.full });
  try {
    const input: PublishJobInput = {
      dataDir: opts.dataDir, siteUrl: opts.siteUrl, frameAncestors: opts.frameAncestors, deltaFile: delta.file,
      site: opts.site ?? false, fullSite: opts.fullSite, logDir: opts.logDir,
    };
    const result = opts.inChild ? await runPublishJobInChild(input, { warm: opts.warm }) : await runPublishJob(input);
    await markPublished(db, pending.rows);
    return result;
  } finally {
    fs.rmSync(delta.file, { force: true });
  }
}
