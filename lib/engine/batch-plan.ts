/**
 * Packs a repository's deletions into BatchDeleteImage calls: exactly ceil(n / 100) calls.
 * The deletions are taken in the planner's safe order (referrers and indexes before what they
 * reference) and cut into consecutive batches. A batch may hold an index followed by its children:
 * ECR processes `imageIds` in request order (so does the emulator), and should a registry not do
 * so, it refuses the children with ImageReferencedByManifestList, which the executor retries once
 * after the index is gone; nothing unsafe can happen either way. A batch that holds a manifest
 * referenced from an EARLIER batch goes into a later stage, so it starts only after that batch.
 */
import type { PlannedImage } from '../core/plan-model.js';

/** Stages run one after another; the batches of a stage may run concurrently. */
export type BatchStages = PlannedImage[][][];

/**
 * Packs `layers` (from the planner's `deletionLayers`, planned deletions only) into stages of
 * batches of at most `size`. Every image appears in exactly one batch; whatever references an
 * image is either in an earlier stage or earlier in the same batch.
 */
export function packBatches(layers: readonly (readonly PlannedImage[])[], size: number): BatchStages {
  const ordered = layers.flat();
  const batchOf = new Map<string, number>();
  const batches: PlannedImage[][] = [];
  for (let i = 0; i < ordered.length; i += size) {
    const batch = ordered.slice(i, i + size);
    for (const image of batch) batchOf.set(image.imageDigest, batches.length);
    batches.push(batch);
  }
  // Referencers of each image within the deletions: its indexes, and referrers whose subject it is.
  const referencers = new Map<string, string[]>();
  const link = (target: string, from: string): void => {
    if (!batchOf.has(target) || !batchOf.has(from)) return;
    const list = referencers.get(target);
    if (list) list.push(from);
    else referencers.set(target, [from]);
  };
  for (const image of ordered) {
    for (const parent of image.parentDigests ?? []) link(image.imageDigest, parent);
    if (image.subjectDigest !== undefined) link(image.subjectDigest, image.imageDigest);
  }
  const stageOf: number[] = [];
  batches.forEach((batch, b) => {
    let stage = 0;
    for (const image of batch) {
      for (const from of referencers.get(image.imageDigest) ?? []) {
        const source = batchOf.get(from) as number;
        if (source < b) stage = Math.max(stage, (stageOf[source] as number) + 1);
      }
    }
    stageOf.push(stage);
  });
  const stages: BatchStages = [];
  batches.forEach((batch, b) => {
    const stage = stageOf[b] as number;
    while (stages.length <= stage) stages.push([]);
    (stages[stage] as PlannedImage[][]).push(batch);
  });
  return stages;
}
