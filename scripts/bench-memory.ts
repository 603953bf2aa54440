// npm run bench:memory [-- 1000] — npm start's memory idle and while it takes an upload of n MB (default 1,000)
import { benchServerMemory } from '../server/bench/server-memory.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const mb of sizes.length ? sizes : [1000]) await benchServerMemory(mb);
