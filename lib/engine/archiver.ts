/**
 * Executes one repository's planned archive transitions (apply mode only) with ECR's
 * UpdateImageStorageClass, which takes one image per call. The same safety as deletions:
 * - indexes before the children they list (ECR refuses to archive a manifest that an index which
 *   is not archived still lists), in the planner's `transitionLayers` order;
 * - each batch (an index/referrer group is never split) re-read just before its calls, and again
 *   before a retried call: an image tagged, re-pushed or pulled since the plan is skipped as
 *   "changed since plan", and with it the rest of its group;
 * - every call paced and counted by the sweep's registry connection; the deadline stops it cleanly
 *   between calls; per-image results are outcomes, and a call that still fails after retries
 *   fails the repository, whose remaining transitions are skipped.
 * Archiving never deletes: a wrong archive is undone with `ecr-sweeper restore`.
 */
import type { PlannedImage, RepositoryPlan } from '../core/plan-model.js';
import type { Outcome } from '../core/result-model.js';
import { MAX_IMAGE_IDS_PER_CALL, type OwnIndexReads } from './ports.js';
import { errorCode } from '../errors.js';
import { isIndexMediaType } from '../core/inventory.js';
import type { ImageRecord } from '../core/inventory.js';
import { packBatches } from './batch-plan.js';
import { DeadlineReachedError } from './errors.js';
import { changeSincePlan, type ExecutorContext, type RepositoryExecution } from './executor.js';

/**
 * What the archiver needs from the sweep: the executor's context (the batch limit is shared with
 * deletions; `retry` paces a failed UpdateImageStorageClass so the image is re-read before each retry).
 */
export type ArchiverContext = ExecutorContext;

/** ECR's answer when the image cannot move to the asked class (already archived, held by an index...). */
const NOT_SUPPORTED = 'ImageStorageClassUpdateNotSupportedException';

/**
 * Archives what `plan` marks `transition`, layer by layer (`layers` from `transitionLayers`).
 * Returns an outcome for every planned transition and the repository's status, in the same
 * shape as {@link executeRepository} so the sweep can combine the two.
 */
export async function archiveRepository(
  ctx: ArchiverContext,
  plan: RepositoryPlan,
  layers: readonly (readonly PlannedImage[])[],
  ownIndexReads?: OwnIndexReads,
): Promise<RepositoryExecution> {
  const repositoryName = plan.repositoryName;
  const outcomes = new Map<string, Outcome>();
  const packing = packBatches(
    layers.map((layer) => layer.filter((i) => i.decision === 'transition')),
    MAX_IMAGE_IDS_PER_CALL,
  );
  /** Group id -> why the rest of the group must stay as it is. */
  const heldGroups = new Map<number, string>();
  let failure: { code: string; message: string } | undefined;
  let stoppedBy: string | undefined;
  let attempted = false;

  const settle = (image: PlannedImage, outcome: Outcome): void => {
    if (outcomes.has(image.imageDigest)) return;
    outcomes.set(image.imageDigest, outcome);
    ctx.onSettled?.(1);
  };
  const hold = (image: PlannedImage, why: string): void => {
    const group = packing.groupOf.get(image.imageDigest);
    if (group !== undefined && !heldGroups.has(group)) heldGroups.set(group, why);
  };
  const heldBy = (image: PlannedImage): string | undefined => {
    const group = packing.groupOf.get(image.imageDigest);
    return group === undefined ? undefined : heldGroups.get(group);
  };
  const failedCode = (): string | undefined => failure?.code;
  const stop = (): string | undefined => {
    const reason = ctx.run.stopReason();
    if (!reason) return undefined;
    stoppedBy ??= reason.reason;
    return reason.kind === 'deadline' ? reason.reason : `aborted: ${reason.reason}`;
  };

  /**
   * Re-reads `images` and settles those gone, changed since plan or archived already;
   * returns the ones still to archive, in order.
   */
  const reread = async (images: readonly PlannedImage[]): Promise<PlannedImage[]> => {
    const current = await ctx.registry.rereadImages(repositoryName, images.map((i) => i.imageDigest), plan.images.length);
    const still: PlannedImage[] = [];
    for (const image of images) {
      const now = current.found.get(image.imageDigest);
      if (!now) {
        settle(image, { status: 'skipped', reason: 'gone since plan: no longer in the repository, nothing to archive' });
        continue;
      }
      if (now.imageStatus === 'ARCHIVED') {
        settle(image, { status: 'archived', alreadyArchived: true });
        continue;
      }
      const change = now.imageStatus === 'ACTIVATING' ? 'being restored from archive (ACTIVATING)' : changeSincePlan(image, now, ownIndexReads?.get(image.imageDigest));
      if (change) {
        settle(image, { status: 'skipped', reason: `changed since plan: ${change}` });
        hold(image, `changed since plan: ${image.imageDigest} in the same index/referrer group changed, so the group is not archived`);
      } else still.push(image);
    }
    return still;
  };

  /** The repository as it is now, listed once for every refusal that needs it. */
  let listing: Promise<ImageRecord[] | undefined> | undefined;
  const plannedTransitions = new Set(plan.images.filter((i) => i.decision === 'transition').map((i) => i.imageDigest));
  const inPlan = new Set(plan.images.map((i) => i.imageDigest));
  /**
   * When ECR refuses to archive `image`: an index that is not archived and that this run did not
   * plan to archive lists it (typically one pushed after the plan, reusing an old platform
   * manifest). ECR keeps the image ACTIVE, so nothing is wrong: a change since the plan, not a
   * failure that pages someone. Undefined when no such index is found (or the listing fails).
   */
  const newHolderOf = async (image: PlannedImage): Promise<string | undefined> => {
    listing ??= ctx.registry.listImages(repositoryName).then(
      (listed) => listed.images,
      () => undefined,
    );
    const current = await listing;
    const holder = current?.find(
      (i) =>
        isIndexMediaType(i.imageManifestMediaType) &&
        i.imageStatus !== 'ARCHIVED' &&
        !plannedTransitions.has(i.imageDigest) &&
        i.childDigests?.includes(image.imageDigest) === true,
    );
    if (holder === undefined) return undefined;
    return `${holder.imageDigest} (${inPlan.has(holder.imageDigest) ? 'not planned for archiving' : 'pushed after the plan'})`;
  };

  /** One UpdateImageStorageClass for `image`, re-reading it before each retry. */
  const archiveOne = async (image: PlannedImage): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ctx.registry.archiveImage(repositoryName, image.imageDigest);
        settle(image, { status: 'archived' });
        return;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ImageNotFoundException') {
          settle(image, { status: 'skipped', reason: 'gone since plan: deleted before it could be archived' });
          return;
        }
        if (code === NOT_SUPPORTED) {
          // Archived meanwhile by someone else, or refused (e.g. an index that is not archived lists it): look.
          const [left] = await reread([image]);
          if (!left) return;
          const holder = await newHolderOf(image);
          if (holder !== undefined) {
            // The rest of its group is tried on its own: what holds this one may hold them too (or not).
            settle(image, { status: 'skipped', reason: `changed since plan: now referenced by index ${holder}` });
            return;
          }
          settle(image, { status: 'failed', code, message: messageOf(error) });
          hold(image, `not archived: ${image.imageDigest} in the same index/referrer group could not be archived`);
          return;
        }
        if (!ctx.retry) throw error;
        // Throws when not retryable, out of attempts, or past the deadline.
        await ctx.retry.pause('UpdateImageStorageClass', attempt, error);
        const [left] = await reread([image]);
        if (!left) return;
      }
    }
  };

  const runBatch = async (whole: readonly PlannedImage[]): Promise<void> => {
    let batch = whole;
    if (ctx.inUseGuard && !failure) {
      // Archived is not deleted, but an in-use image must stay pullable: held like a deletion.
      const held = await ctx.inUseGuard(plan, batch);
      for (const image of batch) {
        const reason = held.get(image.imageDigest);
        if (reason !== undefined) settle(image, { status: 'skipped', reason });
      }
      batch = batch.filter((i) => !held.has(i.imageDigest));
      if (batch.length === 0) return;
    }
    if (failure) {
      for (const image of batch) settle(image, { status: 'skipped', reason: `repository failed earlier in this run: ${failure.code}` });
      return;
    }
    const stopped = stop();
    if (stopped) {
      for (const image of batch) settle(image, { status: 'skipped', reason: stopped });
      return;
    }
    attempted = true;
    try {
      const toArchive = await reread(batch);
      for (const image of toArchive) {
        // Another batch of this repository may have failed while this one was waiting.
        const failedEarlier = failedCode();
        if (failedEarlier !== undefined) {
          settle(image, { status: 'skipped', reason: `repository failed earlier in this run: ${failedEarlier}` });
          continue;
        }
        const held = heldBy(image);
        if (held !== undefined) {
          settle(image, { status: 'skipped', reason: held });
          continue;
        }
        const stoppedNow = stop();
        if (stoppedNow) {
          settle(image, { status: 'skipped', reason: stoppedNow });
          continue;
        }
        await archiveOne(image);
      }
    } catch (error) {
      const open = batch.filter((i) => !outcomes.has(i.imageDigest));
      if (error instanceof DeadlineReachedError) {
        ctx.run.markDeadline();
        stoppedBy ??= error.message;
        for (const image of open) settle(image, { status: 'skipped', reason: `${error.message}; the next run continues` });
        return;
      }
      const code = errorCode(error);
      const message = messageOf(error);
      failure ??= { code, message };
      const [first, ...rest] = open;
      if (first) settle(first, { status: 'failed', code, message });
      for (const image of rest) settle(image, { status: 'skipped', reason: `repository failed earlier in this run: ${code}` });
    }
  };

  for (const stage of packing.stages) {
    await Promise.all(stage.map((batch) => ctx.batchLimit(() => runBatch(batch))));
  }

  if (failure) return { outcomes, status: 'failed', statusReason: `${failure.code}: ${failure.message}`, error: failure };
  if (stoppedBy) return { outcomes, status: 'not-started', statusReason: `${attempted ? 'stopped part-way' : 'not started'}: ${stoppedBy}` };
  return { outcomes, status: 'completed' };
}

const SEVERITY: Record<RepositoryExecution['status'], number> = { completed: 0, 'not-started': 1, failed: 2, blocked: 3 };

/**
 * One repository's deletions and transitions as one execution: every outcome of both, the more
 * severe status (blocked > failed > not-started > completed), and both reasons when both have one.
 */
export function combineExecutions(deletes: RepositoryExecution, transitions: RepositoryExecution): RepositoryExecution {
  const outcomes = new Map([...deletes.outcomes, ...transitions.outcomes]);
  const worst = SEVERITY[transitions.status] > SEVERITY[deletes.status] ? transitions : deletes;
  const combined: RepositoryExecution = { outcomes, status: worst.status };
  const reasons = [
    deletes.statusReason === undefined ? undefined : `deletions ${deletes.statusReason}`,
    transitions.statusReason === undefined ? undefined : `archive transitions ${transitions.statusReason}`,
  ].filter((r): r is string => r !== undefined);
  if (reasons.length > 0) combined.statusReason = reasons.join('; ');
  const error = deletes.error ?? transitions.error;
  if (error) combined.error = error;
  return combined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
