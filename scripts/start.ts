// npm start — migrate, load the demo catalogue, publish, build and serve the portal.
import { start } from '../server/commands.ts';

await start();
