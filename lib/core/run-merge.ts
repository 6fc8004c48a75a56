/**
 * A multi-target run's documents (issue 10): the per-target Plans merged into the run's Plan, the
 * per-target SweepResults into the run's SweepResult, failed targets included. The merged
 * documents are the existing types with additive fields (`target` on each repository, `targets`
 * with one entry per target); every total is the sum of the targets' (one definition, here).
 * Pure: the engine (`runTargets`) and the state machine's merge step both call it.
 */
import type { InUseCounts } from './in-use.js';
import type { InUseReport, InUseSourceReport, Plan, PlanCounts, PlanTarget, PlanWarning, RepositoryPlan } from './plan-model.js';
import type { RepositoryResult, ResultTarget, SweepResult, TargetRunStatus } from './result-model.js';
import type { Mode } from './rules-model.js';
import { describeTarget, targetKey, type FailedTarget, type TargetRef } from './targets.js';

/** One target's plan, as `runSweep` made it. */
export interface TargetPlan {
  target: TargetRef;
  plan: Plan;
}

/** One target's result, as `runSweep` returned it. */
export interface TargetResult {
  target: TargetRef;
  result: SweepResult;
}

/** The key of a failed target: `targetKey`, or `<account>/*` when the whole account failed. */
export function failedTargetKey(failed: FailedTarget): string {
  return `${failed.accountId}/${failed.region ?? '*'}`;
}

/** How a failed target is named to people: `account 123456789012, eu-west-1` or `account 123456789012 (every Region)`. */
export function describeFailedTarget(failed: FailedTarget): string {
  return failed.region !== undefined ? describeTarget({ accountId: failed.accountId, region: failed.region }) : `account ${failed.accountId} (every Region)`;
}

/** The plan summary of nothing: a failed target planned no repository. */
export function emptyPlanSummary(): Plan['summary'] {
  return { images: 0, delete: 0, keep: 0, transition: 0, bytesToFree: 0, repositories: 0, blockedRepositories: 0 };
}

/** The result totals of nothing: a failed target swept no repository. */
export function emptyResultTotals(): SweepResult['totals'] {
  return { images: 0, planned: 0, deleted: 0, failed: 0, skipped: 0, wouldDelete: 0, kept: 0, archived: 0, bytesFreed: 0, repositories: 0, failedRepositories: 0 };
}

/**
 * The run's plan: every target's repositories (each with its `target`), in target then name
 * order; the summary is the sum of the targets' with `targets` and `failedTargets`; warnings
 * name their target; a failed target is listed with its error.
 *
 * @example
 * const plan = mergePlans({ runId, now, mode: 'apply', planned: [{ target, plan }], failed: [] });
 * plan.summary.delete // sum of every target's
 */
export function mergePlans(input: { runId?: string; now: string; mode: Mode; planned: readonly TargetPlan[]; failed: readonly FailedTarget[]; warnings?: readonly PlanWarning[] }): Plan {
  const planned = [...input.planned].sort((a, b) => compare(targetKey(a.target), targetKey(b.target)));
  const targets: PlanTarget[] = [];
  const repositories: RepositoryPlan[] = [];
  const warnings: PlanWarning[] = [...(input.warnings ?? [])];
  const summary: Plan['summary'] = { ...emptyPlanSummary(), targets: 0, failedTargets: 0 };
  for (const { target, plan } of planned) {
    targets.push({ key: targetKey(target), accountId: target.accountId, region: target.region, status: 'planned', summary: { ...plan.summary } });
    for (const repository of plan.repositories) repositories.push(withTarget(repository, target));
    warnings.push(...plan.warnings.map((w) => targetWarning(target, w)));
    addPlanSummary(summary, plan.summary);
  }
  for (const failed of sortedFailures(input.failed)) {
    const entry: PlanTarget = { key: failedTargetKey(failed), accountId: failed.accountId, status: 'failed', summary: emptyPlanSummary(), error: { ...failed.error } };
    if (failed.region !== undefined) entry.region = failed.region;
    targets.push(entry);
  }
  summary.targets = targets.length;
  summary.failedTargets = input.failed.length;
  const plan: Plan = { version: 1, now: input.now, mode: input.mode, repositories, summary, warnings, targets };
  if (input.runId !== undefined) plan.runId = input.runId;
  const inUse = mergeInUse(planned.map((p) => p.plan.inUse));
  if (inUse) plan.inUse = inUse;
  return plan;
}

/**
 * The run's result: every target's repositories (each with its `target`), totals summed over
 * the targets with `targets` and `failedTargets`, API calls and retries summed, the deadline,
 * abort and interrupt of any target carried (named by target), and one `targets` entry per target.
 * A failed target is `failed` with its error and zero counts, never clean.
 */
export function mergeResults(input: {
  runId: string;
  mode: Mode;
  rulesSource: string;
  now: string;
  startedAt: string;
  finishedAt: string;
  done: readonly TargetResult[];
  failed: readonly FailedTarget[];
  warnings?: readonly PlanWarning[];
}): SweepResult {
  const done = [...input.done].sort((a, b) => compare(targetKey(a.target), targetKey(b.target)));
  const totals: SweepResult['totals'] = { ...emptyResultTotals(), targets: 0, failedTargets: 0 };
  const repositories: RepositoryResult[] = [];
  const targets: ResultTarget[] = [];
  const warnings: PlanWarning[] = [...(input.warnings ?? [])];
  const apiCalls: Record<string, number> = {};
  let retries = 0;
  let throttles = 0;
  const aborted: string[] = [];
  let interrupted: string | undefined;
  for (const { target, result } of done) {
    const key = targetKey(target);
    for (const repository of result.repositories) repositories.push(withTarget(repository, target));
    warnings.push(...result.warnings.map((w) => targetWarning(target, w)));
    addResultTotals(totals, result.totals);
    for (const [operation, count] of Object.entries(result.apiCalls)) apiCalls[operation] = (apiCalls[operation] ?? 0) + count;
    retries += result.retries;
    throttles += result.throttles;
    if (result.abortedReason !== undefined) aborted.push(`${describeTarget(target)}: ${result.abortedReason}`);
    interrupted ??= result.interrupted;
    const entry: ResultTarget = { key, accountId: target.accountId, region: target.region, status: targetStatus(result), totals: { ...result.totals } };
    const reason = targetStatusReason(result);
    if (reason !== undefined) entry.statusReason = reason;
    targets.push(entry);
  }
  for (const failed of sortedFailures(input.failed)) {
    const entry: ResultTarget = { key: failedTargetKey(failed), accountId: failed.accountId, status: 'failed', statusReason: `${describeFailedTarget(failed)} could not be swept: ${failed.error.code}: ${failed.error.message}`, error: { ...failed.error }, totals: emptyResultTotals() };
    if (failed.region !== undefined) entry.region = failed.region;
    targets.push(entry);
  }
  totals.targets = targets.length;
  totals.failedTargets = input.failed.length;
  const prefixed = (names: (r: SweepResult) => readonly string[]): string[] => done.flatMap(({ target, result }) => names(result).map((n) => `${targetKey(target)}/${n}`));
  const result: SweepResult = {
    version: 1,
    runId: input.runId,
    mode: input.mode,
    rulesSource: input.rulesSource,
    now: input.now,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationMs: Math.max(0, Date.parse(input.finishedAt) - Date.parse(input.startedAt)),
    repositories,
    totals,
    apiCalls,
    retries,
    throttles,
    stoppedByDeadline: done.some((d) => d.result.stoppedByDeadline),
    finishedRepositories: prefixed((r) => r.finishedRepositories),
    remainingRepositories: prefixed((r) => r.remainingRepositories),
    warnings,
    targets,
  };
  if (aborted.length > 0) result.abortedReason = aborted.join('; ');
  if (interrupted !== undefined) result.interrupted = interrupted;
  const inUse = mergeInUse(done.map((d) => d.result.inUse));
  if (inUse) result.inUse = inUse;
  return result;
}

/**
 * `planned` (a dry run or a declined apply), `completed` (every repository done), `incomplete`
 * (a deadline, an interrupt or a safety abort left work). A failed target is only made by the merge.
 */
export function targetStatus(result: Pick<SweepResult, 'mode' | 'remainingRepositories' | 'stoppedByDeadline' | 'abortedReason' | 'interrupted'>): TargetRunStatus {
  if (result.mode !== 'apply') return 'planned';
  if (result.abortedReason !== undefined || result.interrupted !== undefined || result.stoppedByDeadline || result.remainingRepositories.length > 0) return 'incomplete';
  return 'completed';
}

function targetStatusReason(result: SweepResult): string | undefined {
  if (result.abortedReason !== undefined) return `aborted: ${result.abortedReason}`;
  if (result.interrupted !== undefined) return `interrupted (${result.interrupted}); the next run continues`;
  if (result.stoppedByDeadline || result.remainingRepositories.length > 0) return `deadline reached with ${result.remainingRepositories.length} repositories left; the next run continues`;
  return undefined;
}

/**
 * One in-use report for the run. Every target scanned the same readers (a shared scan), so the
 * sources are the latest scan's, except that a source any target saw failed stays failed; the
 * resolution counts and the images kept are sums (each target resolved against its own registry).
 */
export function mergeInUse(reports: readonly (InUseReport | undefined)[]): InUseReport | undefined {
  const present = reports.filter((r): r is InUseReport => r !== undefined).sort((a, b) => compare(a.scannedAt, b.scannedAt));
  const last = present[present.length - 1];
  if (!last) return undefined;
  const sources = new Map<string, InUseSourceReport>();
  for (const report of present) {
    for (const source of report.sources) {
      const id = `${source.source}\u0000${source.label}`;
      if (sources.get(id)?.status === 'failed') continue;
      sources.set(id, { ...source, calls: { ...source.calls } });
    }
  }
  const counts: InUseCounts = { resolved: 0, otherRegistry: 0, unknownRepository: 0, unknownTag: 0, unknownDigest: 0, malformed: 0 };
  for (const report of present) {
    for (const name of Object.keys(counts) as (keyof InUseCounts)[]) counts[name] += report.counts[name];
  }
  return {
    scannedAt: last.scannedAt,
    rescans: Math.max(...present.map((r) => r.rescans)),
    sources: [...sources.values()],
    counts,
    imagesKept: present.reduce((n, r) => n + r.imagesKept, 0),
  };
}

function addPlanSummary(into: Plan['summary'], add: Plan['summary']): void {
  const fields: (keyof PlanCounts | 'repositories' | 'blockedRepositories')[] = ['images', 'delete', 'keep', 'transition', 'bytesToFree', 'repositories', 'blockedRepositories'];
  for (const field of fields) into[field] += add[field];
}

function addResultTotals(into: SweepResult['totals'], add: SweepResult['totals']): void {
  const fields = ['images', 'planned', 'deleted', 'failed', 'skipped', 'wouldDelete', 'kept', 'archived', 'bytesFreed', 'repositories', 'failedRepositories'] as const;
  for (const field of fields) into[field] += add[field];
}

/** A target's warning in the run's list: it names the target (a glob matching nothing in one Region may match in another). */
function targetWarning(target: TargetRef, warning: PlanWarning): PlanWarning {
  return { ...warning, message: `${describeTarget(target)}: ${warning.message}`, target: ref(target) };
}

function sortedFailures(failed: readonly FailedTarget[]): FailedTarget[] {
  return [...failed].sort((a, b) => compare(failedTargetKey(a), failedTargetKey(b)));
}

/**
 * A repository with its target. Its other properties are copied as they are defined, so `images`
 * read back on demand from the run's image store (issue 10 §3) stays on demand: the merged
 * documents do not pull every target's images into memory at once.
 */
function withTarget<T extends object>(repository: T, target: TargetRef): T & { target: TargetRef } {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(repository)) as T & { target: TargetRef };
  Object.defineProperty(copy, 'target', { value: ref(target), enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A bare TargetRef (a Target's role and external id are not part of a document). */
function ref(target: TargetRef): TargetRef {
  return { accountId: target.accountId, region: target.region };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
