import fs from 'node:fs';
import { dataPaths, loadConfig, type PortalConfig } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import { BlobStore, removeStaleTemp } from './storage/blobs.ts';
import { log, setLogDirectory } from './log.ts';
import { SnapshotReader } from './publish/reader.ts';
import { createDispatcher, type Dispatcher } from './actions/index.ts';

/** The portal's runtime: configuration, database, file store, snapshot and actions, opened once per process. */
export interface Portal {
  config: PortalConfig;
  database: Database;
  store: BlobStore;
  snapshot: SnapshotReader;
  /** every operation on the catalogue goes through here */
  actions: Dispatcher;
  /** who hears of committed changes the public site must show (the publisher of this process) */
  onChanged(listener: (reasons: string[]) => void): void;
  close(): Promise<void>;
}

export async function openPortal(config: PortalConfig = loadConfig()): Promise<Portal> {
  const paths = dataPaths(config.dataDir);
  setLogDirectory(paths.logs);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgDir: paths.pg });
  // before this process makes its own temporary folder: what a crashed process left goes
  const stale = removeStaleTemp(paths.tmp);
  if (stale.entries) log('start', `đã xóa ${stale.entries} tệp tạm do tiến trình trước bị dừng đột ngột để lại (${(stale.bytes / 1048576).toFixed(1)} MB)`);
  const store = new BlobStore(paths.files, paths.tmp);
  const snapshot = new SnapshotReader(config.dataDir);
  const listeners: ((reasons: string[]) => void)[] = [];
  const actions = createDispatcher({
    db: database.db, store, siteUrl: config.siteUrl, snapshot,
    changed: (reasons) => { for (const l of listeners) l(reasons); },
  });
  return {
    config, database, store, snapshot, actions,
    onChanged: (l) => { listeners.push(l); },
    async close() {
      await database.close();
      fs.rmSync(store.tmpDir, { recursive: true, force: true }); // a clean exit leaves no temporary files
    },
  };
}
