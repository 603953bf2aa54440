import { log } from '../log.ts';
import type { IngestProgress } from './index.ts';

const mb = (bytes: number) => bytes / 1e6;

/**
 * 1.234.567, as vi-VN writes it, without Intl: the progress line is printed while a large file is
 * read, and ICU's number-format data would add ~7 MB to the process's memory just then.
 */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, '.');

/**
 * Shows how far an ingest has read while it runs, in bytes and rows per second: on a terminal, one
 * line rewritten every second; otherwise a log line every PORTAL_PROGRESS_SECONDS (default 5), so a
 * short ingest logs nothing. The figures count from the moment the ingest begins reading (an upload
 * is received before that). `label` names the file in a log several ingests may share (the server's).
 * Returns the function that stops it.
 */
export function showIngestProgress(progress: IngestProgress, opts: { terminal: boolean; label?: string }): () => void {
  let started = 0;
  const every = opts.terminal ? 1000 : Math.max(10, 1000 * (Number(process.env.PORTAL_PROGRESS_SECONDS) || 5));
  const prefix = opts.label ? `${opts.label}: ` : '';
  const timer = setInterval(() => {
    if (!progress.phase) return;
    started ||= Date.now() - every;
    const s = (Date.now() - started) / 1000;
    const pct = progress.totalBytes ? ` (${Math.round((100 * progress.bytes) / progress.totalBytes)}%)` : '';
    const line = `${prefix}${progress.phase}: ${mb(progress.bytes).toFixed(1)}/${mb(progress.totalBytes).toFixed(1)} MB${pct}, ${grouped(progress.rows)} hàng — ${(mb(progress.bytes) / s).toFixed(1)} MB/s, ${grouped(Math.round(progress.rows / s))} hàng/s`;
    if (opts.terminal) process.stderr.write(`\r${line}   `);
    else log('ingest', line);
  }, every);
  timer.unref();
  return () => { clearInterval(timer); if (opts.terminal && started) process.stderr.write('\n'); };
}
