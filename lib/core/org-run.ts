/**
 * An organization run on Step Functions, as data (docs/deploy.md "Organizations"): the manifest
 * Start writes, the part each shard writes, and the pure decisions of RecordPlan and Finish: which
 * shards and targets failed (a shard without a part failed; a target with a failed shard failed,
 * never clean), and which shards go on to be applied.
 */
import type { InUseSourceReport, Plan } from './plan-model.js';
import type { SweepResult } from './result-model.js';
import type { Mode } from './rules-model.js';
import type { Lane, ShardRef, ShardSettings } from './org-shards.js';
import { describeTarget, type FailedTarget, type Target, type TargetRef } from './targets.js';

/** What Start decided for the whole run; every later step reads it. */
export interface OrgRunManifest {
  version: 1;
  runId: string;
  /** The evaluation time (ISO) of every shard's plan: one `now` for the whole run. */
  now: string;
  startedAt: string;
  /** The run's mode (the execution input's, else the rules'). */
  mode: Mode;
  rulesSource: string;
  /** `hashRules` of the rules Start loaded: a shard whose rules differ (changed mid-run) refuses to run. */
  rulesHash: string;
  /** The targets planned: resolved and listed. */
  targets: Target[];
  /**
   * Every resolved target, listed or not: the in-use set is read from all of them, so a target
   * that could not be listed (role not assumable, ...) still blocks deletion everywhere.
   */
  inUseTargets: Target[];
  /** Targets that could not be resolved or listed: reported failed, never planned. */
  failedTargets: FailedTarget[];
  shards: { shardId: string; targetKey: string; repositories: number }[];
  lanes: Lane[];
  settings: ShardSettings & { concurrency: number; targetRequestsPerSecond?: number };
  /** Start's scan of every target's in-use sources (failed ones block deletion everywhere). */
  inUseSources: InUseSourceReport[];
}

/** A shard's planning outcome, written by org-plan-shard. */
export interface PlanPart extends ShardRef {
  target: TargetRef;
  status: 'planned' | 'failed';
  /** The shard's plan (its repositories carry `target`). */
  plan?: Plan;
  /** The dry-run result of that plan: what a dry run reports. */
  result?: SweepResult;
  /** Why the shard could not be planned, naming its account and Region. */
  error?: { code: string; message: string };
}

/** A shard's apply outcome, written by org-apply-shard. */
export interface ResultPart extends ShardRef {
  target: TargetRef;
  status: 'completed' | 'failed';
  result?: SweepResult;
  error?: { code: string; message: string };
}

/** One shard as RecordPlan or Finish sees it. */
export interface ShardOutcome {
  shardId: string;
  targetKey: string;
  status: 'planned' | 'completed' | 'failed' | 'not-applied';
  error?: { code: string; message: string };
}

/** A missing part: the shard's invocation failed before writing it (see the execution's history). */
export function missingPartError(step: 'plan' | 'apply', ref: ShardRef, target: TargetRef): { code: string; message: string } {
  return {
    code: step === 'plan' ? 'ShardNotPlanned' : 'ShardNotApplied',
    message: `shard ${ref.shardId} (${describeTarget(target)}) wrote no ${step} part: its invocation failed or was not run (see the execution's history); ${
      step === 'plan' ? 'nothing of it is deleted' : 'what it deleted, if anything, is in its journal'
    }`,
  };
}

/**
 * The targets that must not be applied: those with a shard that did not plan. A target is planned
 * whole or not at all, so a failed shard's target is failed (never clean) and nothing is deleted
 * in it, as when a single-process run cannot plan a target.
 */
export function targetsWithFailedShards(lanes: readonly Lane[], parts: ReadonlyMap<string, PlanPart | null>): Set<string> {
  const failed = new Set<string>();
  for (const ref of lanes.flatMap((lane) => lane.shards)) {
    const part = parts.get(ref.shardId);
    if (part?.status !== 'planned' || part.plan === undefined) failed.add(ref.targetKey);
  }
  return failed;
}

/**
 * The lanes of the apply Map: the shards that have something to delete or archive, of targets
 * whose every shard planned, each in the lane it was planned in (so the per-target bound holds
 * again). Nothing when the planning Map itself failed (too many failed lanes): something is wrong
 * beyond one shard.
 */
export function applyLanes(lanes: readonly Lane[], parts: ReadonlyMap<string, PlanPart | null>, planMapFailed: boolean): Lane[] {
  if (planMapFailed) return [];
  const failedTargets = targetsWithFailedShards(lanes, parts);
  const out: Lane[] = [];
  for (const lane of lanes) {
    if (failedTargets.has(lane.targetKey)) continue;
    const shards = lane.shards.filter((ref) => {
      const part = parts.get(ref.shardId);
      return part?.status === 'planned' && part.plan !== undefined && hasActions(part.plan);
    });
    if (shards.length > 0) out.push({ ...lane, shards });
  }
  return out;
}

/** Whether a plan deletes or archives anything. */
export function hasActions(plan: Plan): boolean {
  return plan.repositories.some((r) => r.status === 'planned' && r.images.some((i) => i.decision === 'delete' || i.decision === 'transition'));
}
