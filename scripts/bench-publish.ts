// npm run bench:publish [-- 1000] — time from publishing a version to seeing it on the public site.
import { benchPublish } from '../server/bench/publish.ts';

const n = Number(process.argv[2] ?? 1000);
await benchPublish(n > 0 ? n : 1000);
