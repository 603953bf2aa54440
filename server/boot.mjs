// Loaded before anything else by the portal's commands (`node --import=./server/boot.mjs`, see
// package.json) and by the publish child (publish/job-main.ts). Plain JavaScript: it runs before
// Node's TypeScript loader has anything to do.
import path from 'node:path';
import { enableCompileCache, registerHooks } from 'node:module';

/**
 * Node's compile cache keeps each module's compiled code and, for TypeScript, the stripped source,
 * keyed by the source's hash. Without it every start strips every .ts file again, and each thread
 * that does (the ingest's output worker too) first loads the stripper, ~16 MB of memory per thread.
 * Worker threads and child processes inherit the environment variable, and with it the cache.
 */
const cacheDir = process.env.NODE_COMPILE_CACHE || path.join(import.meta.dirname, '..', 'node_modules', '.cache', 'node-compile-cache');
enableCompileCache(cacheDir);
process.env.NODE_COMPILE_CACHE = cacheDir;

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
