// npm run build:site — build the static site from the current snapshot into DATA_DIR/site.
import { build, runWith } from '../server/commands.ts';

await runWith(build);
