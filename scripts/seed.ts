// npm run seed — load the demo catalogue in datasets/ through the ingest path (exit 1 if a dataset failed).
import { runWith, seed } from '../server/commands.ts';

await runWith(async (p) => {
  const results = await seed(p);
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
});
