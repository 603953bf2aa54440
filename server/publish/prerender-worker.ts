// One rendering thread of the prerender pool (prerender-pool.ts): loads Astro's prerender bundle and
// renders the pages it is sent; Astro's main thread writes them.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { RouteData, WorkerInit } from './prerender-pool.ts';

type App = {
  manifest: { routes: { routeData: RouteData & { prerender?: boolean } }[] };
  setInternals(i: unknown): void;
  setOptions(o: unknown): void;
  render(request: Request, options: { routeData: RouteData }): Promise<Response>;
};

const { entry, init } = workerData as { entry: string; init: WorkerInit };
const port = parentPort!;

try {
  const { app } = (await import(pathToFileURL(entry).href)) as { app: App };
  app.setInternals({ pagesByKeys: new Map(init.pages), entrySpecifierToBundleMap: new Map(init.bundles) });
  const destination = {
    write(event: { level: string; label?: string | null; message: string }) {
      if (event.level === 'warn' || event.level === 'error') process.stderr.write(`[astro${event.label ? ' ' + event.label : ''}] ${event.message}\n`);
      return true;
    },
  };
  app.setOptions({ settings: { scripts: init.scripts }, logger: { options: { destination } } });
  const routes = new Map(app.manifest.routes.map((r) => [`${r.routeData.route}\0${r.routeData.component}`, r.routeData]));
  // a partial update names pages by route alone (site-update.ts): the prerendered ones are unique by it
  const prerendered = new Map(app.manifest.routes.filter((r) => r.routeData.prerender && !r.routeData.route.startsWith('/_')).map((r) => [r.routeData.route, r.routeData]));

  port.on('message', async (m: { id: number; url: string; route: string; component?: string }) => {
    try {
      const routeData = m.component === undefined ? prerendered.get(m.route) : routes.get(`${m.route}\0${m.component}`);
      if (!routeData) throw new Error(`route not in the prerender bundle: ${m.route}`);
      const res = await app.render(new Request(m.url), { routeData });
      const body = res.body === null ? null : await res.arrayBuffer();
      port.postMessage({ id: m.id, status: res.status, headers: [...res.headers], body }, body ? [body] : []);
    } catch (err) {
      port.postMessage({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  port.postMessage({ ready: true, routes: [...prerendered.keys()] });
} catch (err) {
  port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
