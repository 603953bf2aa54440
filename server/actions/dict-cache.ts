import type { ActionRun } from './dispatcher.ts';
import type { LoadedSnapshot } from '../publish/reader.ts';
import { packageDict } from '../formats/ckan.ts';
import { RawJson } from '../formats/raw-json.ts';

/**
 * A published dataset's package dict, serialised once per snapshot (a few KB each; the most recently
 * used 5,000 are kept), so that package_show and package_search only splice it into their answer.
 */
const dictCache = new WeakMap<LoadedSnapshot, Map<string, RawJson>>();
export function cachedPackageDict(run: Pick<ActionRun, 'services'>, snap: LoadedSnapshot, slug: string): RawJson | null {
  let cache = dictCache.get(snap);
  if (!cache) dictCache.set(snap, (cache = new Map()));
  let raw = cache.get(slug);
  if (raw) {
    cache.delete(slug);
    cache.set(slug, raw);
    return raw;
  }
  const d = run.services.snapshot.dataset(slug);
  if (!d) return null;
  raw = new RawJson(JSON.stringify(packageDict(d, snap.catalog, run.services.siteUrl)));
  cache.set(slug, raw);
  if (cache.size > 5000) cache.delete(cache.keys().next().value!);
  return raw;
}

