import { openPortal, type Portal } from './portal.ts';
import { loadDemoCatalog, type SeedResult } from './seed/demo.ts';
import { writeSnapshot } from './publish/snapshot.ts';
import { buildSite } from './publish/site-build.ts';
import { startServer } from './http/server.ts';
import { log } from './log.ts';

/** The command-line entry points' work; scripts/ only call these. */

export async function seed(portal: Portal): Promise<SeedResult[]> {
  log('seed', `nạp danh mục trình diễn từ ${portal.config.datasetsDir} (CSDL: ${portal.database.kind})`);
  const results = await loadDemoCatalog(portal.database.db, portal.store, portal.config.datasetsDir);
  const by = (s: string) => results.filter((r) => r.status === s).length;
  log('seed', `xong: ${by('published')} công bố mới, ${by('no-change')} không đổi, ${by('failed')} lỗi`);
  return results;
}

export async function publish(portal: Portal) {
  return writeSnapshot(portal.database.db, portal.store, { dataDir: portal.config.dataDir, siteUrl: portal.config.siteUrl });
}

export async function build(portal: Portal) {
  return buildSite({ dataDir: portal.config.dataDir, siteUrl: portal.config.siteUrl });
}

/** `npm start`: migrate, load the demo catalogue, publish, build the site and serve it. */
export async function start(): Promise<void> {
  const t0 = Date.now();
  const portal = await openPortal();
  await seed(portal);
  await publish(portal);
  await build(portal);
  const server = await startServer({ dataDir: portal.config.dataDir, host: portal.config.host, port: portal.config.port });
  log('start', `cổng dữ liệu sẵn sàng tại ${server.url}/ sau ${((Date.now() - t0) / 1000).toFixed(1)} s (dữ liệu: ${portal.config.dataDir})`);
  const stop = async () => {
    await server.close();
    await portal.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
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
