/**
 * Counts and the whole-registry plan document. Bytes to free are an upper bound of what a
 * deletion frees: see docs/planner.md ("How bytes are counted").
 */
import type { Mode } from './rules-model.js';
import type { Plan, PlanCounts, PlanWarning, PlannedImage, RepositoryPlan } from './plan-model.js';
import { heldBackBy } from './policy-settings.js';

/**
 * Counts one repository's decisions. `bytesToFree` sums the sizes of deleted manifests that are
 * not indexes: an index's reported size is its largest child's, and the children are counted
 * themselves. Layers shared between images are counted once per image (an upper bound); an
 * unknown size counts 0.
 */
export function countImages(images: readonly PlannedImage[], isIndex: (image: PlannedImage) => boolean): PlanCounts {
  const counts: PlanCounts = { images: images.length, delete: 0, keep: 0, transition: 0, bytesToFree: 0 };
  for (const image of images) {
    counts[image.decision]++;
    if (image.decision === 'delete' && image.sizeInBytes !== null && !isIndex(image)) counts.bytesToFree += image.sizeInBytes;
  }
  return counts;
}

/**
 * Assembles the plan document from repository plans: repositories sorted by name, per-plan
 * counts summed. `now` is epoch ms.
 *
 * @example summarizePlan([planRepository(inv, rules, now)], now, 'dry-run').summary.delete
 */
export function summarizePlan(
  repositoryPlans: readonly RepositoryPlan[],
  now: number,
  mode: Mode,
  warnings: readonly PlanWarning[] = [],
): Plan {
  const repositories = [...repositoryPlans].sort((a, b) =>
    a.repositoryName < b.repositoryName ? -1 : a.repositoryName > b.repositoryName ? 1 : 0,
  );
  const summary: Plan['summary'] = {
    repositories: repositories.length,
    blockedRepositories: 0,
    images: 0,
    delete: 0,
    keep: 0,
    transition: 0,
    bytesToFree: 0,
  };
  for (const r of repositories) {
    if (r.status === 'blocked') summary.blockedRepositories++;
    summary.images += r.counts.images;
    summary.delete += r.counts.delete;
    summary.keep += r.counts.keep;
    summary.transition += r.counts.transition;
    summary.bytesToFree += r.counts.bytesToFree;
  }
  return { version: 1, now: new Date(now).toISOString(), mode, repositories, summary, warnings: [...warnings] };
}

/** What an apply run of a plan would carry out: planned actions outside policies held back in dry-run. */
export interface ApplyScope {
  delete: number;
  bytesToFree: number;
  /** Repositories with deletions to carry out. */
  repositories: number;
  /** Archive transitions to carry out (planned, not blocked, repositories only). */
  transition: number;
  /** Repositories with transitions to carry out. */
  archivingRepositories: number;
  /** Planned deletions in repositories whose policy says `mode: dry-run` (shown, never deleted). */
  heldBack: number;
}

/**
 * The actions an apply run of `plan` would attempt: the plan's planned deletions and archive
 * transitions, minus those in repositories held back by their policy's `mode: dry-run`. The
 * apply prompt asks about these.
 *
 * @example applyScope(plan).delete // images an apply run would try to delete
 */
export function applyScope(plan: Plan): ApplyScope {
  const scope: ApplyScope = { delete: 0, bytesToFree: 0, repositories: 0, transition: 0, archivingRepositories: 0, heldBack: 0 };
  for (const r of plan.repositories) {
    if (r.status !== 'planned') continue;
    if (heldBackBy(r.settings) !== undefined) {
      scope.heldBack += r.counts.delete;
      continue;
    }
    if (r.counts.delete > 0) {
      scope.delete += r.counts.delete;
      scope.bytesToFree += r.counts.bytesToFree;
      scope.repositories += 1;
    }
    if (r.counts.transition > 0) {
      scope.transition += r.counts.transition;
      scope.archivingRepositories += 1;
    }
  }
  return scope;
}
