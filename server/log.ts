import fs from 'node:fs';
import path from 'node:path';

/** Progress and events go to stderr and, when a log directory is set, to portal.log, so long work is visible in both. */
let logFile: string | undefined;

export function setLogDirectory(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  logFile = path.join(dir, 'portal.log');
}

export function log(scope: string, message: string): void {
  const line = `${new Date().toISOString()} [${scope}] ${message}`;
  if (process.env.PORTAL_QUIET !== '1') process.stderr.write(line + '\n');
  if (logFile) fs.appendFileSync(logFile, line + '\n');
}
