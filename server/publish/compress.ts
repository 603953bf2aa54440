import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { promisify } from 'node:util';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Text the site serves that compresses well; data downloads are left as they are (they are files to save). */
export const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.json', '.xml', '.svg', '.txt', '.atom', '.webmanifest', '.ttl', '.jsonld', '.rdf']);
const MIN_BYTES = 512;
const SEARCH_DATA = /[\\/]search[\\/]/;

/**
 * Writes `.br` and `.gz` beside every compressible file of a built site, so the server (or any static
 * host with precompressed-file support) sends a few KB where it would send tens. zlib's async calls
 * run on libuv's thread pool, so the files are compressed in parallel off the main thread. Files take
 * brotli quality 5 (as small as 6 on the site's pages, twice as fast), search data 11; gzip, the fallback for the few clients without brotli, level 6 (level 9 took six times as
 * long for 2 % fewer bytes). At 100,000 datasets the build compresses ~600,000 files: this is minutes.
 */
export async function precompress(root: string, opts: { skip?: (relative: string) => boolean } = {}): Promise<{ files: number; bytes: number; compressedBytes: number; compressed: string[] }> {
  const todo: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== 'download') walk(path.join(dir, e.name), r);
      } else if (e.isFile() && isCompressible(r) && !opts.skip?.(r)) {
        todo.push(path.join(dir, e.name));
      }
    }
  };
  walk(root, '');
  return compressFiles(todo);
}

/** Whether the build writes .br and .gz beside a file of the site (by its path in the site). */
export function isCompressible(relative: string): boolean {
  return COMPRESSIBLE.has(path.extname(relative).toLowerCase()) && !relative.split('/').slice(0, -1).includes('download');
}

/** Writes `<file>.br` and `<file>.gz` beside each file (those under 512 bytes are sent as they are); returns which got them. */
export async function compressFiles(files: string[]): Promise<{ files: number; bytes: number; compressedBytes: number; compressed: string[] }> {
  const stats = { files: 0, bytes: 0, compressedBytes: 0, compressed: [] as string[] };
  let next = 0;
  const one = async (file: string) => {
    const body = fs.readFileSync(file);
    if (body.length < MIN_BYTES) return;
    // 11 for the files fetched again and again (search data, ≤ 64 KB each): few, so it stays cheap; 5
    // for the rest, large files too (sitemaps, DCAT catalogue pages: fetched by crawlers, and a publish at
    // 10,000 datasets writes a few of them again: at 9 they took most of its second of compression)
    const quality = SEARCH_DATA.test(file) && body.length <= 256 * 1024 ? 11 : 5;
    const [br, gz] = await Promise.all([
      brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } }),
      gzip(body, { level: 6 }),
    ]);
    stats.files++;
    stats.bytes += body.length;
    stats.compressedBytes += br.length;
    stats.compressed.push(file);
    fs.writeFileSync(`${file}.br`, br);
    fs.writeFileSync(`${file}.gz`, gz);
  };
  // as many files in flight as libuv has threads, each with two jobs
  const lanes = Array.from({ length: 4 }, async () => {
    while (next < files.length) await one(files[next++]!);
  });
  await Promise.all(lanes);
  return stats;
}
