/**
 * The order in which the engine deletes a repository's planned deletions. ECR refuses to delete
 * a manifest an index still references (ImageReferencedByManifestList), so every child comes after
 * the indexes that list it. Referrers come before their subject, so a signature never outlives
 * what it signs, even briefly; when bad data makes the two orders conflict (a referrer that is also
 * a child of an index that is its own subject), the index order wins because ECR enforces it.
 */
import type { PlannedImage, RepositoryPlan } from './plan-model.js';

/**
 * The planned deletions grouped in layers: nothing in a layer is referenced by a manifest of a
 * later layer, so each layer can be deleted (in batches, in parallel) once the previous one is gone.
 * Layer 0 holds referrers, indexes and plain images nothing else references; children and
 * subjects come in later layers. Within a layer, by digest.
 */
export function deletionLayers(plan: RepositoryPlan): PlannedImage[][] {
  return actionLayers(plan, 'delete');
}

/**
 * The planned archive transitions in the same layers: ECR refuses to archive a manifest that an
 * index which is not archived still lists, so every child comes after the indexes that list it
 * (referrers before their subject, as for deletions).
 */
export function transitionLayers(plan: RepositoryPlan): PlannedImage[][] {
  return actionLayers(plan, 'transition');
}

function actionLayers(plan: RepositoryPlan, decision: 'delete' | 'transition'): PlannedImage[][] {
  const deleted = plan.images.filter((i) => i.decision === decision).sort((a, b) => (a.imageDigest < b.imageDigest ? -1 : 1));
  const first = layer(deleted, true);
  if (first.leftover.length === 0) return first.layers;
  const second = layer(deleted, false);
  // The planner never deletes a reference cycle; should a hand-made plan contain one, its members go last.
  return second.leftover.length === 0 ? second.layers : [...second.layers, second.leftover];
}

/**
 * The planned deletions in a safe execution order: referrers and indexes first, their subjects
 * and children after them. Flattened {@link deletionLayers}; to batch, prefer the layers, so an
 * index and its children never share a BatchDeleteImage call.
 *
 * @example for (const batch of chunk(deletionOrder(repoPlan), 100)) await batchDelete(batch)
 */
export function deletionOrder(plan: RepositoryPlan): PlannedImage[] {
  return deletionLayers(plan).flat();
}

/** Kahn's algorithm over "must be deleted before" edges among the deleted manifests. */
function layer(deleted: readonly PlannedImage[], referrerEdgesFromChildren: boolean): { layers: PlannedImage[][]; leftover: PlannedImage[] } {
  const position = new Map(deleted.map((image, k) => [image.imageDigest, k]));
  const pending = new Int32Array(deleted.length);
  const after: number[][] = deleted.map(() => []);
  const edge = (before: number | undefined, then: number | undefined): void => {
    if (before === undefined || then === undefined || before === then) return;
    after[before]!.push(then);
    pending[then]!++;
  };
  deleted.forEach((image, k) => {
    for (const parent of image.parentDigests ?? []) edge(position.get(parent), k);
    if (image.subjectDigest !== undefined && (referrerEdgesFromChildren || !image.parentDigests?.length)) {
      edge(k, position.get(image.subjectDigest));
    }
  });
  const layers: PlannedImage[][] = [];
  let current: number[] = [];
  for (let k = 0; k < deleted.length; k++) if (pending[k] === 0) current.push(k);
  let placed = 0;
  while (current.length > 0) {
    current.sort((a, b) => a - b);
    layers.push(current.map((k) => deleted[k]!));
    placed += current.length;
    const next: number[] = [];
    for (const k of current) for (const t of after[k]!) if (--pending[t]! === 0) next.push(t);
    current = next;
  }
  const leftover = placed === deleted.length ? [] : deleted.filter((_, k) => pending[k]! > 0);
  return { layers, leftover };
}
