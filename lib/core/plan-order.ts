/**
 * The order in which the engine deletes a repository's planned deletions. ECR refuses to delete
 * a manifest an index still references (ImageReferencedByManifestList), so every manifest comes
 * after whatever references it: referrers before their subject, indexes before their children.
 */
import type { PlannedImage, RepositoryPlan } from './plan-model.js';

/**
 * The planned deletions grouped in layers: nothing in a layer is referenced by a later layer's
 * manifest, so each layer can be deleted (in batches, in parallel) once the previous one is gone.
 * Layer 0 holds referrers, indexes and plain images nothing else references; children and
 * subjects come in later layers. Within a layer, by digest.
 */
export function deletionLayers(plan: RepositoryPlan): PlannedImage[][] {
  const deleted = plan.images.filter((i) => i.decision === 'delete');
  const byDigest = new Map(deleted.map((i) => [i.imageDigest, i]));
  // referencedBy: manifest -> deleted manifests that reference it (its index, its referrers).
  const referencers = new Map<string, string[]>();
  const add = (target: string, from: string): void => {
    if (!byDigest.has(target) || target === from) return;
    const list = referencers.get(target);
    if (list) list.push(from);
    else referencers.set(target, [from]);
  };
  for (const image of deleted) {
    for (const parent of image.parentDigests ?? []) add(image.imageDigest, parent);
    if (image.subjectDigest !== undefined) add(image.subjectDigest, image.imageDigest);
  }
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const image of deleted) {
    const refs = (referencers.get(image.imageDigest) ?? []).filter((r) => byDigest.has(r));
    pending.set(image.imageDigest, refs.length);
    for (const r of refs) {
      const list = dependents.get(r);
      if (list) list.push(image.imageDigest);
      else dependents.set(r, [image.imageDigest]);
    }
  }
  const layers: PlannedImage[][] = [];
  let current = deleted.filter((i) => pending.get(i.imageDigest) === 0).map((i) => i.imageDigest);
  const placed = new Set<string>();
  while (current.length > 0) {
    current.sort();
    layers.push(current.map((d) => byDigest.get(d)!));
    for (const d of current) placed.add(d);
    const next: string[] = [];
    for (const d of current) {
      for (const dep of dependents.get(d) ?? []) {
        const left = pending.get(dep)! - 1;
        pending.set(dep, left);
        if (left === 0) next.push(dep);
      }
    }
    current = next;
  }
  // The planner never deletes a reference cycle; should a hand-made plan contain one, its members go last.
  const rest = deleted.filter((i) => !placed.has(i.imageDigest)).sort((a, b) => (a.imageDigest < b.imageDigest ? -1 : 1));
  if (rest.length > 0) layers.push(rest);
  return layers;
}

/**
 * The planned deletions in a safe execution order: referrers and indexes first, their subjects
 * and children after them. Flattened {@link deletionLayers}.
 *
 * @example for (const batch of chunk(deletionOrder(repoPlan), 100)) await batchDelete(batch)
 */
export function deletionOrder(plan: RepositoryPlan): PlannedImage[] {
  return deletionLayers(plan).flat();
}
