// npm run bench:api [-- 10000] — the Action API under load (autocannon, 50 connections) on a synthetic snapshot.
import { benchApi } from '../server/bench/api.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length ? sizes : [10_000]) await benchApi(n);
