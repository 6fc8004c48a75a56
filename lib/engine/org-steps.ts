/**
 * The five steps of the organization state machine (serverless.yml `orgSweep`, docs/deploy.md
 * "Organizations"), driver-independent: they reach S3 and the targets only through the ports of
 * `org-ports.ts`, which the functions in `functions/org-*.ts` wire (`functions/shared/org-wiring.ts`).
 * Each shard is planned and applied by the same `runSweep` as a single-registry sweep: planned in
 * dry-run with the shard's `repositories`, applied from its recorded plan through the checkpoint
 * resume path (listing skipped, every batch re-read and checked for in-use before it is deleted).
 *
 * The order of the guarantees: Start resolves targets and scans the in-use set of every target
 * once (stored for the shards); every shard plans; RecordPlan writes the whole run's plan to the
 * report store and only then the apply lanes; only shards with a recorded plan are applied.
 */
import { errorCode } from '../errors.js';
import { inUseSettingsOf } from '../core/in-use-settings.js';
import { applyLanes, missingPartError, targetsWithFailedShards, type OrgRunManifest, type PlanPart, type ResultPart } from '../core/org-run.js';
import { laneBudget, laneShards, rulesCapDeletions, shardTarget, type Lane, type Shard, type ShardRef, type ShardSettings } from '../core/org-shards.js';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import type { Mode, RuleSet } from '../core/rules-model.js';
import { describeTarget, targetKey, type FailedTarget, type Target, type TargetRef } from '../core/targets.js';
import { TargetError } from './errors.js';
import { scanInUseSources, type InUseScanOutcome } from './in-use-scan.js';
import { crossTargetReaders, targetFailure } from './org-sweep.js';
import { mergeShardPlans, mergeShardResults, TARGET_NOT_PLANNED, type ShardDocument } from './org-merge.js';
import { planPartAside, resultPartAside } from './org-part-images.js';
import { hashRules, runSweep } from './sweep.js';
import type { OrgRunRef, OrgRunStore, OrgStepDeps, TargetAccess } from './org-ports.js';
import type { Checkpoint, CheckpointStore, InUseSourceReader, JournalStore, SweepOutput } from './types.js';

/** What Start needs besides the deps. */
export interface StartRequest {
  run: OrgRunRef;
  ruleSet: RuleSet;
  /** The execution input's mode; undefined leaves it to the rules. */
  mode?: Mode;
  /** The targets of the run, resolved from the rules (`targets:`, `organization:` or the caller's own). */
  resolveTargets(): Promise<{ targets: Target[]; failed: FailedTarget[] }>;
  settings: OrgRunManifest['settings'];
}

/** Start's answer, the state machine's input to the planning Map. */
export interface StartOutput {
  run: OrgRunRef;
  /** Key of `shards.json` (the lanes), for the Map's ItemReader. */
  lanesKey: string;
  mode: Mode;
  targets: number;
  failedTargets: number;
  shards: number;
}

/**
 * Step 1: resolves the targets, scans the in-use set of every target once (stored for the shards),
 * lists each target's repositories and cuts them into shards and lanes. A target that cannot be
 * listed is recorded as failed (its error names account and Region); the others go on.
 */
export async function startOrgRun(deps: OrgStepDeps, request: StartRequest): Promise<StartOutput> {
  const clock = deps.clock ?? Date.now;
  const startedAt = clock();
  const { run, ruleSet } = request;
  const store = deps.runStore(run);
  const { targets, failed } = await request.resolveTargets();
  const failedTargets = [...failed];
  const settings: ShardSettings = { maxRepositoriesPerShard: request.settings.maxRepositoriesPerShard, lanesPerTarget: request.settings.lanesPerTarget };
  const capped = rulesCapDeletions(ruleSet);
  const shards: Shard[] = [];
  const listed: Target[] = [];
  let scan: InUseScanOutcome;
  const access = new Map(targets.map((t) => [targetKey(t), deps.target(t, run.runId)]));
  try {
    // Fail closed across the organization: a target whose sources cannot be read blocks deletion everywhere.
    const readers = allReaders(deps, ruleSet, targets, failed, access);
    scan = await scanInUseSources(readers, inUseSettingsOf(ruleSet), { now: clock() });
    await deps.inUseCache(run).store(scan);

    for (const target of targets) {
      try {
        const names = await listRepositoryNames(accessOf(access, target), target);
        shards.push(...shardTarget(target, names, settings, capped));
        listed.push(target);
      } catch (error) {
        const failure = failedTarget(target, error);
        deps.logger?.error('target could not be listed', { target: targetKey(target), error: failure.error });
        failedTargets.push(failure);
      }
    }
  } finally {
    for (const a of access.values()) a.close();
  }
  const lanes = laneShards(shards, settings);
  const mode = request.mode ?? ruleSet.defaults.mode;
  const manifest: OrgRunManifest = {
    version: 1,
    runId: run.runId,
    now: new Date(startedAt).toISOString(),
    startedAt: new Date(startedAt).toISOString(),
    mode,
    rulesSource: ruleSet.source ?? 'rules',
    rulesHash: hashRules(ruleSet),
    targets: listed,
    inUseTargets: targets,
    failedTargets,
    shards: shards.map((s) => ({ shardId: s.shardId, targetKey: targetKey(s.target), repositories: s.repositories.length })),
    lanes,
    settings: request.settings,
    inUseSources: scan.sources,
  };
  // The shards before the manifest and the lanes: nothing names a shard not yet written.
  await store.writeShards(shards, lanes);
  await store.writeManifest(manifest);
  return { run, lanesKey: store.lanesKey, mode, targets: listed.length, failedTargets: failedTargets.length, shards: shards.length };
}

/** A shard step's input: the run and one shard of a lane. */
export interface ShardRequest {
  run: OrgRunRef;
  shard: ShardRef;
  ruleSet: RuleSet;
  /** Epoch ms at which the engine stops between batches. */
  deadline: number;
}

/** What a shard step answers (small: it goes into the Map's results). */
export interface ShardOutput {
  shardId: string;
  targetKey: string;
  status: PlanPart['status'] | ResultPart['status'];
  error?: { code: string; message: string };
}

/**
 * Step 2: plans one shard (dry run, its repositories only, the run's `now`) and writes its plan
 * part. A failure is written as a failed part naming the account and Region; nothing is thrown
 * for it, so the lane goes on with its next shard.
 */
export async function planShard(deps: OrgStepDeps, request: ShardRequest): Promise<ShardOutput> {
  const { run, ruleSet } = request;
  const store = deps.runStore(run);
  const manifest = await store.readManifest();
  const shard = await store.readShard(request.shard);
  const ref: ShardRef = { shardId: shard.shardId, targetKey: targetKey(shard.target) };
  const target: TargetRef = { accountId: shard.target.accountId, region: shard.target.region };
  try {
    refuseChangedRules(manifest, ruleSet);
    const output = await sweepShard(deps, run, manifest, shard, ruleSet, { mode: 'dry-run', deadline: request.deadline });
    await store.writePlanPart({ ...ref, target, status: 'planned', plan: output.plan, result: output.result });
    return { ...ref, status: 'planned' };
  } catch (error) {
    return failShard(deps, store, 'plan', ref, target, error);
  }
}

/** RecordPlan's input: the run, and the planning Map's error when it gave up. */
export interface RecordPlanRequest {
  run: OrgRunRef;
  planMapError?: unknown;
  /** Writes the run's plan (plan.json, through the report store) and returns where. */
  writePlan(plan: Plan): Promise<string>;
}

export interface RecordPlanOutput {
  run: OrgRunRef;
  /** True when the apply Map is to run (apply mode, a recorded plan, something to delete). */
  apply: boolean;
  applyLanesKey: string;
  planLocation: string;
  failedShards: number;
}

/**
 * Step 3: reads every shard's plan part (a missing one is a failed shard), merges them into the
 * run's plan and writes it through `writePlan` BEFORE the apply lanes exist, so no shard can be
 * applied before the whole plan is recorded. If the plan cannot be written, this throws and
 * nothing is applied anywhere.
 */
export async function recordPlan(deps: OrgStepDeps, request: RecordPlanRequest): Promise<RecordPlanOutput> {
  const store = deps.runStore(request.run);
  const manifest = await store.readManifest();
  // The dry-run results are Finish's to read: only the plans are kept here.
  const parts = await readPlanParts(store, manifest, (part) => planPartAside(deps.imageParts, part && withoutResult(part)));
  const documents = planDocuments(manifest, parts);
  const planMapFailed = request.planMapError !== undefined && request.planMapError !== null;
  const plan = mergeShardPlans(manifest, documents, planMapFailed ? 'the planning Map gave up (too many failed lanes), so nothing is applied' : undefined);
  const planLocation = await request.writePlan(plan);
  const lanes = manifest.mode === 'apply' ? applyLanes(manifest.lanes, parts, planMapFailed) : [];
  await store.writeApplyLanes(lanes);
  const failedShards = documents.filter((d) => d.status === 'failed').length;
  return { run: request.run, apply: lanes.length > 0, applyLanesKey: store.applyLanesKey, planLocation, failedShards };
}

/**
 * Step 4: executes one shard's recorded plan through the checkpoint resume path: the stored plans
 * are executed without listing images again, every batch re-read before deletion and checked
 * against the in-use set (rescanned through the shared cache when older than `rescanAfter`). The
 * shard's checkpoint and journal are its own, under the run's work prefix, so a retried invocation
 * continues rather than starting over.
 */
export async function applyShard(deps: OrgStepDeps, request: ShardRequest): Promise<ShardOutput> {
  const { run, ruleSet } = request;
  const store = deps.runStore(run);
  const manifest = await store.readManifest();
  const shard = await store.readShard(request.shard);
  const ref: ShardRef = { shardId: shard.shardId, targetKey: targetKey(shard.target) };
  const target: TargetRef = { accountId: shard.target.accountId, region: shard.target.region };
  try {
    refuseChangedRules(manifest, ruleSet);
    const part = await store.readPlanPart(ref);
    if (part?.status !== 'planned' || !part.plan) throw new TargetError(target.accountId, target.region, 'ShardNotPlanned', `${describeTarget(target)}: shard ${ref.shardId} has no recorded plan: nothing of it is applied`);
    const seed: Checkpoint = {
      version: 2,
      runId: manifest.runId,
      rulesHash: hashRules(ruleSet, undefined, shard.repositories),
      finishedRepositories: [],
      updatedAt: new Date((deps.clock ?? Date.now)()).toISOString(),
      planNow: manifest.now,
      plannedRepositories: part.plan.repositories.map((plan) => ({ plan })),
      deletionsSent: 0,
    };
    const stored = deps.checkpointStore(run, ref);
    // The recorded plan is the checkpoint until the shard's own run saves one (a retry continues from that).
    const checkpoint: CheckpointStore = { load: async () => (await stored.load()) ?? seed, save: (c: Checkpoint) => stored.save(c), clear: () => stored.clear() };
    const journal = deps.journalStore(run, ref);
    const output = await sweepShard(deps, run, manifest, shard, ruleSet, { mode: 'apply', deadline: request.deadline, checkpoint, journal });
    await store.writeResultPart({ ...ref, target, status: 'completed', result: output.result });
    return { ...ref, status: 'completed' };
  } catch (error) {
    return failShard(deps, store, 'apply', ref, target, error);
  }
}

/**
 * A shard that could not be planned or applied: its failed part (the plan part, or the result
 * part), whose error names the account and Region and keeps the AWS code (`targetFailure`, as a
 * multi-target run reports a failed target), is written for RecordPlan or Finish to read, and the
 * same failure is answered to the Map. If the failed part
 * itself cannot be written, that error is thrown (the original one logged first): the invocation
 * fails, and the missing part reads as a failed shard all the same.
 */
export async function failShard(
  deps: Pick<OrgStepDeps, 'logger'>,
  store: Pick<OrgRunStore, 'writePlanPart' | 'writeResultPart'>,
  step: 'plan' | 'apply',
  ref: ShardRef,
  target: TargetRef,
  error: unknown,
): Promise<ShardOutput> {
  const { code, message } = targetFailure(target, error);
  const failure = { code, message };
  deps.logger?.error(step === 'plan' ? 'shard could not be planned' : 'shard could not be applied', { shard: ref.shardId, error: failure });
  const part = { ...ref, target, status: 'failed' as const, error: failure };
  await (step === 'plan' ? store.writePlanPart(part) : store.writeResultPart(part));
  return { ...ref, status: 'failed', error: failure };
}

/** Finish's input. */
export interface FinishRequest {
  run: OrgRunRef;
  applyMapError?: unknown;
}

/** What Finish hands its driver to publish, and whether the run failed. */
export interface FinishOutput {
  result: SweepResult;
  /** Why the run failed (targets, shards, in-use sources, deletions); empty when it did not. */
  failures: string[];
}

/**
 * Step 5: merges the result of every shard into the run's result: an applied shard's result part,
 * or (dry run, or nothing to apply) its plan's dry-run result. A shard without either is failed,
 * and so is its target; a failed target is never reported clean.
 */
export async function finishOrgRun(deps: OrgStepDeps, request: FinishRequest): Promise<FinishOutput> {
  const clock = deps.clock ?? Date.now;
  const store = deps.runStore(request.run);
  const manifest = await store.readManifest();
  const applied = new Set(
    manifest.mode === 'apply' ? (await readAppliedLanes(store)).flatMap((lane) => lane.shards.map((s) => s.shardId)) : [],
  );
  // An applied shard is reported from its result part: its plan's dry-run result is not kept.
  const planParts = await readPlanParts(store, manifest, (part) => planPartAside(deps.imageParts, part && applied.has(part.shardId) ? withoutResult(part) : part));
  const documents: ShardDocument[] = [];
  const planned = new Map(planDocuments(manifest, planParts).map((d) => [d.shardId, d]));
  for (const entry of manifest.shards) {
    const ref: ShardRef = { shardId: entry.shardId, targetKey: entry.targetKey };
    const target = targetOf(manifest, entry.targetKey);
    const plannedDoc = planned.get(entry.shardId);
    const part = planParts.get(entry.shardId) ?? null;
    if (plannedDoc?.status === 'failed') {
      documents.push({ ...ref, target, status: 'failed', ...(plannedDoc.error ? { error: plannedDoc.error } : {}) });
    } else if (applied.has(entry.shardId)) {
      const part = resultPartAside(deps.imageParts, await store.readResultPart(ref));
      if (part?.status === 'completed' && part.result) documents.push({ ...ref, target, status: 'completed', result: part.result });
      else documents.push({ ...ref, target, status: 'failed', error: part?.error ?? missingPartError('apply', ref, target) });
    } else if (part?.status === 'planned' && part.result) {
      // Not applied (dry run, or nothing to delete): its plan's dry-run result.
      documents.push({ ...ref, target, status: 'completed', result: part.result });
    } else {
      documents.push({ ...ref, target, status: 'failed', error: part?.error ?? missingPartError('plan', ref, target) });
    }
  }
  const applyMapFailed = request.applyMapError !== undefined && request.applyMapError !== null;
  const result = mergeShardResults(manifest, documents, { finishedAt: clock(), ...(applyMapFailed ? { note: 'the apply Map gave up (too many failed lanes)' } : {}) });
  return { result, failures: runFailures(manifest, documents, result, applyMapFailed) };
}

/** Why the run must end failed (so the alarm fires), one line each. */
function runFailures(manifest: OrgRunManifest, documents: readonly ShardDocument[], result: SweepResult, applyMapFailed: boolean): string[] {
  const out: string[] = [];
  for (const t of manifest.failedTargets) out.push(`target failed: account ${t.accountId}${t.region ? `, ${t.region}` : ''}: ${t.error.code}: ${t.error.message}`);
  for (const d of documents) if (d.status === 'failed') out.push(`shard failed: ${d.shardId}: ${d.error?.code ?? 'Error'}: ${d.error?.message ?? ''}`);
  const failedSources = (result.inUse?.sources ?? manifest.inUseSources).filter((s) => s.status === 'failed');
  for (const s of failedSources) out.push(`in-use source failed, nothing deleted: ${s.label}: ${s.error?.code ?? 'error'}`);
  if (result.totals.failed > 0) out.push(`${result.totals.failed} deletion(s) failed`);
  if (result.totals.failedRepositories > 0) out.push(`${result.totals.failedRepositories} repository(ies) could not be swept`);
  if (result.abortedReason) out.push(`aborted: ${result.abortedReason}`);
  if (applyMapFailed) out.push('the apply Map gave up (too many failed lanes)');
  return out;
}

/** Runs the engine on one shard: the target's registry, its lane's share of the budget, the org-wide in-use set. */
async function sweepShard(
  deps: OrgStepDeps,
  run: OrgRunRef,
  manifest: OrgRunManifest,
  shard: Shard,
  ruleSet: RuleSet,
  how: { mode: Mode; deadline: number; checkpoint?: CheckpointStore; journal?: JournalStore },
): Promise<SweepOutput> {
  const access = new Map(manifest.inUseTargets.map((t) => [targetKey(t), deps.target(t, manifest.runId)]));
  const own = deps.target(shard.target, manifest.runId);
  try {
    const unresolved = manifest.failedTargets.filter((f) => !manifest.inUseTargets.some((t) => t.accountId === f.accountId && t.region === f.region));
    const readers = allReaders(deps, ruleSet, manifest.inUseTargets, unresolved, access);
    // Start's scan of every target, reused while fresh enough for the guard; a newer one is stored for the other shards.
    const cache = deps.inUseCache(run);
    const budget = laneBudget(manifest.settings, manifest.settings.concurrency, manifest.settings.targetRequestsPerSecond);
    return await runSweep(
      {
        ...own.sweepDeps(),
        ...(deps.logger ? { logger: deps.logger } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
        inUse: { readers, cache },
        ...(how.checkpoint ? { checkpoint: how.checkpoint } : {}),
        ...(how.journal ? { journal: how.journal } : {}),
      },
      {
        ruleSet,
        mode: how.mode,
        ...(how.mode === 'dry-run' ? { now: Date.parse(manifest.now) } : {}),
        repositories: shard.repositories,
        deadline: how.deadline,
        concurrency: budget.concurrency,
        ...(budget.maxRate !== undefined ? { rateControl: { maxRate: budget.maxRate } } : {}),
        runId: manifest.runId,
        rulesSource: manifest.rulesSource,
      },
    );
  } finally {
    for (const a of access.values()) a.close();
    own.close();
  }
}

/** Every target's own in-use readers and the in-use files, as every multi-target run reads them. */
function allReaders(deps: OrgStepDeps, ruleSet: RuleSet, targets: readonly Target[], unresolved: readonly FailedTarget[], access: ReadonlyMap<string, TargetAccess>): InUseSourceReader[] {
  const perTarget = targets.map((target) => ({ target, readers: accessOf(access, target).inUseReaders(ruleSet) }));
  return crossTargetReaders(ruleSet, perTarget, unresolved, deps.fileReaders(ruleSet));
}

/** The access a step opened for `target` (every target of the step has one). */
function accessOf(access: ReadonlyMap<string, TargetAccess>, target: Target): TargetAccess {
  const found = access.get(targetKey(target));
  if (!found) throw new Error(`no access opened for target ${targetKey(target)}`);
  return found;
}

/**
 * The target's repository names; a failure names the account and Region and keeps its AWS code.
 * A TargetError inside (its role could not be assumed) already says so: it is thrown as it is.
 */
async function listRepositoryNames(access: TargetAccess, target: Target): Promise<string[]> {
  try {
    return await access.listRepositoryNames();
  } catch (error) {
    if (hasTargetError(error)) throw error;
    throw new TargetError(target.accountId, target.region, errorCode(error), `${describeTarget(target)}: DescribeRepositories failed: ${errorCode(error)}: ${messageOf(error)}`, { cause: error });
  }
}

/** A target that could not be listed, for the manifest: its AWS code, and a message naming it. */
function failedTarget(target: TargetRef, error: unknown): FailedTarget {
  const failure = targetFailure(target, error);
  return { accountId: target.accountId, region: target.region, error: { code: failure.code, message: failure.message } };
}

/** The rules may have been changed between Start and this step: a shard never runs under other rules than the run's. */
function refuseChangedRules(manifest: OrgRunManifest, ruleSet: RuleSet): void {
  if (hashRules(ruleSet) !== manifest.rulesHash) {
    throw new Error(`the rules changed since run ${manifest.runId} started (${manifest.rulesSource}): this shard is not run under other rules than the run's plan`);
  }
}

/** Every shard's plan part, each passed through `keep` as it is read (its images moved to the part store). */
async function readPlanParts(store: OrgRunStore, manifest: OrgRunManifest, keep: (part: PlanPart | null) => PlanPart | null): Promise<Map<string, PlanPart | null>> {
  const parts = new Map<string, PlanPart | null>();
  for (const s of manifest.shards) parts.set(s.shardId, keep(await store.readPlanPart({ shardId: s.shardId, targetKey: s.targetKey })));
  return parts;
}

function withoutResult(part: PlanPart): PlanPart {
  const { result: _result, ...rest } = part;
  return rest;
}

async function readAppliedLanes(store: OrgRunStore): Promise<Lane[]> {
  return (await store.readApplyLanes()) ?? [];
}

/**
 * Each shard's plan, or why it is failed: its own failure, or (a planned shard of a target another
 * shard of which did not plan) its target's. A target is planned whole or reported failed.
 */
function planDocuments(manifest: OrgRunManifest, parts: ReadonlyMap<string, PlanPart | null>): ShardDocument[] {
  const failedTargets = targetsWithFailedShards(manifest.lanes, parts);
  return manifest.shards.map((entry) => {
    const ref: ShardRef = { shardId: entry.shardId, targetKey: entry.targetKey };
    const target = targetOf(manifest, entry.targetKey);
    const part = parts.get(entry.shardId) ?? null;
    if (part?.status !== 'planned' || !part.plan) return { ...ref, target, status: 'failed', error: part?.error ?? missingPartError('plan', ref, target) };
    if (failedTargets.has(entry.targetKey)) {
      return { ...ref, target, status: 'failed', error: { code: TARGET_NOT_PLANNED, message: `${describeTarget(target)}: another shard of this target did not plan, so nothing of the target is deleted` } };
    }
    return { ...ref, target, status: 'planned', plan: part.plan };
  });
}

function targetOf(manifest: OrgRunManifest, key: string): TargetRef {
  const t = manifest.targets.find((x) => targetKey(x) === key);
  if (!t) throw new Error(`run ${manifest.runId}: shard of unknown target ${key}`);
  return { accountId: t.accountId, region: t.region };
}

function hasTargetError(error: unknown): boolean {
  for (let inner: unknown = error; inner instanceof Error; inner = inner.cause) if (inner instanceof TargetError) return true;
  return false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
