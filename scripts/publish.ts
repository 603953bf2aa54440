// npm run publish — read the whole published catalogue from the database again and write the
// publication snapshot (DATA_DIR/publish); the server publishes each change by itself, this is the
// operator's way to republish everything (after a restore, a hand edit, a change of rules).
// --site: bring the static site up to date too.
import { publish, runWith } from '../server/commands.ts';

await runWith((portal) => publish(portal, { full: true, site: process.argv.includes('--site') }));
