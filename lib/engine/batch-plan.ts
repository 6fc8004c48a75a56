/**
 * Packs a repository's deletions into BatchDeleteImage calls: as few calls as the dependency
 * order allows. The planner's layers say what must go before what (referrers and indexes before
 * what they reference); images with no reference either way ("free") may go in any call, so they
 * fill the partial last call of each layer instead of costing calls of their own.
 */
import type { PlannedImage } from '../core/plan-model.js';

/** Stages run one after another; the batches of a stage may run concurrently. */
export type BatchStages = PlannedImage[][][];

/**
 * Packs `layers` (from the planner's `deletionLayers`, planned deletions only) into stages of
 * batches of at most `size`. Every image appears in exactly one batch; an image is never in a
 * stage before something that references it.
 */
export function packBatches(layers: readonly (readonly PlannedImage[])[], size: number): BatchStages {
  const all = layers.flat();
  const digests = new Set(all.map((i) => i.imageDigest));
  const linked = new Set<string>();
  for (const image of all) {
    for (const parent of image.parentDigests ?? []) {
      if (digests.has(parent)) {
        linked.add(parent);
        linked.add(image.imageDigest);
      }
    }
    if (image.subjectDigest !== undefined && digests.has(image.subjectDigest)) {
      linked.add(image.subjectDigest);
      linked.add(image.imageDigest);
    }
  }
  const free = all.filter((i) => !linked.has(i.imageDigest));
  const stages: BatchStages = [];
  for (const layer of layers) {
    const bound = layer.filter((i) => linked.has(i.imageDigest));
    if (bound.length === 0) continue;
    const batches: PlannedImage[][] = [];
    for (let i = 0; i < bound.length; i += size) batches.push(bound.slice(i, i + size));
    stages.push(batches);
  }
  let next = 0;
  // Fill the partial last batch of each stage first, then give the rest whole batches in stage 0.
  for (const batches of stages) {
    const last = batches[batches.length - 1];
    if (!last) continue;
    while (last.length < size && next < free.length) last.push(free[next++] as PlannedImage);
  }
  if (next < free.length) {
    if (stages.length === 0) stages.push([]);
    const first = stages[0] as PlannedImage[][];
    for (; next < free.length; next += size) first.push(free.slice(next, next + size));
  }
  return stages;
}
