// npm run ingest -- <file> --dataset <slug> | --new --org <unit> --title "<title>"  (see --help)
import { runIngestCli } from '../server/cli/ingest.ts';

process.exitCode = await runIngestCli(process.argv.slice(2));
