// npm run bench:ingest [-- 100 1000]  — sizes in MB (default 100 and 1000)
import { benchIngest } from '../server/bench/ingest.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
await benchIngest(sizes.length ? sizes : [100, 1000]);
