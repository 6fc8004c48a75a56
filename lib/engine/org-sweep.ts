/**
 * A multi-target run (issue 10): `runSweep` once per target (an account and a Region), with
 * bounded target concurrency, each target with its own clients, rate controller, caps,
 * checkpoint and journal. What makes it one run rather than N: every target plans first and waits
 * at a barrier; the merged plan goes to the run's plan sink; only then does any target delete. The
 * in-use set is built from every target's sources (plus the shared ones, e.g. in-use files),
 * scanned once through a shared cache, so a consumer in account B protects an image in account
 * A, and a source that fails anywhere blocks deletion everywhere. See docs/engine.md
 * (Multi-target runs).
 */
import { inUseSettingsOf } from '../core/in-use-settings.js';
import type { InUseSource } from '../core/in-use.js';
import type { Plan, PlanWarning } from '../core/plan-model.js';
import type { RuleSet } from '../core/rules-model.js';
import type { SweepResult } from '../core/result-model.js';
import { describeFailedTarget, mergePlans, mergeResults, type TargetPlan, type TargetResult } from '../core/run-merge.js';
import { describeTarget, targetKey, type FailedTarget, type Target, type TargetRef } from '../core/targets.js';
import { ConfigError, errorCode } from '../errors.js';
import { newRunId } from '../run-id.js';
import { InUseSourceError, PlanSinkError, TargetError } from './errors.js';
import { MemoryInUseScanCache } from './in-use-cache.js';
import { IN_USE_SOURCES, sourceEnabled } from './in-use-scan.js';
import { runSweep } from './sweep.js';
import type { ImagePartStore, InUseScanCache, InUseSourceReader, PlanVerdict, ProgressEvent, SweepDeps, SweepLogger, SweepOptions, SweepOutput } from './types.js';

/** How many targets sweep at once unless told: ECR's limits are per account and Region, so targets add throughput. */
export const DEFAULT_TARGET_CONCURRENCY = 4;

/** One target, with what its sweep needs (built by the driver with the target's credentials). */
export interface TargetSweep {
  target: Target;
  /**
   * The target's own sweep dependencies: its registry (`ecrRegistry` of its ECR client), and a
   * checkpoint, journal and index store scoped to it (keys or paths suffixed with its `targetKey`).
   * The plan sink, in-use deps, logger and progress are the run's, set by {@link runTargets}.
   */
  deps: Omit<SweepDeps, 'planSink' | 'inUse' | 'logger' | 'onProgress'>;
  /** The target's in-use sources (ECS, Lambda, Batch, App Runner readers built with its credentials). */
  inUseReaders?: readonly InUseSourceReader[];
}

export interface RunTargetsDeps {
  targets: readonly TargetSweep[];
  /** Targets that failed before the run (resolution: role not assumable, Region not enabled, ...). */
  failed?: readonly FailedTarget[];
  /**
   * In-use protection for the run: readers scanned once for every target (the in-use files), and
   * the cache that shares the scan (default: in memory). Without it nothing is scanned anywhere.
   */
  inUse?: { sharedReaders: readonly InUseSourceReader[]; cache?: InUseScanCache };
  /** Receives the merged plan before the first deletion in any target; see `SweepDeps.planSink`. */
  planSink?: (plan: Plan) => Promise<void | PlanVerdict>;
  logger?: SweepLogger;
  /** The run's progress: every target's summed. */
  onProgress?: (event: ProgressEvent) => void;
}

export interface RunTargetsOptions extends Omit<SweepOptions, 'repositories'> {
  /** Targets swept at once; default {@link DEFAULT_TARGET_CONCURRENCY}. */
  targetConcurrency?: number;
}

export interface RunTargetsOutput extends SweepOutput {
  /** Each target's own documents (the merged ones are `plan` and `result`), in target order. */
  perTarget: { target: TargetRef; plan?: Plan; result?: SweepResult; error?: TargetError }[];
}

/**
 * Sweeps every target as one run: plans everywhere, records the merged plan, then deletes.
 * Never lets one target stop the others: a target that throws becomes a failed target (its error
 * names the account and Region). Throws only `PlanSinkError` (the run's plan sink failed: nothing
 * was deleted anywhere) and `ConfigError` (bad options).
 *
 * @example
 * const { plan, result } = await runTargets(
 *   { targets: resolved.map((t) => ({ target: t, deps: { registry: ecrRegistry(clientsOf(t).ecr) } })), failed, planSink },
 *   { ruleSet, mode: 'apply', targetConcurrency: 4 },
 * );
 */
export async function runTargets(deps: RunTargetsDeps, options: RunTargetsOptions): Promise<RunTargetsOutput> {
  const concurrency = options.targetConcurrency ?? DEFAULT_TARGET_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`target concurrency must be a positive integer, got ${String(options.targetConcurrency)}`);
  const duplicate = firstDuplicate(deps.targets.map((t) => targetKey(t.target)));
  if (duplicate !== undefined) throw new ConfigError(`target ${duplicate} is listed twice: each target is swept once per run`);
  const clock = deps.targets[0]?.deps.clock ?? Date.now;
  const startedAt = clock();
  const now = options.now ?? startedAt;
  const runId = options.runId ?? newRunId();
  const mode = options.mode ?? options.ruleSet.defaults.mode;
  const failed: FailedTarget[] = [...(deps.failed ?? [])];
  const inUse = deps.inUse ? inUseForTargets(deps, options) : undefined;

  const slots = new Slots(concurrency);
  const barrier = new PlanBarrier(deps.targets.length);
  const planned = new Map<string, TargetPlan>();
  const progress = new ProgressSum(deps.onProgress);
  // The merged plan is recorded once, when every target has planned or failed.
  const recorded = barrier.whenAll().then(async (): Promise<{ verdict: void | PlanVerdict } | { error: unknown }> => {
    // A resumed run keeps its checkpoints' run id (every target's): the recorded plan names it.
    const recordedRunId = [...planned.values()][0]?.plan.runId ?? runId;
    const plan = mergePlans({ runId: recordedRunId, now: new Date(now).toISOString(), mode, planned: [...planned.values()], failed: currentFailures(failed) });
    try {
      return { verdict: deps.planSink ? await deps.planSink(plan) : undefined };
    } catch (error) {
      return { error };
    }
  });

  const perTarget = await Promise.all(
    deps.targets.map(async ({ target, deps: targetDeps }) => {
      const key = targetKey(target);
      const ref: TargetRef = { accountId: target.accountId, region: target.region };
      let release = await slots.acquire();
      let arrived = false;
      const sweepDeps: SweepDeps = {
        ...targetDeps,
        ...(deps.logger ? { logger: targetLogger(deps.logger, key) } : {}),
        ...(inUse ? { inUse } : {}),
        onProgress: (event) => progress.update(key, event),
        planSink: async (plan) => {
          planned.set(key, { target: ref, plan });
          arrived = true;
          // Waiting at the barrier holds no slot, or targets beyond the concurrency would never plan.
          release();
          barrier.arrive();
          const outcome = await recorded;
          release = await slots.acquire();
          if ('error' in outcome) throw outcome.error;
          return outcome.verdict;
        },
      };
      try {
        const output = await runSweep(sweepDeps, { ...options, now, runId });
        return { target: ref, plan: output.plan, result: output.result };
      } catch (error) {
        if (error instanceof PlanSinkError) return { target: ref, sinkFailed: error };
        const failure = targetFailure(target, error);
        deps.logger?.error('target failed', { target: key, code: failure.code, error: failure.message });
        failed.push({ accountId: target.accountId, region: target.region, error: { code: failure.code, message: failure.message } });
        planned.delete(key);
        return { target: ref, error: failure };
      } finally {
        release();
        if (!arrived) barrier.arrive();
      }
    }),
  );

  const sink = await recorded;
  if ('error' in sink) {
    throw new PlanSinkError(`the plan could not be recorded, so nothing was deleted in any target: ${messageOf(sink.error)}`, { cause: sink.error });
  }
  const done: TargetResult[] = perTarget.flatMap((p) => ('result' in p && p.result ? [{ target: p.target, result: p.result }] : []));
  const finishedAt = clock();
  const plans: TargetPlan[] = perTarget.flatMap((p) => ('plan' in p && p.plan ? [{ target: p.target, plan: p.plan }] : []));
  const runIdOf = plans[0]?.plan.runId ?? runId;
  const plan = mergePlans({ runId: runIdOf, now: new Date(now).toISOString(), mode, planned: plans, failed: currentFailures(failed) });
  const declined = mode === 'apply' && 'verdict' in sink && sink.verdict?.execute === false;
  const result = mergeResults({
    runId: runIdOf,
    mode: declined ? 'dry-run' : mode,
    rulesSource: options.rulesSource ?? options.ruleSet.source ?? 'rules',
    now: new Date(now).toISOString(),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    done,
    failed: currentFailures(failed),
  });
  deps.logger?.info('run finished', { runId: runIdOf, targets: result.totals.targets, failedTargets: result.totals.failedTargets, deleted: result.totals.deleted });
  return {
    plan,
    result,
    perTarget: perTarget.map((p) => ({
      target: p.target,
      ...('plan' in p && p.plan ? { plan: p.plan } : {}),
      ...('result' in p && p.result ? { result: p.result } : {}),
      ...('error' in p && p.error ? { error: p.error } : {}),
    })),
  };
}

/**
 * The in-use deps every target's sweep gets: the readers of every target and the shared ones,
 * one cache. A target that failed before the run (its sources cannot be read with a role that
 * cannot be assumed) adds a reader that fails: a consumer could be there, so nothing is deleted
 * anywhere until it can be read.
 */
function inUseForTargets(deps: RunTargetsDeps, options: RunTargetsOptions): NonNullable<SweepDeps['inUse']> {
  const readers = crossTargetReaders(
    options.ruleSet,
    deps.targets.map((t) => ({ target: t.target, readers: t.inUseReaders ?? [] })),
    deps.failed ?? [],
    deps.inUse?.sharedReaders ?? [],
  );
  return { readers, cache: deps.inUse?.cache ?? new MemoryInUseScanCache() };
}

/**
 * The in-use readers of a run over several targets, for every driver (`runTargets`, the state
 * machine's steps): each target's own readers labelled with it, the shared ones (the in-use files)
 * once, and for each target that could not be reached a reader that fails (under the first target
 * source the rules scan), since its consumers are unknown: nothing is deleted anywhere until it
 * can be read or is left out of the rules.
 */
export function crossTargetReaders(
  ruleSet: RuleSet,
  perTarget: readonly { target: TargetRef; readers: readonly InUseSourceReader[] }[],
  failed: readonly FailedTarget[],
  shared: readonly InUseSourceReader[],
): InUseSourceReader[] {
  const settings = inUseSettingsOf(ruleSet);
  const readers: InUseSourceReader[] = [...shared, ...perTarget.flatMap((t) => t.readers.map((reader) => inTarget(reader, t.target)))];
  const source = IN_USE_SOURCES.find((s) => s !== 'file' && sourceEnabled(settings, s));
  if (source !== undefined) for (const target of failed) readers.push(unreadableTarget(source, target));
  return readers;
}

/** A target's reader, labelled with its target (`ECS (all clusters) in 111111111111/eu-west-1`): every target's report lists it. */
function inTarget(reader: InUseSourceReader, target: TargetRef): InUseSourceReader {
  return { source: reader.source, label: `${reader.label} in ${targetKey(target)}`, scan: (options) => reader.scan(options) };
}

/** A reader standing for the sources of a target that could not be reached: its scan fails, naming it. */
function unreadableTarget(source: InUseSource, failed: FailedTarget): InUseSourceReader {
  const where = describeFailedTarget(failed);
  return {
    source,
    label: `in-use sources in ${where}`,
    scan: () => Promise.reject(new InUseSourceError(source, failed.error.code, `${where} could not be reached (${failed.error.message}), so what runs there is unknown`)),
  };
}

/**
 * One run's image store shared by its targets: each target's keys (repository names) prefixed with
 * its `targetKey`, since two targets may hold a repository of the same name.
 */
export function targetImageParts(store: ImagePartStore, target: TargetRef): ImagePartStore {
  const key = (name: string): string => `${targetKey(target)}/${name}`;
  return {
    writePlanImages: (name, images) => store.writePlanImages(key(name), images),
    readPlanImages: (name) => store.readPlanImages(key(name)),
    writeResultImages: (name, images) => store.writeResultImages(key(name), images),
    readResultImages: (name) => store.readResultImages(key(name)),
  };
}

/** Failed targets as the merge takes them (a snapshot: targets may still be failing). */
function currentFailures(failed: readonly FailedTarget[]): FailedTarget[] {
  return failed.map((f) => ({ ...f, error: { ...f.error } }));
}

/** A counting semaphore whose permits can be given back and taken again by the same holder. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** A permit; the returned function gives it back (once; later calls do nothing). */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

/** Resolves once every target has planned or failed. */
class PlanBarrier {
  private left: number;
  private readonly all: Promise<void>;
  private open: () => void = () => {};

  constructor(count: number) {
    this.left = count;
    this.all = new Promise((resolve) => (this.open = resolve));
    if (count === 0) this.open();
  }

  arrive(): void {
    this.left -= 1;
    if (this.left === 0) this.open();
  }

  whenAll(): Promise<void> {
    return this.all;
  }
}

/** The run's progress: the latest event of each target, summed per phase. */
class ProgressSum {
  private readonly latest = new Map<string, ProgressEvent>();

  constructor(private readonly sink: ((event: ProgressEvent) => void) | undefined) {}

  update(key: string, event: ProgressEvent): void {
    if (!this.sink) return;
    this.latest.set(key, event);
    const same = [...this.latest.values()].filter((e) => e.phase === event.phase);
    if (event.phase === 'list') {
      const list = same as Extract<ProgressEvent, { phase: 'list' }>[];
      this.sink({ phase: 'list', repositoriesDone: sum(list, (e) => e.repositoriesDone), repositoriesTotal: sum(list, (e) => e.repositoriesTotal), images: sum(list, (e) => e.images) });
    } else {
      const del = same as Extract<ProgressEvent, { phase: 'delete' }>[];
      this.sink({ phase: 'delete', imagesDone: sum(del, (e) => e.imagesDone), imagesTotal: sum(del, (e) => e.imagesTotal) });
    }
  }
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((n, item) => n + of(item), 0);
}

/** The run's logger with the target on every line. */
function targetLogger(logger: SweepLogger, key: string): SweepLogger {
  return {
    debug: (message, ...extra) => logger.debug(message, { target: key }, ...extra),
    info: (message, ...extra) => logger.info(message, { target: key }, ...extra),
    warn: (message, ...extra) => logger.warn(message, { target: key }, ...extra),
    error: (message, ...extra) => logger.error(message, { target: key }, ...extra),
  };
}

function firstDuplicate(keys: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

/**
 * A target's failure as a TargetError naming its account and Region, for every driver (`runTargets`,
 * the state machine's steps). A TargetError inside (an AssumeRoleError from the target's
 * credentials, under the ECR call that needed them) already says what went wrong and where, with
 * its AWS code: it is used as it is, not wrapped in the call.
 */
export function targetFailure(target: TargetRef, error: unknown): TargetError {
  for (let inner: unknown = error; inner instanceof Error; inner = inner.cause) {
    if (inner instanceof TargetError) return new TargetError(target.accountId, target.region, inner.code, inner.message, { cause: error });
  }
  return new TargetError(target.accountId, target.region, codeOf(error), `${describeTarget(target)}: ${messageOf(error)}`, { cause: error });
}

/** The AWS error code of a target's failure (`AccessDenied`), not the wrapper's class (`EcrCallError`). */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : errorCode(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
