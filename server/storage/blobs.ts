import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transcode } from 'node:buffer';

/** Reused for every long write: a fresh buffer per write costs page faults on new memory. */
let units = Buffer.allocUnsafeSlow(256 * 1024);

/**
 * UTF-8 bytes of a long string. Copying the UTF-16 code units out (which also flattens a string
 * built by concatenation) and letting ICU transcode them is about twice as fast as V8's own UTF-8
 * writer on Vietnamese text; ICU refuses a lone surrogate, which V8 writes as U+FFFD: those go the V8 way.
 */
export function utf8(text: string): Buffer {
  if (units.length < text.length * 2) units = Buffer.allocUnsafeSlow(text.length * 2);
  const n = units.write(text, 0, 'utf16le');
  try {
    return transcode(units.subarray(0, n), 'utf16le', 'utf8');
  } catch {
    return Buffer.from(text, 'utf8');
  }
}

/**
 * Copies a file in 1 MB blocks, hashing each block as it is written, so the hash is of exactly the
 * bytes stored. Not fs.copyFile: on ext4 the kernel's copy (copy_file_range) cost 2.0 s of CPU per
 * GB, against 0.8 s for reading and writing the blocks here, and the copy then had to be read again
 * to be hashed. `stopped` is asked before each block (an aborted ingest); the caller removes `dest`.
 */
export async function copyAndHash(source: string, dest: string, stopped: () => boolean = () => false): Promise<HashedFile> {
  const hash = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafeSlow(1024 * 1024);
  let size = 0;
  const input = await fs.promises.open(source, 'r');
  try {
    const output = await fs.promises.open(dest, 'w');
    try {
      for (;;) {
        if (stopped()) throw new Error('aborted');
        const { bytesRead } = await input.read(buf, 0, buf.length, null);
        if (!bytesRead) break;
        const block = buf.subarray(0, bytesRead);
        hash.update(block);
        await writeAll(output.fd, block);
        size += bytesRead;
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  return { path: dest, sha256: hash.digest('hex'), size };
}

/**
 * Content-addressed file store: a file's path is derived from its sha256 only, so nothing a user
 * names ever reaches the filesystem, and the same bytes are stored once.
 */
export class BlobStore {
  readonly root: string;
  /** this process's own temporary folder (tmp/<host>.<pid>): a crash leaves it for the next start to remove */
  readonly tmpDir: string;

  constructor(root: string, tmpRoot: string) {
    this.root = root;
    this.tmpDir = path.join(tmpRoot, processTempName());
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256));
  }

  /** A fresh temporary path in the store's tmp directory (same filesystem, so adopt() is a rename). */
  tempPath(suffix = ''): string {
    return path.join(this.tmpDir, `${crypto.randomUUID()}${suffix}`);
  }

  /** Moves a finished temporary file into the store under its hash. */
  adopt(tmpPath: string, sha256: string): string {
    const dest = this.pathOf(sha256);
    if (fs.existsSync(dest)) {
      fs.rmSync(tmpPath, { force: true });
    } else {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.renameSync(tmpPath, dest);
      fs.chmodSync(dest, 0o444);
    }
    return dest;
  }

  /** Copies a file into a temporary path, hashing the bytes written (see copyAndHash). */
  async copyToTemp(source: string): Promise<HashedFile> {
    const tmp = this.tempPath();
    try {
      return await copyAndHash(source, tmp);
    } catch (err) {
      fs.rmSync(tmp, { force: true }); // a failed copy (disk full) leaves nothing behind
      throw err;
    }
  }
}

export interface HashedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Writes text to a temporary file, hashing as it goes. The text is encoded into one of two fixed
 * 1 MB buffers; a full one is hashed and written while the other fills, and a write waits for the
 * one before it (backpressure). No buffer is allocated per write: each would be memory outside V8's
 * heap that only a later collection gives back, and in the output worker such buffers held up to
 * 60 MB of RSS at times.
 */
export class HashingWriter {
  readonly path: string;
  private static readonly CHUNK = 1024 * 1024;
  private readonly fd: number;
  private readonly hash = crypto.createHash('sha256');
  private readonly buffers = [Buffer.allocUnsafeSlow(HashingWriter.CHUNK), Buffer.allocUnsafeSlow(HashingWriter.CHUNK)];
  private current = 0;
  private used = 0;
  private size = 0;
  /** the other buffer's write, still running */
  private writing: Promise<void> | undefined;
  private error: Error | undefined;
  private closed = false;

  constructor(filePath: string) {
    this.path = filePath;
    // opened synchronously: an abort right after creation can then always remove the file
    this.fd = fs.openSync(filePath, 'w');
  }

  /** Appends text; the promise settles at once unless a full buffer had to wait for the previous write. */
  async write(text: string): Promise<void> {
    if (text.length < 1024) {
      for (;;) {
        const { read, written } = encoder.encodeInto(text, this.buffers[this.current]!.subarray(this.used));
        this.used += written;
        if (read === text.length) return;
        text = text.slice(read); // the buffer is full (encodeInto never splits a character)
        await this.flush();
      }
    }
    // long text through ICU (see utf8()); its bytes are copied at once, so they die young
    const bytes = utf8(text);
    for (let from = 0; ;) {
      const n = bytes.copy(this.buffers[this.current]!, this.used, from);
      this.used += n;
      from += n;
      if (from === bytes.length) return;
      await this.flush();
    }
  }

  /** Hands the current buffer to the disk and switches to the other, once that one's write is done. */
  private async flush(): Promise<void> {
    await this.writing;
    if (this.error) throw this.error;
    if (!this.used) return;
    const chunk = this.buffers[this.current]!.subarray(0, this.used);
    this.hash.update(chunk);
    this.size += chunk.length;
    this.current ^= 1;
    this.used = 0;
    this.writing = writeAll(this.fd, chunk).catch((err: Error) => { this.error ??= err; });
  }

  async finish(): Promise<HashedFile> {
    await this.flush();
    await this.writing;
    if (this.error) throw this.error;
    this.closed = true;
    await new Promise<void>((resolve, reject) => fs.close(this.fd, (err) => (err ? reject(err) : resolve())));
    return { path: this.path, sha256: this.hash.digest('hex'), size: this.size };
  }

  abort(): void {
    this.error ??= new Error('aborted');
    const close = () => { if (!this.closed) { this.closed = true; fs.closeSync(this.fd); } };
    fs.rmSync(this.path, { force: true });
    if (this.writing) void this.writing.finally(close);
    else close();
  }
}

const encoder = new TextEncoder();

/** Writes all of a buffer at the file's current position (a write may take less than it is given). */
async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    done += await new Promise<number>((resolve, reject) => {
      fs.write(fd, chunk, done, chunk.length - done, null, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }
}

const processTempName = (pid = process.pid) => `${os.hostname().replace(/[^A-Za-z0-9-]/g, '_')}.${pid}`;

/**
 * Removes what crashed processes left in the temporary folder (an upload and its half-written
 * outputs after a kill -9): folders of processes of this host that are no longer alive, folders of
 * other hosts (processes sharing the folder over the network) untouched for a day, and loose files
 * older than this process. Returns what was removed, for the log.
 */
export function removeStaleTemp(tmpRoot: string, now = Date.now()): { entries: number; bytes: number } {
  const removed = { entries: 0, bytes: 0 };
  let names: string[];
  try {
    names = fs.readdirSync(tmpRoot);
  } catch {
    return removed;
  }
  const host = processTempName(0).replace(/\.0$/, '');
  const startedAt = now - process.uptime() * 1000;
  for (const name of names) {
    const p = path.join(tmpRoot, name);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    let stale: boolean;
    const m = /^(.+)\.(\d+)$/.exec(name);
    if (st.isDirectory() && m) stale = m[1] === host ? !processAlive(Number(m[2])) : now - st.mtimeMs > 86400_000;
    else stale = st.mtimeMs < startedAt;
    if (!stale || p === path.join(tmpRoot, processTempName())) continue;
    removed.bytes += sizeOf(p);
    fs.rmSync(p, { recursive: true, force: true });
    removed.entries++;
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sizeOf(p: string): number {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, child) => n + sizeOf(path.join(p, child)), 0);
}
