/**
 * Packs a repository's deletions into BatchDeleteImage calls. Deletions connected by a reference
 * (an index and its children, a subject and its referrers) form a group that goes into ONE call,
 * in the planner's safe order (referrers and indexes first): the group is then re-read together
 * just before the call, so a change to any member (say, the subject was tagged after the plan)
 * keeps the whole group, and no signature or child is deleted for an image that is now kept.
 * ECR handles one call's `imageIds` in request order (so does the emulator); should a registry
 * not, it refuses the children with ImageReferencedByManifestList and the executor retries them
 * once after the index is gone, so nothing unsafe can happen either way.
 *
 * Groups are packed largest first, then single images fill the gaps, so a repository costs
 * ceil(deletions / 100) calls unless groups leave gaps no single image can fill. A group larger
 * than a call (an index with more than 100 children...) is split in order across stages.
 */
import type { PlannedImage } from '../core/plan-model.js';

/** Stages run one after another; the batches of a stage may run concurrently. */
export type BatchStages = PlannedImage[][][];

/** The packing, plus which group each digest belongs to. */
export interface BatchPlan {
  stages: BatchStages;
  /** Digest -> group id; images alone in their group are absent. */
  groupOf: Map<string, number>;
  /** Group id -> its digests, in delete order. */
  groups: Map<number, string[]>;
}

/**
 * Packs `layers` (from the planner's `deletionLayers`, planned deletions only) into stages of
 * batches of at most `size`. Every image appears in exactly one batch; whatever references an
 * image is either earlier in the same batch or in an earlier stage; a group no larger than
 * `size` is never split.
 */
export function packBatches(layers: readonly (readonly PlannedImage[])[], size: number): BatchPlan {
  const ordered = layers.flat();
  const position = new Map(ordered.map((image, i) => [image.imageDigest, i]));
  const parent = ordered.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[i] !== root) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const pa = position.get(a);
    const pb = position.get(b);
    if (pa === undefined || pb === undefined) return;
    const ra = find(pa);
    const rb = find(pb);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (const image of ordered) {
    for (const p of image.parentDigests ?? []) union(image.imageDigest, p);
    if (image.subjectDigest !== undefined) union(image.imageDigest, image.subjectDigest);
  }
  const members = new Map<number, PlannedImage[]>();
  ordered.forEach((image, i) => {
    const root = find(i);
    const list = members.get(root);
    if (list) list.push(image);
    else members.set(root, [image]);
  });

  const groupOf = new Map<string, number>();
  const groups = new Map<number, string[]>();
  const singles: PlannedImage[] = [];
  const small: PlannedImage[][] = [];
  const big: PlannedImage[][] = [];
  for (const [root, list] of members) {
    if (list.length === 1) {
      singles.push(list[0] as PlannedImage);
      continue;
    }
    groups.set(root, list.map((i) => i.imageDigest));
    for (const image of list) groupOf.set(image.imageDigest, root);
    (list.length <= size ? small : big).push(list);
  }

  // Largest groups first (stable), next-fit; then single images fill every gap.
  small.sort((a, b) => b.length - a.length);
  const bins: PlannedImage[][] = [];
  let open: PlannedImage[] | undefined;
  for (const group of small) {
    if (!open || open.length + group.length > size) {
      open = [];
      bins.push(open);
    }
    open.push(...group);
  }
  let next = 0;
  for (const bin of bins) while (bin.length < size && next < singles.length) bin.push(singles[next++] as PlannedImage);
  for (; next < singles.length; next += size) bins.push(singles.slice(next, next + size));

  const stages: BatchStages = bins.length > 0 ? [bins] : [];
  for (const group of big) {
    for (let k = 0; k * size < group.length; k++) {
      while (stages.length <= k) stages.push([]);
      (stages[k] as PlannedImage[][]).push(group.slice(k * size, (k + 1) * size));
    }
  }
  return { stages, groupOf, groups };
}
