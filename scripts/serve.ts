// npm run serve — serve the site already built in DATA_DIR/site.
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/http/server.ts';
import { log } from '../server/log.ts';

const config = loadConfig();
const server = await startServer({ dataDir: config.dataDir, host: config.host, port: config.port });
log('serve', `phục vụ ${config.dataDir}/site tại ${server.url}/`);
