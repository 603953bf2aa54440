// One site build in its own process, so its peak RSS is its own.
import { buildSite } from '../publish/site-build.ts';

const r = await buildSite({ dataDir: process.argv[2]!, siteUrl: 'http://localhost:4321' });
console.log(JSON.stringify({ ms: r.ms, pages: r.pages, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
