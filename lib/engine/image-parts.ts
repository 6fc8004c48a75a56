/**
 * Plans and results whose images live in an image part store (`deps.imageParts`): the engine
 * writes a repository's images once and keeps the repository's summary (name, status, counts,
 * settings) with an `images` property that reads them back when asked. Every reader of a plan or
 * result (the executor, the reports, `JSON.stringify`) sees an ordinary array, and only the
 * repositories being worked on are in memory at a time.
 */
import type { PlannedImage, RepositoryPlan } from '../core/plan-model.js';
import type { RepositoryResult, ResultImage } from '../core/result-model.js';
import type { ImagePartStore } from './types.js';

/**
 * `holder` with its images written to the store under `key` and read back on demand. Reading
 * gives a fresh array each time (or the store's last one); assigning `images` replaces the getter
 * with the value, as on a plain object.
 */
function aside<T extends { images: I[] }, I>(holder: T, write: (images: readonly I[]) => void, read: () => I[]): T {
  write(holder.images);
  const copy = { ...holder };
  Object.defineProperty(copy, 'images', {
    enumerable: true,
    configurable: true,
    get: read,
    set(value: I[]) {
      Object.defineProperty(copy, 'images', { value, enumerable: true, configurable: true, writable: true });
    },
  });
  return copy;
}

/** `plan` with its images kept in `store` under `key` (the repository name, or a variant of it). */
export function planAside(store: ImagePartStore, plan: RepositoryPlan, key: string = plan.repositoryName): RepositoryPlan {
  return aside<RepositoryPlan, PlannedImage>(plan, (images) => store.writePlanImages(key, images), () => store.readPlanImages(key));
}

/** `result` with its images kept in `store` under `key` (the repository name, or a variant of it). */
export function resultAside(store: ImagePartStore, result: RepositoryResult, key: string = result.repositoryName): RepositoryResult {
  return aside<RepositoryResult, ResultImage>(result, (images) => store.writeResultImages(key, images), () => store.readResultImages(key));
}
