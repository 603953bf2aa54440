// The output worker of WorkerOutput (output.ts): formats, encodes, hashes and writes rows of cast values.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { OutputFormatter, type OutputPaths } from './output.ts';
import type { Cell } from './schema.ts';
import { copyAndHash } from '../storage/blobs.ts';

type Message = { type: 'rows'; values: Cell[] } | { type: 'finish' } | { type: 'abort' };

const port = parentPort!;
const { names, paths } = workerData as { names: string[]; paths: OutputPaths };
let formatter: OutputFormatter | undefined;
let stopped = false;

// as BlobStore.copyToTemp does
const original = paths.original ? copyAndHash(paths.original.source, paths.original.path, () => stopped) : undefined;
original?.catch(() => { /* reported by finish, or the copy is removed by abort */ });

async function handle(m: Message): Promise<void> {
  if (m.type === 'abort') {
    stopped = true;
    formatter?.abandon();
    await original?.catch(() => undefined);
    if (paths.original) fs.rmSync(paths.original.path, { force: true });
    port.postMessage({ type: 'aborted' });
    return;
  }
  if (stopped) return;
  try {
    formatter ??= new OutputFormatter(names, paths);
    if (m.type === 'rows') {
      const { values } = m;
      for (let from = 0; from < values.length; from += names.length) {
        formatter.add(values, from);
        if (formatter.full) await formatter.drain();
      }
      port.postMessage({ type: 'ack' });
    } else {
      const files = await formatter.finish();
      port.postMessage({ type: 'done', files: { ...files, original: await original } });
    }
  } catch (err) {
    stopped = true;
    formatter?.abandon();
    port.postMessage({ type: 'error', message: (err as Error).message });
  }
}

// one message at a time, in order: a batch may wait on the disk
let queue = Promise.resolve();
port.on('message', (m: Message) => { queue = queue.then(() => handle(m)); });
