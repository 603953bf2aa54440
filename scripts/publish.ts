// npm run publish — write the publication snapshot (DATA_DIR/publish) from the catalogue.
import { publish, runWith } from '../server/commands.ts';

await runWith(publish);
