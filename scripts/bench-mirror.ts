// npm run bench:mirror [-- 1000] — time to push n datasets to a second portal, then after one change.
import { benchMirror } from '../server/bench/mirror.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length ? sizes : [1000]) await benchMirror(n);
