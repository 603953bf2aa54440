import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../../server/storage/blobs.ts';

/** Every temporary folder the test file made (a full run left thousands, ~100 MB among them, in /tmp). */
const made: string[] = [];

/** Removes them: after each test file (test/helpers/cleanup.ts, a setup file of vitest.config.ts). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function tempDir(prefix = 'portal-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function tempStore(): { dir: string; store: BlobStore } {
  const dir = tempDir();
  return { dir, store: new BlobStore(path.join(dir, 'files'), path.join(dir, 'tmp')) };
}

/** Writes a file into a fresh temp folder and returns its path. */
export function fixture(name: string, content: string | Buffer): string {
  const p = path.join(tempDir('portal-fixture-'), name);
  fs.writeFileSync(p, content);
  return p;
}

export const projectDatasets = path.resolve(import.meta.dirname, '../../datasets');

/** A copy of the demo catalogue that a test may break. */
export function copyOfDemoCatalog(): string {
  const dir = path.join(tempDir('portal-datasets-'), 'datasets');
  fs.cpSync(projectDatasets, dir, { recursive: true });
  return dir;
}
