// One measurement in its own process, so peak RSS belongs to it alone: `parse` (bare papaparse) or `ingest`.
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { ingestFile } from '../ingest/index.ts';
import { BlobStore } from '../storage/blobs.ts';

const [mode, file, workDir] = process.argv.slice(2) as ['parse' | 'ingest', string, string];
const started = performance.now();
let rows = 0;
let valid = true;
if (mode === 'parse') {
  // the correct form (decoded text into papaparse), same as ingest uses
  const stream = fs.createReadStream(file);
  stream.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    Papa.parse(stream as unknown as File, { step: () => { rows++; }, complete: () => resolve(), error: reject });
  });
  rows--; // header
} else {
  const store = new BlobStore(path.join(workDir, 'files'), path.join(workDir, 'tmp'));
  const r = await ingestFile(file, { store });
  rows = r.report.rowCount;
  valid = r.report.valid;
  if (!valid) console.error(JSON.stringify(r.report.errors.slice(0, 3)));
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ mode, rows, valid, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
