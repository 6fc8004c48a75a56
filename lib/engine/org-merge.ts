/**
 * The organization run's plan and result from its shards' parts: sums and concatenations, with a
 * failed shard or target named in the warnings (never counted as clean). Stands in until the
 * shared `lib/core/run-merge.ts` (design point 3) lands; then it delegates to it.
 */
import type { InUseReport, Plan, PlanWarning } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import type { OrgRunManifest } from '../core/org-run.js';
import { describeTarget, targetKey, type TargetRef } from '../core/targets.js';
import { addCounts, emptyCounts } from './result-builder.js';

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

/** The run's plan: every planned shard's repositories, summed counts, and the failures as warnings. */
export function mergeShardPlans(manifest: OrgRunManifest, documents: readonly ShardDocument[], note?: string): Plan {
  const plans = documents.flatMap((d) => (d.plan ? [d.plan] : []));
  const summary: Plan['summary'] = { repositories: 0, blockedRepositories: 0, images: 0, delete: 0, keep: 0, transition: 0 } as Plan['summary'];
  for (const p of plans) {
    for (const [key, value] of Object.entries(p.summary)) {
      const k = key as keyof Plan['summary'];
      if (typeof value === 'number') (summary as unknown as Record<string, number>)[k] = ((summary as unknown as Record<string, number>)[k] ?? 0) + value;
    }
  }
  const plan: Plan = {
    version: 1,
    runId: manifest.runId,
    now: manifest.now,
    mode: manifest.mode,
    repositories: plans.flatMap((p) => p.repositories),
    summary,
    warnings: [...failureWarnings(manifest, documents), ...(note ? [{ code: 'plan-map-failed', message: note }] : []), ...targetWarnings(documents, (d) => d.plan?.warnings)],
  };
  const inUse = mergeInUse(plans.flatMap((p) => (p.inUse ? [p.inUse] : [])));
  if (inUse) plan.inUse = inUse;
  return plan;
}

/** The run's result: every shard's result summed; a failed shard or target is in the warnings and fails the run. */
export function mergeShardResults(manifest: OrgRunManifest, documents: readonly ShardDocument[], options: { finishedAt: number; note?: string }): SweepResult {
  const results = documents.flatMap((d) => (d.result ? [d.result] : []));
  const totals: SweepResult['totals'] = { ...emptyCounts(), repositories: 0, failedRepositories: 0 };
  const apiCalls: Record<string, number> = {};
  let retries = 0;
  let throttles = 0;
  for (const r of results) {
    addCounts(totals, r.totals);
    totals.repositories += r.totals.repositories;
    totals.failedRepositories += r.totals.failedRepositories;
    for (const [op, n] of Object.entries(r.apiCalls)) apiCalls[op] = (apiCalls[op] ?? 0) + n;
    retries += r.retries;
    throttles += r.throttles;
  }
  const startedAt = Date.parse(manifest.startedAt);
  const result: SweepResult = {
    version: 1,
    runId: manifest.runId,
    mode: manifest.mode,
    rulesSource: manifest.rulesSource,
    now: manifest.now,
    startedAt: manifest.startedAt,
    finishedAt: new Date(options.finishedAt).toISOString(),
    durationMs: options.finishedAt - startedAt,
    repositories: results.flatMap((r) => r.repositories),
    totals,
    apiCalls,
    retries,
    throttles,
    stoppedByDeadline: results.some((r) => r.stoppedByDeadline),
    finishedRepositories: results.flatMap((r) => r.finishedRepositories),
    remainingRepositories: results.flatMap((r) => r.remainingRepositories),
    warnings: [...failureWarnings(manifest, documents), ...(options.note ? [{ code: 'apply-map-failed', message: options.note }] : []), ...targetWarnings(documents, (d) => d.result?.warnings)],
  };
  const aborted = results.flatMap((r) => (r.abortedReason ? [r.abortedReason] : []));
  if (aborted.length > 0) result.abortedReason = [...new Set(aborted)].join('; ');
  const inUse = mergeInUse(results.flatMap((r) => (r.inUse ? [r.inUse] : [])));
  if (inUse) result.inUse = inUse;
  return result;
}

function failureWarnings(manifest: OrgRunManifest, documents: readonly ShardDocument[]): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const t of manifest.failedTargets) {
    const where = t.region ? describeTarget({ accountId: t.accountId, region: t.region }) : `account ${t.accountId}`;
    out.push({ code: 'target-failed', message: `${where} FAILED, nothing of it was swept: ${t.error.code}: ${t.error.message}` });
  }
  for (const d of documents) {
    if (d.status !== 'failed') continue;
    out.push({ code: 'shard-failed', message: `${describeTarget(d.target)} FAILED: shard ${d.shardId}: ${d.error?.code ?? 'Error'}: ${d.error?.message ?? ''}` });
  }
  return out;
}

/** Each shard's own warnings, once per target (shards of one target say the same things), naming the target. */
function targetWarnings(documents: readonly ShardDocument[], of: (d: ShardDocument) => readonly PlanWarning[] | undefined): PlanWarning[] {
  const seen = new Set<string>();
  const out: PlanWarning[] = [];
  for (const d of documents) {
    for (const w of of(d) ?? []) {
      const key = `${targetKey(d.target)}|${w.code}|${w.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...w, message: `${describeTarget(d.target)}: ${w.message}` });
    }
  }
  return out;
}

/** Sources from the latest scan any shard used (they are the same org-wide set), counts summed. */
function mergeInUse(reports: readonly InUseReport[]): InUseReport | undefined {
  if (reports.length === 0) return undefined;
  const latest = [...reports].sort((a, b) => (a.scannedAt < b.scannedAt ? 1 : -1))[0]!;
  const counts = { ...latest.counts };
  for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] = reports.reduce((n, r) => n + r.counts[k], 0);
  // A source that failed in any shard's scan failed for the run.
  const sources = latest.sources.map((s) => reports.flatMap((r) => r.sources).find((o) => o.label === s.label && o.status === 'failed') ?? s);
  return { scannedAt: latest.scannedAt, rescans: reports.reduce((n, r) => n + r.rescans, 0), sources, counts, imagesKept: reports.reduce((n, r) => n + r.imagesKept, 0) };
}
