// npm run serve — serve the site already built in DATA_DIR/site, with the workspace and the API.
import { openPortal } from '../server/portal.ts';
import { serve } from '../server/commands.ts';
import { log } from '../server/log.ts';

const portal = await openPortal();
const server = await serve(portal);
log('serve', `phục vụ ${portal.config.dataDir}/site tại ${server.url}/`);
