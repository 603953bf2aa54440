// One site build in its own process, so its peak RSS is its own.
//   site-child.ts <dataDir>                 the full build (buildSite), as a publish runs it
//   site-child.ts <dataDir> --search-only   only what a search on the list page reads: /dataset/ rendered by the
//                                           same templates from the same snapshot, its scripts and styles, and
//                                           the search data, precompressed — no dataset pages (bench:site at 100,000)
import fs from 'node:fs';
import path from 'node:path';
import { buildSite } from '../publish/site-build.ts';
import { prerenderEntry } from '../publish/prerender-pool.ts';

const dataDir = process.argv[2]!;
if (process.argv[3] !== '--search-only') {
  const r = await buildSite({ dataDir, siteUrl: 'http://localhost:4321' });
  console.log(JSON.stringify({ ms: r.ms, pages: r.pages, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const started = Date.now();
  const { projectRoot } = await import('../config.ts');
  const { linkSearchData } = await import('../publish/search-index.ts');
  const { precompress } = await import('../publish/compress.ts');
  const { switchLink } = await import('../publish/snapshot.ts');
  const snapshot = fs.realpathSync(path.join(dataDir, 'publish'));
  process.env.PORTAL_SNAPSHOT_DIR = snapshot;
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  // Astro prerenders inside the project (its bundle imports the project's packages)
  const work = path.join(projectRoot, '.build', `bench-search-only-${process.pid}`);
  const only = new Set(['/dataset', '/dataset/', '/404']);
  let pages = 0;
  try {
    const { build } = await import('astro');
    await build({
      root: projectRoot, outDir: work, site: 'http://localhost:4321', logLevel: 'warn', mode: 'production',
      integrations: [{
        name: 'bench:search-only',
        hooks: {
          // with a prerenderer set, the prerender entry must be named
          'astro:config:setup': ({ updateConfig }) => { updateConfig(prerenderEntry()); },
          'astro:build:start': ({ setPrerenderer }) => {
            setPrerenderer((fallback) => ({
              name: 'bench:search-only',
              setup: async () => { await fallback.setup?.(); },
              getStaticPaths: async () => { const all = await fallback.getStaticPaths(); return all.filter((p) => only.has(p.pathname)); },
              render: async (request, options) => { pages++; return fallback.render(request, options); },
              teardown: async () => { await fallback.teardown?.(); },
            }));
          },
        },
      }],
    });
    const dir = path.join(dataDir, 'site-builds', 'search-only');
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(work, 'client'), path.join(dir, 'client'), { recursive: true });
    linkSearchData(snapshot, path.join(dir, 'client'), (from, to) => fs.linkSync(from, to));
    await precompress(path.join(dir, 'client'));
    switchLink(path.join(dataDir, 'site'), dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ ms: Date.now() - started, pages, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}
