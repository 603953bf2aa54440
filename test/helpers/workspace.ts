import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './fixtures.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Builds the Astro app once (empty catalogue) and returns the workspace's on-demand handler. */
export async function workspaceHandler() {
  const dataDir = tempDir('portal-ws-build-');
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORTAL_HOLD_BUILD_FOR: String(process.pid), PORTAL_QUIET: '0' };
  for (const script of ['publish', 'build-site']) {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', `${script}.ts`)], { cwd: root, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
    if (script === 'build-site') {
      const entry = /server entry: (.+)$/m.exec(r.stderr)![1]!.trim();
      return (await import(pathToFileURL(entry).href)).handler;
    }
  }
  throw new Error('unreachable');
}
