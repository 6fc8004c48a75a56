/**
 * Builds the per-repository and run-wide result records from the plan and the executor's
 * outcomes. Pure: every image of the plan gets exactly one outcome.
 */
import type { PlannedImage, RepositoryPlan } from '../core/plan-model.js';
import type { Outcome, RepositoryResult, RepositoryRunStatus, ResultCounts, ResultImage } from '../core/result-model.js';

/** Zeroed counters. */
export function emptyCounts(): ResultCounts {
  return { images: 0, planned: 0, deleted: 0, failed: 0, skipped: 0, wouldDelete: 0, kept: 0, archived: 0, bytesFreed: 0 };
}

/**
 * The outcome of a planned image when the executor did not act on it: kept and transition
 * decisions keep their reasons; a planned deletion gets `skipped` with `skipReason`.
 */
export function defaultOutcome(image: PlannedImage, skipReason: string): Outcome {
  if (image.decision === 'keep') return { status: 'kept', reason: image.reason };
  if (image.decision === 'transition') return { status: 'transition-planned', reason: image.reason };
  return { status: 'skipped', reason: skipReason };
}

/**
 * Counts of a repository's result images. `kept` includes `transition-planned` (nothing is
 * deleted); `archived` counts the images this run archived (they are neither kept nor deleted); `deleted` includes images already gone, which add no bytes. Bytes freed leave out
 * index manifests: ECR reports an index's size as its largest child's, counted with the child.
 */
export function countImages(images: readonly ResultImage[]): ResultCounts {
  const counts = emptyCounts();
  for (const image of images) {
    counts.images += 1;
    if (image.decision === 'delete') counts.planned += 1;
    switch (image.outcome.status) {
      case 'deleted':
        counts.deleted += 1;
        if (!image.outcome.alreadyGone && image.role !== 'index') counts.bytesFreed += image.sizeInBytes ?? 0;
        break;
      case 'failed':
        counts.failed += 1;
        break;
      case 'skipped':
        counts.skipped += 1;
        break;
      case 'would-delete':
        counts.wouldDelete += 1;
        break;
      case 'kept':
      case 'transition-planned':
        counts.kept += 1;
        break;
      case 'archived':
        counts.archived += 1;
        break;
    }
  }
  return counts;
}

/** Adds `b` into `a`. */
export function addCounts(a: ResultCounts, b: ResultCounts): void {
  a.images += b.images;
  a.planned += b.planned;
  a.deleted += b.deleted;
  a.failed += b.failed;
  a.skipped += b.skipped;
  a.wouldDelete += b.wouldDelete;
  a.kept += b.kept;
  a.archived += b.archived;
  a.bytesFreed += b.bytesFreed;
}

/**
 * A dry run's result for a planned repository: every planned deletion is `would-delete`, not
 * `skipped`, because nothing was attempted and nothing went wrong. `reason` says why an apply run
 * became a dry run (e.g. declined at the prompt); a plain dry run needs none.
 */
export function dryRunRepositoryResult(plan: RepositoryPlan, reason?: string): RepositoryResult {
  const outcome: Outcome = reason === undefined ? { status: 'would-delete' } : { status: 'would-delete', reason };
  const outcomes = new Map<string, Outcome>();
  for (const image of plan.images) if (image.decision === 'delete') outcomes.set(image.imageDigest, outcome);
  return repositoryResult(plan, 'completed', outcomes, 'dry run: nothing is deleted');
}

/** One repository's result: every planned image with its outcome. */
export function repositoryResult(
  plan: RepositoryPlan,
  status: RepositoryRunStatus,
  outcomes: ReadonlyMap<string, Outcome>,
  skipReason: string,
  extra: { statusReason?: string; error?: { code: string; message: string } } = {},
): RepositoryResult {
  const images: ResultImage[] = plan.images.map((image) => withOutcome(image, outcomes.get(image.imageDigest) ?? defaultOutcome(image, skipReason)));
  const result: RepositoryResult = {
    repositoryName: plan.repositoryName,
    policy: plan.policy,
    planStatus: plan.status,
    status,
    images,
    counts: countImages(images),
  };
  if (plan.settings) result.settings = plan.settings;
  const statusReason = extra.statusReason ?? plan.statusReason;
  if (statusReason !== undefined) result.statusReason = statusReason;
  if (extra.error) result.error = extra.error;
  return result;
}

/**
 * The planned image with its outcome: its own properties in their order, then `outcome`, like
 * `{ ...image, outcome }`. Not written as that spread: V8 gives a spread copy of a dozen
 * properties about four times the memory (~480 bytes, against ~130) and takes several times as
 * long, and a result holds one per image until the run ends, so every garbage collection of a
 * large sweep copied and marked them. `Object.assign` onto a fresh object defines the same own
 * properties in the same order, except an own `__proto__` (only a hand-made plan file has one),
 * which it would set as the prototype: that image keeps the spread.
 */
function withOutcome(image: PlannedImage, outcome: Outcome): ResultImage {
  if (Object.hasOwn(image, '__proto__')) return { ...image, outcome };
  const out = Object.assign({}, image) as ResultImage;
  out.outcome = outcome;
  return out;
}
