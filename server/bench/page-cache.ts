import fs from 'node:fs';
import path from 'node:path';

export interface PageCacheCost {
  mb: number;
  /** kernel CPU seconds to write `mb` into a new file, the first time */
  firstSystemSeconds: number;
  /** the same right after that file was removed, so the kernel reuses the memory it just freed */
  againSystemSeconds: number;
}

/**
 * What writing new files costs the kernel on this machine. An ingest writes about 3.4 times its
 * input (the original's copy, the CSV and the JSON), all into the page cache; on a virtual machine
 * that hands freed memory back to its host, each page touched for the first time costs far more
 * than a page reused (seen here: 2.4 s of kernel CPU per GB against 0.17 s). The bench prints this
 * next to its figures, since it moves the ingest's time and not the bare parse's, which writes nothing.
 */
export function pageCacheCost(dir: string, mb = 512): PageCacheCost {
  const block = Buffer.alloc(1024 * 1024, 0x61);
  const file = path.join(dir, 'page-cache-check.bin');
  const write = () => {
    const before = process.cpuUsage();
    const fd = fs.openSync(file, 'w');
    try {
      for (let i = 0; i < mb; i++) fs.writeSync(fd, block);
    } finally {
      fs.closeSync(fd);
    }
    const seconds = process.cpuUsage(before).system / 1e6;
    fs.rmSync(file, { force: true });
    return seconds;
  };
  const firstSystemSeconds = write();
  return { mb, firstSystemSeconds, againSystemSeconds: write() };
}
