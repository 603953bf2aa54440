import { dataPaths, loadConfig, type PortalConfig } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import { BlobStore } from './storage/blobs.ts';
import { setLogDirectory } from './log.ts';

/** The portal's runtime: configuration, database and file store, opened once per process. */
export interface Portal {
  config: PortalConfig;
  database: Database;
  store: BlobStore;
  close(): Promise<void>;
}

export async function openPortal(config: PortalConfig = loadConfig()): Promise<Portal> {
  const paths = dataPaths(config.dataDir);
  setLogDirectory(paths.logs);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgDir: paths.pg });
  const store = new BlobStore(paths.files, paths.tmp);
  return { config, database, store, close: () => database.close() };
}
