// Loaded before everything else by the portal's commands (`node --import=./server/module-hooks.ts`, see
// package.json) and by the publish child (job-main.ts).
import { registerHooks } from 'node:module';

/**
 * Node 24 parses a package's whole "exports" map again for every file it loads from the package
 * (getPackageScopeConfig spreads an object whose `exports` is parsed on each read, to learn the
 * file's module type). drizzle-orm's map is 179 KB and the portal loads ~300 of its files, so that
 * took ~270 ms of every start: the server, each `npm run ingest`, each publish. drizzle-orm is an ES
 * module package ("type": "module") whose files import each other by relative `.js` paths: those are
 * resolved here, as Node would resolve them, without asking for the package's configuration.
 */
const DRIZZLE = new URL('../node_modules/drizzle-orm/', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (context.parentURL?.startsWith(DRIZZLE) && specifier.startsWith('.') && specifier.endsWith('.js')) {
      return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});
