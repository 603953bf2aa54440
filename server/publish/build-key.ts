import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.ts';

/**
 * What the site's files are made with: a hash of the templates (site/), the code that writes the
 * snapshot and the site's other files (server/), the build's configuration and the locked dependencies.
 * A site built with another key is rebuilt in full; with the same key, a publish renders only what
 * changed, and the result is the same bytes (test/publish-incremental.test.ts).
 */
export function siteBuildKey(root = projectRoot): string {
  const hash = crypto.createHash('sha256');
  const add = (rel: string) => {
    const file = path.join(root, rel);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(file).sort()) add(path.join(rel, name));
    } else if (st.isFile()) {
      hash.update(rel).update('\0').update(fs.readFileSync(file)).update('\0');
    }
  };
  for (const rel of ['site', 'server', 'astro.config.mjs', 'package-lock.json', 'tsconfig.json']) add(rel);
  return hash.digest('hex').slice(0, 24);
}
