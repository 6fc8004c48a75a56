/**
 * Executes one repository's deletions from its plan (apply mode only): referrers and indexes
 * before what they reference; batches of at most 100 digests; each batch re-read just
 * before its BatchDeleteImage so an image tagged, re-pushed or pulled after planning is skipped.
 * Per-image results are data (outcomes); a call that still fails after retries fails the
 * repository, whose remaining batches are skipped, and the sweep goes on with the others.
 * A delete whose answer was lost is accounted honestly: what it removed counts as deleted by
 * this run (see {@link goneOutcome}), found by a recheck with a bounded number of calls.
 */
import type { LimitFunction } from 'p-limit';
import type { RepositoryPlan, PlannedImage } from '../core/plan-model.js';
import type { Outcome } from '../core/result-model.js';
import type { ImageRecord } from '../core/inventory.js';
import { chunk } from '../core/chunk.js';
import { MAX_IMAGE_IDS_PER_CALL, type DeleteBatchResult, type OwnIndexReads, type Registry, type RereadResult, type RetryPause } from './ports.js';
import { isIndexMediaType } from '../core/inventory.js';
import { errorCode } from '../errors.js';
import { DeadlineReachedError } from './errors.js';
import { packBatches } from './batch-plan.js';
import type { RunControl } from './run-control.js';

/** What the executor needs from the sweep. */
export interface ExecutorContext {
  registry: Registry;
  run: RunControl;
  /** Limits batches in progress across the whole sweep. */
  batchLimit: LimitFunction;
  /** Called with the number of planned deletions settled (any outcome). */
  onSettled?: (count: number) => void;
  /**
   * The outer retry policy (the sweep's registry connection) for a failed BatchDeleteImage, which
   * the connection leaves to the executor so the batch is re-read before each retry. Without it a
   * failed delete call fails its batch at once.
   */
  retry?: { pause: RetryPause };
  /**
   * In-use protection (lib/engine/in-use-guard.ts), asked before every batch: the images of the
   * batch that are in use now (or tied to one), each with its reason. It may rescan first, and it
   * stops the run (RunControl.abort) when a source can no longer be read.
   */
  inUseGuard?: (plan: RepositoryPlan, batch: readonly PlannedImage[]) => Promise<ReadonlyMap<string, string>>;
}

/** Outcome of executing one repository. */
export interface RepositoryExecution {
  /** Outcome per digest, for every image the plan meant to delete. */
  outcomes: Map<string, Outcome>;
  /**
   * `not-started` also covers a repository the deadline or an abort stopped part-way (see
   * `statusReason`); `blocked` is the engine's own safety check refusing to start it.
   */
  status: 'completed' | 'failed' | 'not-started' | 'blocked';
  statusReason?: string;
  error?: { code: string; message: string };
}

/**
 * Deletes what `plan` marks for deletion, in the order of the planner's `deletionLayers`
 * (referrers and indexes before what they reference), packed by {@link packBatches}: each
 * index/referrer group in one call, re-read together, kept together when any member changed.
 * `ownIndexReads` is what the sweep's own index reads did to pull times (from the listing).
 */
export async function executeRepository(
  ctx: ExecutorContext,
  plan: RepositoryPlan,
  layers: readonly (readonly PlannedImage[])[],
  ownIndexReads?: OwnIndexReads,
): Promise<RepositoryExecution> {
  const outcomes = new Map<string, Outcome>();
  let failure: { code: string; message: string } | undefined;
  let stoppedBy: string | undefined;
  let attempted = false;
  const pendingReferenced: PlannedImage[] = [];
  /** Refused with ImageReferencedByManifestList on the final retry too. */
  const refusedAgain: { image: PlannedImage; message: string }[] = [];
  const packing = packBatches(
    layers.map((layer) => layer.filter((i) => i.decision === 'delete')),
    MAX_IMAGE_IDS_PER_CALL,
  );
  /** Group id -> the digest whose change keeps the group. */
  const changedGroups = new Map<number, string>();
  /**
   * Digests sent in a BatchDeleteImage whose answer never came (timeout, reset, 5xx after the
   * server may have acted): were they present at the re-read before it, gone now means this run
   * deleted them.
   */
  const sentUnanswered = new Set<string>();

  const settle = (images: readonly PlannedImage[], outcome: Outcome): void => {
    for (const image of images) outcomes.set(image.imageDigest, outcome);
    ctx.onSettled?.(images.length);
  };

  const runBatch = async (whole: readonly PlannedImage[], final: boolean): Promise<void> => {
    let batch = whole;
    if (ctx.inUseGuard && !failure) {
      // Before the stop check: a source that fails on the rescan stops this very batch.
      const held = await ctx.inUseGuard(plan, batch);
      if (held.size > 0) {
        for (const image of batch) {
          const reason = held.get(image.imageDigest);
          if (reason !== undefined) settle([image], { status: 'skipped', reason });
        }
        batch = batch.filter((i) => !held.has(i.imageDigest));
        if (batch.length === 0) return;
      }
    }
    if (failure) {
      settle(batch, { status: 'skipped', reason: `repository failed earlier in this run: ${failure.code}` });
      return;
    }
    const stop = ctx.run.stopReason();
    if (stop) {
      stoppedBy ??= stop.reason;
      settle(batch, { status: 'skipped', reason: stop.kind === 'deadline' ? stop.reason : `aborted: ${stop.reason}` });
      return;
    }
    attempted = true;
    // The images still to settle; a retried delete re-reads them first, so an image tagged,
    // pushed or pulled during the backoff is skipped as changed since plan.
    let pending: readonly PlannedImage[] = batch;
    // After a lost answer the pending images keep their reservation: those it deleted stay counted.
    let reserved = false;
    try {
      for (let attempt = 1; ; attempt += 1) {
        const toDelete = await rereadForDelete(pending);
        if (reserved) ctx.run.release(pending.filter((i) => outcomes.get(i.imageDigest)?.status === 'skipped').length, plan.policy);
        if (toDelete.length === 0) return;
        if (!reserved && !ctx.run.reserve(toDelete.length, plan.policy)) {
          stoppedBy ??= ctx.run.abortedReason;
          settle(toDelete, { status: 'skipped', reason: `aborted: ${ctx.run.abortedReason ?? 'safety limit'}` });
          return;
        }
        reserved = true;
        let result: DeleteBatchResult;
        try {
          result = await ctx.registry.deleteImages(plan.repositoryName, toDelete.map((i) => i.imageDigest));
        } catch (error) {
          for (const image of toDelete) sentUnanswered.add(image.imageDigest);
          if (!ctx.retry) throw error;
          // Throws when not retryable, out of attempts, or past the deadline (the attempt stays counted).
          await ctx.retry.pause('BatchDeleteImage', attempt, error);
          pending = toDelete;
          continue;
        }
        await settleDeleteResult(toDelete, result, final);
        return;
      }
    } catch (error) {
      const open = batch.filter((i) => !outcomes.has(i.imageDigest));
      if (error instanceof DeadlineReachedError) {
        // Not a broken repository: the deadline came while a call was still being retried.
        ctx.run.markDeadline();
        stoppedBy ??= error.message;
        settle(open, { status: 'skipped', reason: `${error.message}; the next run continues` });
        return;
      }
      const code = errorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      failure ??= { code, message };
      settle(open, { status: 'failed', code, message });
    }
  };

  /**
   * Reads `images` again. Before a first delete few are expected gone (split on a miss); after a
   * lost answer most are, so the recheck reads them in a bounded number of calls.
   */
  const readAgain = (images: readonly PlannedImage[]): Promise<RereadResult> => {
    const digests = images.map((i) => i.imageDigest);
    return digests.some((d) => sentUnanswered.has(d))
      ? ctx.registry.recheckImages(plan.repositoryName, digests, plan.images.length)
      : ctx.registry.rereadImages(plan.repositoryName, digests, plan.images.length);
  };

  /** Re-reads `images` and settles those gone or changed since plan; returns the ones to delete. */
  const rereadForDelete = async (images: readonly PlannedImage[]): Promise<PlannedImage[]> => {
    const current = await readAgain(images);
    const candidates: PlannedImage[] = [];
    for (const image of images) {
      const now = current.found.get(image.imageDigest);
      if (!now) {
        settle([image], goneOutcome(sentUnanswered.has(image.imageDigest)));
        continue;
      }
      const change = changeSincePlan(image, now, ownIndexReads?.get(image.imageDigest));
      if (change) {
        settle([image], { status: 'skipped', reason: `changed since plan: ${change}` });
        const group = packing.groupOf.get(image.imageDigest);
        if (group !== undefined) changedGroups.set(group, image.imageDigest);
      } else candidates.push(image);
    }
    const toDelete: PlannedImage[] = [];
    for (const image of candidates) {
      const group = packing.groupOf.get(image.imageDigest);
      const changed = group === undefined ? undefined : changedGroups.get(group);
      // A kept index keeps its children; a kept subject keeps its signatures and SBOMs (and the reverse).
      if (changed !== undefined) settle([image], { status: 'skipped', reason: `changed since plan: ${changed} in the same index/referrer group changed, so the group is kept` });
      else toDelete.push(image);
    }
    return toDelete;
  };

  /** Turns one BatchDeleteImage answer into outcomes. */
  const settleDeleteResult = async (
    toDelete: readonly PlannedImage[],
    result: DeleteBatchResult,
    final: boolean,
  ): Promise<void> => {
    const byDigest = new Map(toDelete.map((i) => [i.imageDigest, i]));
    for (const digest of result.deleted) {
      const image = byDigest.get(digest);
      if (image) settle([image], { status: 'deleted' });
      byDigest.delete(digest);
    }
    for (const f of result.failures) {
      const image = byDigest.get(f.imageDigest);
      if (!image) continue;
      byDigest.delete(f.imageDigest);
      // Not found on a retry, by the SDK (attempts > 1) or by this loop: an earlier attempt deleted it.
      if (f.code === 'ImageNotFound') settle([image], goneOutcome(result.attempts > 1 || sentUnanswered.has(image.imageDigest)));
      else if (f.code === 'ImageReferencedByManifestList' && !final) {
        // The referencing index may be in another batch still in flight; try once more at the end.
        ctx.run.release(1, plan.policy);
        pendingReferenced.push(image);
      } else if (f.code === 'ImageReferencedByManifestList') {
        // Refused again: maybe an index pushed after the plan references it (decided after the last stage).
        refusedAgain.push({ image, message: f.message || f.code });
      } else settle([image], { status: 'failed', code: f.code, message: f.message || f.code });
    }
    if (byDigest.size > 0) {
      // Neither deleted nor reported (moto does this for untagged images): look instead of guessing.
      const unexplained = [...byDigest.values()];
      const check = await ctx.registry.recheckImages(plan.repositoryName, unexplained.map((i) => i.imageDigest), plan.images.length);
      for (const image of unexplained) {
        if (check.found.has(image.imageDigest)) {
          settle([image], { status: 'failed', code: 'NoResult', message: 'BatchDeleteImage reported neither success nor failure and the image is still there' });
        } else settle([image], { status: 'deleted' });
      }
    }
  };

  /**
   * Images ECR still refuses as referenced by a manifest list after every planned index is gone.
   * An index that this run did not plan to delete (typically one pushed after the plan, reusing an
   * old untagged platform manifest) is a change since the plan, and ECR keeps the image: skipped,
   * not failed, so a routine push does not page anyone. When every index referencing it was planned
   * for deletion (or none is found), ECR's refusal is unexplained: failed.
   */
  const settleRefused = async (refused: readonly { image: PlannedImage; message: string }[]): Promise<void> => {
    let current: ImageRecord[];
    try {
      current = (await ctx.registry.listImages(plan.repositoryName)).images;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      for (const { image, message } of refused) {
        settle([image], { status: 'failed', code: 'ImageReferencedByManifestList', message: `${message} (could not list the repository to find which index references it: ${why})` });
      }
      return;
    }
    const plannedDeletes = new Set(plan.images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest));
    const inPlan = new Set(plan.images.map((i) => i.imageDigest));
    const unplannedIndexes = current.filter((i) => isIndexMediaType(i.imageManifestMediaType) && !plannedDeletes.has(i.imageDigest));
    const unreadable = unplannedIndexes.filter((i) => i.childDigests === undefined);
    for (const { image, message } of refused) {
      const parent = unplannedIndexes.find((i) => i.childDigests?.includes(image.imageDigest));
      if (parent !== undefined) {
        const how = inPlan.has(parent.imageDigest) ? 'not planned for deletion' : 'pushed after the plan';
        settle([image], { status: 'skipped', reason: `changed since plan: now referenced by index ${parent.imageDigest} (${how})` });
      } else if (unreadable.length > 0) {
        settle([image], { status: 'skipped', reason: 'changed since plan: referenced by a manifest list that was not planned for deletion' });
      } else settle([image], { status: 'failed', code: 'ImageReferencedByManifestList', message });
    }
  };

  const runStage = async (batches: readonly (readonly PlannedImage[])[], final: boolean): Promise<void> => {
    await Promise.all(batches.map((batch) => ctx.batchLimit(() => runBatch(batch, final))));
  };

  for (const stage of packing.stages) await runStage(stage, false);
  if (pendingReferenced.length > 0) await runStage(chunk(pendingReferenced, MAX_IMAGE_IDS_PER_CALL), true);
  if (refusedAgain.length > 0) await settleRefused(refusedAgain);

  if (failure) return { outcomes, status: 'failed', statusReason: `${failure.code}: ${failure.message}`, error: failure };
  if (stoppedBy) {
    return { outcomes, status: 'not-started', statusReason: `${attempted ? 'stopped part-way' : 'not started'}: ${stoppedBy}` };
  }
  return { outcomes, status: 'completed' };
}

/**
 * How an image planned for deletion and found gone is accounted. `deletedByThisRun`: it was
 * present at the re-read before this run's delete request for it, and that request (or an SDK
 * attempt of it) went unanswered or was retried, so the removal is this run's: `deleted`, its
 * bytes counted. Otherwise it was gone before this run asked: `deleted`, `alreadyGone`, no bytes.
 */
export function goneOutcome(deletedByThisRun: boolean): Outcome {
  return deletedByThisRun ? { status: 'deleted' } : { status: 'deleted', alreadyGone: true };
}

/**
 * Why an image no longer matches what was planned, or null when it is unchanged: it gained a
 * tag, was pushed again, or was pulled after the plan, the same test for an index as for any
 * image. `ownRead` is the pull time this sweep's own read of an index manifest left on it
 * (BatchGetImage is a pull unless the principal is excluded): a pull time up to it is ours, any
 * later one is someone's pull.
 */
export function changeSincePlan(planned: PlannedImage, current: ImageRecord, ownRead?: number): string | null {
  // Most re-read images are untagged: no tag to compare, no sets to build.
  if (current.imageTags !== undefined && current.imageTags.length > 0) {
    const plannedTags = new Set(planned.imageTags);
    const gained = [...new Set(current.imageTags)].filter((t) => !plannedTags.has(t)).sort();
    if (gained.length > 0) return `gained tag${gained.length === 1 ? '' : 's'} ${gained.map((t) => `'${t}'`).join(', ')}`;
  }
  const plannedPush = planned.pushedAt === null ? undefined : Date.parse(planned.pushedAt);
  if (plannedPush !== current.imagePushedAt) {
    return `pushed again (push time ${iso(plannedPush)} -> ${iso(current.imagePushedAt)})`;
  }
  const plannedPull = planned.lastPulledAt === null ? undefined : Date.parse(planned.lastPulledAt);
  const pull = current.lastRecordedPullTime;
  const known = Math.max(plannedPull ?? Number.NEGATIVE_INFINITY, ownRead ?? Number.NEGATIVE_INFINITY);
  if (pull !== undefined && pull > known) return `pulled at ${iso(pull)}, after the plan (last pull then: ${iso(plannedPull)})`;
  return null;
}

function iso(ms: number | undefined): string {
  return ms === undefined || Number.isNaN(ms) ? 'none' : new Date(ms).toISOString();
}
