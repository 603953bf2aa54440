import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AstroIntegration, AstroPrerenderer } from 'astro';
import { log } from '../log.ts';

/**
 * With a prerenderer set, Astro expects the adapter to bring its own prerender entry (as the Cloudflare
 * adapter does); ours renders Astro's standard one, so it is named here (a config update for
 * 'astro:config:setup').
 */
export function prerenderEntry() {
  return { vite: { plugins: [{
    name: 'portal:prerender-entry',
    configEnvironment(name: string, config: { build?: { rolldownOptions?: { input?: unknown } } }) {
      if (name === 'prerender' && config.build?.rolldownOptions?.input === undefined) return { build: { rolldownOptions: { input: 'astro/entrypoints/prerender' } } };
    },
  }] } };
}

/**
 * Astro renders static pages one at a time on one thread: at 10,000 datasets (21,000 pages) the build
 * used one of the two cores (bench:site). This integration hands Astro a prerenderer whose pages are
 * rendered by worker threads, each running the same prerender bundle; Astro still decides the paths and
 * writes every file, so the output is the same. `onRenderStart` runs once rendering begins (after
 * Astro has emptied and bundled the output folder), for work that may then write beside the pages.
 */
export function prerenderPool(opts: { workers: number; onRenderStart?: () => void }): { integration: AstroIntegration; stats: { htmlPages: number } } {
  const stats = { htmlPages: 0 };
  const integration: AstroIntegration = {
    name: 'portal:prerender-pool',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => { updateConfig(prerenderEntry()); },
      'astro:config:done': ({ config }) => {
        outDir = config.outDir;
      },
      'astro:build:start': ({ setPrerenderer }) => {
        setPrerenderer((fallback: Prerenderer) => pooled(fallback));
      },
    },
  };
  let outDir: URL;

  function pooled(fallback: Prerenderer): Prerenderer {
    let workers: PoolWorker[] = [];
    let kept: string | null = null;
    let keptInit: WorkerInit | null = null;
    const count = (res: Response) => {
      if (res.status < 300 || res.status === 404) if ((res.headers.get('content-type') ?? '').startsWith('text/html')) stats.htmlPages++;
      return res;
    };
    return {
      name: 'portal:prerender-pool',
      async setup() {
        const found = findPrerenderEntry(outDir);
        const entry = opts.workers > 1 ? found : null;
        kept = found;
        let captured: { internals?: BuildInternals; options?: BuildOptions } = {};
        if (found) {
          // The default prerenderer imports this same module and hands its app the build's internals:
          // importing it first lets us see what the workers' apps need to render the same head.
          const mod = (await nativeImport(pathToFileURL(found).href)) as { app: BuildAppLike };
          captured = capture(mod.app);
        }
        await fallback.setup?.();
        opts.onRenderStart?.();
        if (!captured.internals || !captured.options) return;
        const init = shareable(captured.internals, captured.options);
        keptInit = init;
        if (!entry) return;
        workers = await Promise.all(Array.from({ length: opts.workers }, () => startWorker(entry, init)));
        log('site', `dựng trang bằng ${workers.length} luồng`);
      },
      getStaticPaths: () => fallback.getStaticPaths(),
      async render(request, options) {
        if (workers.length === 0 || options.collectMetadata) return count(unwrap(await fallback.render(request, options)));
        const w = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
        return count(await w.render(request.url, options.routeData));
      },
      async teardown() {
        await Promise.all(workers.map((w) => w.worker.terminate()));
        workers = [];
        // Astro removes its prerender bundle after this: a copy lets later publishes render only the
        // pages a change touches, with the same code (server/publish/incremental.ts)
        if (kept && keptInit) {
          const to = path.join(outDir.pathname, 'prerender');
          fs.cpSync(path.dirname(kept), to, { recursive: true });
          fs.writeFileSync(path.join(to, 'render-init.json'), JSON.stringify({ entry: path.basename(kept), init: keptInit }));
        }
        await fallback.teardown?.();
      },
    };
  }
  return { integration, stats };
}

type Prerenderer = AstroPrerenderer;
/**
 * Node's own import(), even when a test runner rewrites this module's imports (vitest does): the
 * bundle must be the very instance Astro imports, whose app the capture below sees.
 */
const nativeImport = async (url: string): Promise<unknown> => createRequire(import.meta.url)(fileURLToPath(url));
export type RouteData = { route: string; component: string };
// What the default prerenderer hands its app (Astro internals, read only to copy to the workers).
type BuildInternals = { pagesByKeys: Map<string, { styles?: unknown[] }>; entrySpecifierToBundleMap: Map<string, string> };
type BuildOptions = { settings: { scripts: { stage: string; content: string }[] } };
type BuildAppLike = { setInternals(i: unknown): void; setOptions(o: unknown): void };
export type WorkerInit = { pages: [string, { styles: unknown[] }][]; bundles: [string, string][]; scripts: { stage: string; content: string }[] };

const unwrap = (r: Response | { response: Response }) => (r instanceof Response ? r : r.response);

function findPrerenderEntry(outDir: URL): string | null {
  for (const dir of [path.join(outDir.pathname, 'server', '.prerender'), path.join(outDir.pathname, '.prerender')]) {
    if (!fs.existsSync(dir)) continue;
    const entries = fs.readdirSync(dir).filter((n) => /^prerender-entry\..*\.mjs$/.test(n));
    if (entries.length === 1) return path.join(dir, entries[0]!);
  }
  return null;
}

function capture(app: BuildAppLike): { internals?: BuildInternals; options?: BuildOptions } {
  const got: { internals?: BuildInternals; options?: BuildOptions } = {};
  const setInternals = app.setInternals.bind(app);
  const setOptions = app.setOptions.bind(app);
  app.setInternals = (i) => { got.internals = i as BuildInternals; setInternals(i); };
  app.setOptions = (o) => { got.options = o as BuildOptions; setOptions(o); };
  return got;
}

/** What rendering reads from the build beyond the bundle: each page's styles, the page-script bundle, inline head scripts. */
function shareable(internals: BuildInternals, options: BuildOptions): WorkerInit {
  return {
    pages: [...internals.pagesByKeys].map(([key, page]) => [key, { styles: structuredClone(page.styles ?? []) }]),
    bundles: [...internals.entrySpecifierToBundleMap],
    scripts: options.settings.scripts.map((s) => ({ stage: s.stage, content: s.content })),
  };
}

type PoolWorker = { worker: Worker; pending: Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>; render: (url: string, route: RouteData) => Promise<Response> };

async function startWorker(entry: string, init: WorkerInit): Promise<PoolWorker> {
  const worker = new Worker(new URL('./prerender-worker.ts', import.meta.url), { workerData: { entry, init } });
  const pending: PoolWorker['pending'] = new Map();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
    worker.once('error', reject);
  });
  worker.on('message', (m: { id: number; status: number; headers: [string, string][]; body: ArrayBuffer | null; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(new Response(m.body, { status: m.status, headers: m.headers }));
  });
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  return {
    worker,
    pending,
    render(url, route) {
      const id = next++;
      return new Promise<Response>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, url, route: route.route, component: route.component });
      });
    },
  };
}
