// npm run build:site — build the static site from the current snapshot into DATA_DIR/site.
// PORTAL_HOLD_BUILD_FOR=<pid> keeps the build's server part (workspace pages) for that process to load.
import { build, runWith } from '../server/commands.ts';
import { markServerBuildInUse } from '../server/publish/site-build.ts';
import { log } from '../server/log.ts';

await runWith(async (portal) => {
  const result = await build(portal);
  const holder = Number(process.env.PORTAL_HOLD_BUILD_FOR);
  if (holder > 0) markServerBuildInUse(result.serverEntry, holder);
  log('site', `server entry: ${result.serverEntry}`);
});
