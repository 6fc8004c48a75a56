/**
 * The organization run's plan and result from its shards' parts, through the run merge every
 * driver shares (`lib/core/run-merge.ts`: one definition of every total). A target's shards are
 * first put back together into that target's plan or result (their sums by the same merge), then
 * the targets are merged into the run's documents, with `targets` and each repository's `target`.
 *
 * A target with a shard that did not plan is a failed target (nothing of it is deleted); a shard
 * that failed to apply leaves its target's result aborted (what the other shards deleted is still
 * reported), so neither is ever shown clean.
 */
import type { Plan, PlanWarning } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import type { OrgRunManifest } from '../core/org-run.js';
import { mergePlans, mergeResults } from '../core/run-merge.js';
import { describeTarget, targetKey, type FailedTarget, type TargetRef } from '../core/targets.js';

/** The code of a shard that planned but is held back because another shard of its target did not. */
export const TARGET_NOT_PLANNED = 'TargetNotPlanned';

/** One shard as the merge sees it. */
export interface ShardDocument {
  shardId: string;
  targetKey: string;
  target: TargetRef;
  status: 'planned' | 'completed' | 'failed';
  plan?: Plan;
  result?: SweepResult;
  error?: { code: string; message: string };
}

/** The run's plan: every target whose shards all planned, the others failed; `note` is a run-wide warning. */
export function mergeShardPlans(manifest: OrgRunManifest, documents: readonly ShardDocument[], note?: string): Plan {
  const planned: { target: TargetRef; plan: Plan }[] = [];
  const failed: FailedTarget[] = [...manifest.failedTargets];
  for (const group of byTarget(documents)) {
    const broken = group.shards.filter((d) => d.status === 'failed' || d.plan === undefined);
    if (broken.length > 0) failed.push(shardFailure(group.target, broken));
    else planned.push({ target: group.target, plan: targetPlan(manifest, group.target, group.shards.map((d) => d.plan!)) });
  }
  return mergePlans({
    runId: manifest.runId,
    now: manifest.now,
    mode: manifest.mode,
    planned,
    failed,
    ...(note ? { warnings: [{ code: 'plan-map-failed', message: note }] } : {}),
  });
}

/** The run's result: every target's shards' results together, failed targets as failed, `note` a run-wide warning. */
export function mergeShardResults(manifest: OrgRunManifest, documents: readonly ShardDocument[], options: { finishedAt: number; note?: string }): SweepResult {
  const done: { target: TargetRef; result: SweepResult }[] = [];
  const failed: FailedTarget[] = [...manifest.failedTargets];
  const finishedAt = new Date(options.finishedAt).toISOString();
  for (const group of byTarget(documents)) {
    const results = group.shards.flatMap((d) => (d.result ? [d.result] : []));
    const broken = group.shards.filter((d) => d.status === 'failed' || d.result === undefined);
    if (results.length === 0) {
      failed.push(shardFailure(group.target, broken));
      continue;
    }
    const result = targetResult(manifest, group.target, results, finishedAt);
    if (broken.length > 0) {
      // Some shards deleted, some failed: the deletions are reported, and the target is not clean.
      const why = broken.map((d) => `shard ${d.shardId} failed (${d.error?.code ?? 'Error'}: ${d.error?.message ?? 'no detail'})`).join('; ');
      result.abortedReason = result.abortedReason ? `${result.abortedReason}; ${why}` : why;
    }
    done.push({ target: group.target, result });
  }
  return mergeResults({
    ...runFields(manifest, finishedAt),
    done,
    failed,
    ...(options.note ? { warnings: [{ code: 'apply-map-failed', message: options.note }] } : {}),
  });
}

/** The run's own fields of a result, from its manifest: the same for the run and for each target. */
function runFields(manifest: OrgRunManifest, finishedAt: string) {
  return { runId: manifest.runId, mode: manifest.mode, rulesSource: manifest.rulesSource, now: manifest.now, startedAt: manifest.startedAt, finishedAt };
}

/** One target's plan from its shards' plans: the merge's sums; the run-level fields left to the run's merge. */
function targetPlan(manifest: OrgRunManifest, target: TargetRef, plans: readonly Plan[]): Plan {
  const merged = mergePlans({ now: manifest.now, mode: manifest.mode, planned: plans.map((plan) => ({ target, plan: { ...plan, warnings: [] } })), failed: [] });
  const { targets: _targets, ...plan } = merged;
  const { targets: _t, failedTargets: _f, ...summary } = plan.summary;
  return { ...plan, summary, warnings: uniqueWarnings(plans.flatMap((p) => p.warnings)) };
}

/** One target's result from its shards' results, likewise. */
function targetResult(manifest: OrgRunManifest, target: TargetRef, results: readonly SweepResult[], finishedAt: string): SweepResult {
  const bare = (r: SweepResult): SweepResult => {
    const { abortedReason: _a, ...rest } = r;
    return { ...rest, warnings: [], finishedRepositories: [], remainingRepositories: [] };
  };
  const merged = mergeResults({ ...runFields(manifest, finishedAt), done: results.map((r) => ({ target, result: bare(r) })), failed: [] });
  const { targets: _targets, ...result } = merged;
  const { targets: _t, failedTargets: _f, ...totals } = result.totals;
  const out: SweepResult = {
    ...result,
    totals,
    warnings: uniqueWarnings(results.flatMap((r) => r.warnings)),
    finishedRepositories: results.flatMap((r) => r.finishedRepositories),
    remainingRepositories: results.flatMap((r) => r.remainingRepositories),
  };
  const aborted = [...new Set(results.flatMap((r) => (r.abortedReason ? [r.abortedReason] : [])))];
  if (aborted.length > 0) out.abortedReason = aborted.join('; ');
  else delete out.abortedReason;
  return out;
}

/** A target that is failed because of its shards, its error naming the account, Region and shards. */
function shardFailure(target: TargetRef, broken: readonly ShardDocument[]): FailedTarget {
  // The shards that failed themselves, not their siblings held back with them (TargetNotPlanned).
  const own = broken.filter((d) => d.error?.code !== TARGET_NOT_PLANNED);
  const named = own.length > 0 ? own : broken;
  const first = named[0]?.error?.code ?? 'ShardFailed';
  const detail = named.map((d) => `shard ${d.shardId}: ${d.error?.code ?? 'Error'}: ${d.error?.message ?? 'no detail'}`).join('; ');
  return { accountId: target.accountId, region: target.region, error: { code: first, message: `${describeTarget(target)} FAILED, nothing of it was deleted: ${detail}` } };
}

/** Shards of one target say the same things (a glob matching nothing, a pull-time warning): once each. */
function uniqueWarnings(warnings: readonly PlanWarning[]): PlanWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.code}\u0000${w.repositoryName ?? ''}\u0000${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function byTarget(documents: readonly ShardDocument[]): { target: TargetRef; shards: ShardDocument[] }[] {
  const groups = new Map<string, { target: TargetRef; shards: ShardDocument[] }>();
  for (const d of documents) {
    const key = targetKey(d.target);
    const group = groups.get(key) ?? { target: d.target, shards: [] };
    group.shards.push(d);
    groups.set(key, group);
  }
  return [...groups.values()];
}
