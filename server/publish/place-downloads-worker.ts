// The download placement of a site build, on its own thread (place-downloads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { placeDownloads } from './place-downloads.ts';

const { snapshot, client, siteUrl } = workerData as { snapshot: string; client: string; siteUrl: string };
try {
  parentPort!.postMessage(placeDownloads(snapshot, client, siteUrl));
} catch (err) {
  parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
