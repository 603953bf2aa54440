// npm run bench:site [-- 1000 10000]  — synthetic catalogue sizes (default 1,000 and 10,000); BENCH_SEARCH_ONLY=1: only the search data's full build and one-dataset updates
import { benchSite } from '../server/bench/site.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
await benchSite(sizes.length ? sizes : [1000, 10_000]);
