/**
 * Holding a repository's plan back after planning: every deletion and archive becomes a keep that
 * says why and what the rules would have done, so every count (plan summary, reports, the CLI)
 * reads "nothing happens here", the same way the planner's own safety limits block a repository.
 */
import type { PlannedImage, RepositoryPlan } from './plan-model.js';

/**
 * A copy of `plan`, status `blocked` with `statusReason`, in which no image is deleted or archived.
 * Each held image's reason reads `keep: repository blocked, <why>; without the block: <reason>`.
 * A plan with nothing to delete or archive is returned as it is.
 *
 * @example
 * holdRepositoryPlan(plan, 'in-use source ECS could not be read (...)').counts.delete // 0
 */
export function holdRepositoryPlan(plan: RepositoryPlan, statusReason: string): RepositoryPlan {
  if (plan.counts.delete === 0 && plan.counts.transition === 0) return plan;
  const images = plan.images.map((image): PlannedImage => {
    if (image.decision === 'keep') return image;
    return { ...image, decision: 'keep', rule: null, reason: `keep: repository blocked, ${statusReason}; without the block: ${image.reason}` };
  });
  return {
    ...plan,
    status: 'blocked',
    statusReason,
    images,
    counts: {
      images: plan.counts.images,
      delete: 0,
      transition: 0,
      keep: plan.counts.keep + plan.counts.delete + plan.counts.transition,
      bytesToFree: 0,
    },
  };
}
