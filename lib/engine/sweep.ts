/**
 * The sweep: enumerate the repositories the rules govern, plan each one as it is listed, hand
 * the whole plan to the plan sink, then (apply mode only) delete what the plan says, safely and
 * at the API's limit. The CLI and the Lambda functions both call {@link runSweep}.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { globWarnings } from '../core/glob-warnings.js';
import { mergeIndexMemory, type IndexMemory } from '../core/index-memory.js';
import { compileRepositoryGlob } from '../core/repository-glob.js';
import type { PlannedImage, Plan, PlanWarning, RepositoryPlan } from '../core/plan-model.js';
import { NO_ATTACHED_POLICY_REASON, compileAttachedPolicy, noAttachedPolicyPlan, type AttachedPolicyText } from '../core/attached-policy.js';
import { tagSelectorWarnings } from '../core/tag-warnings.js';
import { pullTimeExclusionWarning, rulesUsePullTime, type PullTimeExclusionCheck } from '../core/pull-time-exclusion.js';
import { DeletionBudgets, deletionLayers, planRepository, selectPolicy, summarizePlan, transitionLayers, type PolicySelection } from '../core/planner.js';
import { appliedSettings, heldBackBy, type AppliedSettings } from '../core/policy-settings.js';
import type { Outcome, RepositoryResult, ResultCounts, SweepResult } from '../core/result-model.js';
import type { Mode, Policy, RepositoryTags, Rule, RuleSet } from '../core/rules-model.js';
import { ConfigError, errorCode } from '../errors.js';
import { newRunId } from '../run-id.js';
import { inUseSettingsOf } from '../core/in-use-settings.js';
import { holdRepositoryPlan } from '../core/plan-hold.js';
import type { InUseUsage } from '../core/in-use.js';
import { DeadlineReachedError, EcrCallError, FutureNowError, PlanSinkError } from './errors.js';
import { InUseGuard } from './in-use-guard.js';
import { archiveRepository, combineExecutions } from './archiver.js';
import { executeRepository, type RepositoryExecution } from './executor.js';
import { JournalWriter, journaledRegistry, mergeOutcome, summarizeJournal, type JournalSummary } from './journal.js';
import { orderedMap } from './ordered-map.js';
import type { ListedRepository, OwnIndexReads, Registry, RegistryConnection, RegistryIdentity, RepositoryRef } from './ports.js';
import { RateController } from './rate-controller.js';
import { addCounts, dryRunRepositoryResult, emptyCounts, repositoryResult } from './result-builder.js';
import { CheckpointTracker, decideResume, type ResumeState } from './resume.js';
import { RunControl } from './run-control.js';
import { planAside, resultAside } from './image-parts.js';
import type {
  Checkpoint,
  ImagePartStore,
  IndexStore,
  JournalRecord,
  PlanVerdict,
  ProgressEvent,
  StoredRepositoryPlan,
  SweepDeps,
  SweepOptions,
  SweepOutput,
} from './types.js';

const DEFAULT_CONCURRENCY = 4;
/**
 * How far an apply run's `now` may be ahead of the clock: enough for a caller's clock that runs a
 * little fast, far too little to age an image past any sensible `minAge`.
 */
export const MAX_APPLY_NOW_SKEW_MS = 5 * 60_000;

/** A repository that could not be listed, or whose tags or attached policy could not be read. */
interface ListingFailure {
  repositoryName: string;
  policy: string | null;
  /** What went wrong, for the result: `could not be listed: ThrottlingException`. */
  statusReason: string;
  error: { code: string; message: string };
}

/** A repository a policy governs, waiting to be listed and planned. */
interface GovernedRepository {
  name: string;
  policy: Policy;
  /** Its resource tags, when a policy needed them to decide. */
  tags?: RepositoryTags;
}

/** What listing one governed repository found. */
type RepositoryListing =
  | { kind: 'listed'; listing: ListedRepository; attachedRules?: readonly Rule[] }
  | { kind: 'no-lifecycle-policy' }
  | { kind: 'failed'; statusReason: string; error: { code: string; message: string } };

/**
 * What execution needs of a planned repository, kept after its inventory is dropped. Its deletion
 * and transition layers are computed when it is executed, from its plan's images (which may be in
 * the image part store until then).
 */
interface PlannedRepository {
  plan: RepositoryPlan;
  /** Planned deletions an earlier run of this sweep already made (journal): left out of execution. */
  skip?: ReadonlySet<string>;
  ownIndexReads?: OwnIndexReads;
}

interface Enumeration {
  plan: Plan;
  /** Repositories to execute in this run (planned now or stored and not yet finished). */
  planned: PlannedRepository[];
  failed: ListingFailure[];
  /** Repositories the deadline kept from being listed. */
  notListed: string[];
  /** Every repository name of the registry listing (before any filter), for the in-use counts. */
  listed: ReadonlySet<string>;
}

interface Session {
  deps: SweepDeps;
  options: SweepOptions;
  clock: () => number;
  now: number;
  mode: Mode;
  concurrency: number;
  /** The sweep's paced, counted connection to its registry (`deps.registry`). */
  connection: RegistryConnection;
  registry: Registry;
  run: RunControl;
  /** In-use protection, when the drivers wired sources (`deps.inUse`). */
  inUse?: InUseGuard;
  /** Where repositories' images are kept between planning and execution (`deps.imageParts`). */
  parts?: ImagePartStore;
}

/**
 * Enumerates and plans without deleting anything.
 *
 * @example
 * ```ts
 * const plan = await buildPlan({ registry: ecrRegistry(createEcrClient()) }, { ruleSet });
 * console.log(plan.summary.delete, 'images would be deleted');
 * ```
 */
export async function buildPlan(deps: SweepDeps, options: SweepOptions): Promise<Plan> {
  const session = openSession(deps, { ...options, mode: 'dry-run' });
  const enumeration = await enumerate(session, null);
  return enumeration.plan;
}

/**
 * Plans and, only when the rules or `options.mode` explicitly say `apply`, deletes. Every image
 * of the result has an outcome; see docs/engine.md for the guarantees.
 *
 * @example
 * ```ts
 * const { plan, result } = await runSweep(
 *   { registry: ecrRegistry(createEcrClient()), planSink: (p) => reports.writePlan(p), checkpoint: new FileCheckpointStore('.sweep.json') },
 *   { ruleSet, mode: 'apply', deadline: Date.now() + 10 * 60_000 },
 * );
 * ```
 */
export async function runSweep(deps: SweepDeps, options: SweepOptions): Promise<SweepOutput> {
  const session = openSession(deps, options);
  const startedAt = session.clock();
  const rulesHash = hashRules(options.ruleSet, options.repositoryFilter, options.repositories);
  const apply = session.mode === 'apply';

  const warnings: PlanWarning[] = [];
  let resume: ResumeState | null = null;
  let loaded: Checkpoint | null = null;
  if (apply && deps.checkpoint) {
    loaded = await loadCheckpoint(session, deps.checkpoint);
    const decision = decideResume(loaded, rulesHash, session.clock());
    if (decision.log) deps.logger?.[decision.log.level](decision.log.message, decision.log.fields);
    if (decision.warning) warnings.push(decision.warning);
    resume = decision.state;
  }
  // A resumed run keeps the checkpoint's run id, so all its runs report, journal and checkpoint as one.
  const runId = resume?.runId ?? options.runId ?? newRunId();
  if (resume) {
    // What is left is planned at the stored plan's time, so the whole plan has one `now`.
    if (resume.planNow !== undefined) session.now = resume.planNow;
    session.run = new RunControl(options.ruleSet.defaults.maxDeletionsPerRun, options.deadline, session.clock, resume.deletionsSent, policyCaps(options.ruleSet));
  }
  const unwatch = watchSignal(session, options.signal);

  const journal = apply && deps.journal ? new JournalWriter(deps.journal, runId, session.clock) : undefined;
  const earlier = resume && deps.journal ? await readJournal(session, deps.journal, runId, warnings) : emptyJournal();
  const tracker =
    apply && deps.checkpoint
      ? new CheckpointTracker(deps.checkpoint, { runId, rulesHash, planNow: new Date(session.now).toISOString() }, session.clock, () => session.run.deletionsSent, deps.logger)
      : undefined;
  if (resume && session.parts) {
    // Stored plans go to the part store like new ones: the run holds their summaries only.
    for (const [name, stored] of resume.plans) resume.plans.set(name, { ...stored, plan: planAside(session.parts, stored.plan) });
  }
  if (tracker && resume) {
    for (const [name, stored] of resume.plans) tracker.plans.set(name, stored);
    for (const name of resume.finished) tracker.finished.add(name);
  }

  const enumeration = await enumerate(session, resume, (entry) => tracker?.planned(entry));
  skipJournaledDeletions(enumeration.planned, earlier);
  enumeration.plan.runId = runId;
  enumeration.plan.warnings = [...warnings, ...enumeration.plan.warnings];
  let verdict: void | PlanVerdict = undefined;
  if (deps.planSink) {
    try {
      verdict = await deps.planSink(enumeration.plan);
    } catch (error) {
      throw new PlanSinkError(`the plan could not be recorded, so nothing was deleted: ${messageOf(error)}`, { cause: error });
    }
  }
  // A declined apply is reported as the dry run of its plan; its checkpoint is left as it was.
  const declined = apply && verdict?.execute === false ? verdict : undefined;
  const execute = apply && declined === undefined;
  // Listing may have saved progress before the question was answered: put back what was there.
  if (tracker && declined) await tracker.restore(loaded);
  if (tracker && execute) {
    for (const plan of enumeration.plan.repositories) {
      if (plan.status !== 'planned' || actions(plan) === 0 || heldBackBy(settingsOf(session, plan)) !== undefined) tracker.finished.add(plan.repositoryName);
    }
    // The whole plan is in the checkpoint before the first deletion.
    await tracker.planRecorded();
  }

  const earlierRuns = { finished: resume?.finished ?? new Set<string>(), journal: earlier };
  const executed = execute
    ? await executeAll(session, enumeration.planned, {
        ...(journal ? { journal } : {}),
        resultOf: (plan, execution) => executedResult(plan, execution, earlier),
        onBatchSettled: () => tracker?.batchSettled(),
        onRepositoryDone: async (name, execution) => {
          if (journal) await journalRepository(session, journal, name, execution);
          if (execution.status === 'completed' || execution.status === 'blocked') tracker?.repositoryFinished(name);
        },
      })
    : new Map<string, RepositoryResult>();
  const notExecuted = declined ? `${declined.reason}: nothing is deleted` : undefined;
  const repositories = buildRepositoryResults(session, enumeration, executed, earlierRuns, notExecuted);

  const totals: ResultCounts & { repositories: number; failedRepositories: number } = {
    ...emptyCounts(),
    repositories: repositories.length,
    failedRepositories: 0,
  };
  const finished = new Set<string>(resume?.finished ?? []);
  const remaining: string[] = [];
  for (const repository of repositories) {
    addCounts(totals, repository.counts);
    if (repository.status === 'failed') totals.failedRepositories += 1;
    else if (repository.status === 'not-started') remaining.push(repository.repositoryName);
    else finished.add(repository.repositoryName);
  }

  const stats = session.connection.stats();
  const finishedAt = session.clock();
  const result: SweepResult = {
    version: 1,
    runId,
    mode: declined ? 'dry-run' : session.mode,
    rulesSource: options.rulesSource ?? options.ruleSet.source ?? 'rules',
    now: new Date(session.now).toISOString(),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - startedAt,
    repositories,
    totals,
    apiCalls: stats.apiCalls,
    retries: stats.retries,
    throttles: stats.throttles,
    stoppedByDeadline: session.run.stoppedByDeadline,
    finishedRepositories: [...finished].sort(),
    remainingRepositories: remaining,
    warnings: declined
      ? [...enumeration.plan.warnings, { code: 'apply-declined', message: `apply stopped before deleting (${declined.reason}): nothing was deleted; this result is the plan's dry run` }]
      : enumeration.plan.warnings,
  };
  if (session.run.abortedReason !== undefined) result.abortedReason = session.run.abortedReason;
  if (session.inUse) result.inUse = session.inUse.report(enumeration.plan.repositories, enumeration.listed);
  if (session.run.interrupted !== undefined) result.interrupted = session.run.interrupted;

  if (tracker && execute) {
    tracker.finished.clear();
    for (const name of result.finishedRepositories) tracker.finished.add(name);
    await tracker.finish(remaining.length === 0);
  }
  deps.logger?.info('sweep finished', {
    runId,
    mode: result.mode,
    deleted: totals.deleted,
    archived: totals.archived,
    failed: totals.failed,
    skipped: totals.skipped,
    wouldDelete: totals.wouldDelete,
    stoppedByDeadline: result.stoppedByDeadline,
    ...(result.interrupted !== undefined ? { interrupted: result.interrupted } : {}),
    apiCalls: result.apiCalls,
  });
  unwatch();
  return { plan: enumeration.plan, result };
}

/**
 * Leaves out of execution what an earlier run's BatchDeleteImage reported deleted: re-reading a
 * gone image costs part of its batch's bounded re-read, and the result reports it deleted from the
 * journal.
 * (Should the same digest be pushed again, it is simply not deleted: the safe side.)
 */
function skipJournaledDeletions(planned: PlannedRepository[], journal: JournalSummary): void {
  for (const entry of planned) {
    const deleted = journal.deleted.get(entry.plan.repositoryName);
    if (deleted === undefined || deleted.size === 0) continue;
    entry.skip = deleted;
  }
}

/**
 * Interrupts the run (between batches) when the caller's signal is aborted. Returns what removes
 * the listener: a caller may reuse its signal for many sweeps (one per target), and a listener
 * left behind would keep a finished sweep's session (its registry's index reads) reachable.
 */
function watchSignal(session: Session, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const run = session.run;
  const interrupt = (): void => run.interrupt(typeof signal.reason === 'string' ? signal.reason : 'aborted');
  if (signal.aborted) interrupt();
  else signal.addEventListener('abort', interrupt, { once: true });
  return () => signal.removeEventListener('abort', interrupt);
}

async function readJournal(session: Session, store: NonNullable<SweepDeps['journal']>, runId: string, warnings: PlanWarning[]): Promise<JournalSummary> {
  try {
    return summarizeJournal(await store.read(runId));
  } catch (error) {
    // The run itself is safe without it (every batch is re-read); only the report would lack earlier deletions.
    session.deps.logger?.warn('journal of earlier runs unreadable', { runId, error: messageOf(error) });
    warnings.push({
      code: 'journal-unreadable',
      message: `the journal of run ${runId} (${store.where}) could not be read (${messageOf(error)}): deletions made by its earlier runs are missing from this result; the journal itself is untouched.`,
    });
    return emptyJournal();
  }
}

function emptyJournal(): JournalSummary {
  return { deleted: new Map(), unanswered: new Map(), ended: new Map() };
}

/** Journals a repository's end: each planned deletion's outcome, then its status. */
async function journalRepository(session: Session, journal: JournalWriter, name: string, execution: RepositoryExecution): Promise<void> {
  const at = journal.now();
  const records: JournalRecord[] = [];
  for (const [imageDigest, outcome] of execution.outcomes) {
    records.push({ event: 'outcome', runId: journal.runId, at, repositoryName: name, imageDigest, outcome });
  }
  const end: JournalRecord = { event: 'repository', runId: journal.runId, at, repositoryName: name, status: execution.status };
  if (execution.statusReason !== undefined) end.statusReason = execution.statusReason;
  if (execution.error) end.error = execution.error;
  records.push(end);
  try {
    await journal.write(records);
  } catch (error) {
    stopForJournal(session, error);
  }
}

/** Without a journal, deletions would go unrecorded: no new batch starts (a safety stop, exit 3). */
function stopForJournal(session: Session, error: unknown): void {
  session.deps.logger?.error('journal could not be written; stopping', { error: messageOf(error) });
  session.run.abort(`the result journal could not be written (${messageOf(error)}), so no more deletions were sent`);
}

function openSession(deps: SweepDeps, options: SweepOptions): Session {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`concurrency must be a positive integer, got ${String(options.concurrency)}`);
  }
  const clock = deps.clock ?? Date.now;
  const mode: Mode = options.mode ?? options.ruleSet.defaults.mode;
  if (mode === 'apply' && options.now !== undefined) refuseFutureNow(options.now, clock());
  const rate = new RateController(options.rateControl ?? {});
  const connection = deps.registry({
    rate,
    maxInFlight: concurrency,
    clock,
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
  });
  const session: Session = {
    ...(deps.imageParts ? { parts: deps.imageParts } : {}),
    deps,
    options,
    clock,
    now: options.now ?? clock(),
    mode,
    concurrency,
    connection,
    registry: connection.registry,
    run: new RunControl(options.ruleSet.defaults.maxDeletionsPerRun, options.deadline, clock, 0, policyCaps(options.ruleSet)),
  };
  if (deps.inUse) {
    session.inUse = new InUseGuard(deps.inUse.readers, inUseSettingsOf(options.ruleSet), clock, {
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(deps.inUse.cache ? { cache: deps.inUse.cache } : {}),
    });
  }
  return session;
}

/**
 * A future evaluation time would make every image look older than it is (minAge and every age
 * rule defeated), so an apply run refuses it. A past one only makes every time condition and
 * minAge harder to meet (count rules ignore the time), so it can only keep more.
 */
function refuseFutureNow(now: number, clockNow: number): void {
  if (!Number.isFinite(now)) throw new ConfigError(`options.now must be a finite epoch-millisecond time, got ${String(now)}; nothing was listed or deleted`);
  if (now > clockNow + MAX_APPLY_NOW_SKEW_MS) {
    throw new FutureNowError(
      `an apply run cannot evaluate the rules in the future: now ${new Date(now).toISOString()} is ${formatAhead(now - clockNow)} ahead of the clock (${new Date(clockNow).toISOString()}; allowed skew ${MAX_APPLY_NOW_SKEW_MS / 60_000} min). A future time would age every image past minAge; nothing was listed or deleted. Use a dry run to see what a later date would do.`,
    );
  }
}

function formatAhead(ms: number): string {
  const minutes = ms / 60_000;
  return minutes < 120 ? `${Math.round(minutes)} min` : minutes < 2880 ? `${(minutes / 60).toFixed(1)} h` : `${(minutes / 1440).toFixed(1)} days`;
}

/**
 * Lists repositories, reads the resource tags of those a tag-selecting policy could govern, then
 * lists and plans each governed one in name order (reading its attached lifecycle policy first
 * when its policy runs attached policies). With `resume`, a
 * repository whose plan is stored is not listed again: its stored plan is used (and executed
 * unless an earlier run finished it; a finished one is part of this run's plan and result only
 * when there is a journal to report it from). `onPlanned` sees each repository planned by this run.
 */
async function enumerate(
  session: Session,
  resume: ResumeState | null,
  onPlanned?: (entry: StoredRepositoryPlan) => void,
): Promise<Enumeration> {
  const { ruleSet, repositoryFilter } = session.options;
  // Compiled before the first call: a filter outside the glob syntax is a ConfigError, not a half-run.
  const matches = repositoryFilter ? compileRepositoryGlob(repositoryFilter) : () => true;
  // The in-use scan runs while the registry is listed; planning waits for it.
  session.inUse?.start();
  let repositories: RepositoryRef[];
  try {
    repositories = await session.registry.listRepositories();
  } catch (error) {
    throw new EcrCallError('DescribeRepositories', errorCode(error), messageOf(error), { cause: error });
  }
  let names = repositories.map((r) => r.name);
  const listed: ReadonlySet<string> = new Set(names);
  const registryId = session.registry.registryId;
  if (session.inUse && registryId !== undefined) {
    await session.inUse.identify(async () => {
      const identity = await session.connection.identity(registryId);
      return { accountId: identity.registryId, region: identity.region };
    });
  }
  const arnOf = new Map(repositories.map((r) => [r.name, r.arn]));
  // Judged against the whole registry: a glob that matches nothing there is probably a mistake.
  const warnings: PlanWarning[] = globWarnings({
    ruleSet,
    repositoryNames: names,
    ...(repositoryFilter !== undefined ? { repositoryFilter } : {}),
    ...(session.options.repositoryFilterLabel !== undefined ? { repositoryFilterLabel: session.options.repositoryFilterLabel } : {}),
  });
  for (const warning of warnings) session.deps.logger?.warn(warning.message, { code: warning.code });
  names = [...new Set(names)].filter((n) => matches(n)).sort();
  if (session.options.repositories !== undefined) {
    const only = new Set(session.options.repositories);
    names = names.filter((n) => only.has(n));
    for (const warning of missingRepositoryWarnings(session.options.repositories, listed)) {
      warnings.push(warning);
      session.deps.logger?.warn(warning.message, { code: warning.code, repository: warning.repositoryName });
    }
  }
  if (session.deps.callerIdentity && rulesUsePullTime(ruleSet)) {
    const warning = pullTimeExclusionWarning(ruleSet, await checkPullTimeExclusion(session));
    if (warning) {
      warnings.push(warning);
      session.deps.logger?.warn(warning.message, { code: warning.code });
    }
  }
  const memory = await openIndexMemory(session, warnings);

  const repositoryPlans: RepositoryPlan[] = [];
  const planned: PlannedRepository[] = [];
  const failed: ListingFailure[] = [];
  const notListed: string[] = [];
  const governed: GovernedRepository[] = [];
  const classify = (name: string, selection: PolicySelection, tags?: RepositoryTags): void => {
    if (selection.policy === null || selection.protected) {
      repositoryPlans.push(ungovernedPlan(name, selection.policy?.name ?? null, selection.protected, selection.reason));
    } else {
      governed.push({ name, policy: selection.policy, ...(tags !== undefined ? { tags } : {}) });
    }
  };
  const needTags: string[] = [];
  const budgets = new DeletionBudgets(ruleSet);
  for (const name of names) {
    const stored = resume?.plans.get(name);
    if (stored) {
      budgets.spend(stored.plan);
      const finished = resume?.finished.has(name) === true;
      // A finished repository is reported only from the journal of the runs that swept it.
      if (!finished || session.deps.journal) repositoryPlans.push(stored.plan);
      if (!finished) planned.push(plannedRepository(stored.plan, stored.ownIndexReads ? new Map(Object.entries(stored.ownIndexReads)) : undefined));
      continue;
    }
    // Finished by an earlier run whose checkpoint kept no plans (version 1): not part of this run.
    if (resume?.finished.has(name)) continue;
    const selection = selectPolicy(name, ruleSet);
    if (selection.needsTags) needTags.push(name);
    else classify(name, selection);
  }

  // Tags only where a tag-selecting policy could govern the repository: one call each, metered.
  const tagReads = orderedMap(
    needTags,
    session.concurrency,
    (name) => session.registry.listRepositoryTags(arnOf.get(name) ?? ''),
    () => !stopsListing(session),
  );
  let tagsUnknown = 0;
  for await (const read of tagReads) {
    const name = read.item;
    if (read.value === undefined) tagsUnknown += 1;
    if (!read.started) {
      notListed.push(name);
    } else if (read.value === undefined && read.error instanceof DeadlineReachedError) {
      session.run.markDeadline();
      notListed.push(name);
    } else if (read.value === undefined) {
      // Fail closed: a repository whose tags are unknown is not governed by a guess.
      const error = { code: errorCode(read.error), message: messageOf(read.error) };
      session.deps.logger?.warn('repository tags could not be read', { repository: name, ...error });
      failed.push({ repositoryName: name, policy: null, statusReason: `could not read its resource tags (ListTagsForResource): ${error.code}`, error });
    } else {
      classify(name, selectPolicy(name, ruleSet, read.value), read.value);
    }
  }
  governed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Judged on the whole registry only: a --repository filter or a shard's list may leave a tag policy nothing to govern.
  if (repositoryFilter === undefined && session.options.repositories === undefined && needTags.length > 0) {
    const governingPolicies = new Set<string>([...governed.map((g) => g.policy.name), ...repositoryPlans.flatMap((p) => (p.policy === null ? [] : [p.policy]))]);
    for (const warning of tagSelectorWarnings({ ruleSet, governingPolicies, tagsRead: needTags.length - tagsUnknown, tagReadFailures: tagsUnknown })) {
      warnings.push(warning);
      session.deps.logger?.warn(warning.message, { code: warning.code });
    }
  }

  const listedNow = new Set<string>();
  let listedImages = 0;
  let done = 0;
  const listProgress = (): void =>
    progress(session, { phase: 'list', repositoriesDone: done, repositoriesTotal: governed.length, images: listedImages });
  listProgress();
  const listings = orderedMap(
    governed,
    session.concurrency,
    (repo) => listRepository(session, repo),
    () => !stopsListing(session),
  );
  for await (const listing of listings) {
    done += 1;
    const { name, policy, tags } = listing.item;
    const found = listing.value;
    if (!listing.started) {
      notListed.push(name);
    } else if (found === undefined && listing.error instanceof DeadlineReachedError) {
      // Throttled or timing out until the deadline: not a broken repository, the next run lists it.
      session.run.markDeadline();
      notListed.push(name);
    } else if (found === undefined) {
      const error = { code: errorCode(listing.error), message: messageOf(listing.error) };
      session.deps.logger?.warn('repository could not be listed', { repository: name, ...error });
      failed.push({ repositoryName: name, policy: policy.name, statusReason: `could not be listed: ${error.code}`, error });
    } else if (found.kind === 'failed') {
      session.deps.logger?.warn('repository could not be planned', { repository: name, ...found.error });
      failed.push({ repositoryName: name, policy: policy.name, statusReason: found.statusReason, error: found.error });
    } else if (found.kind === 'no-lifecycle-policy') {
      repositoryPlans.push(noAttachedPolicyPlan(name, policy.name));
    } else {
      const inventory = { repositoryName: name, images: found.listing.images };
      listedImages += inventory.images.length;
      const inUse = session.inUse ? await session.inUse.forPlanning(name, inventory.images) : undefined;
      const plan = planRepository(inventory, ruleSet, session.now, {
        ...budgets.optionsFor(name, tags),
        ...(inUse !== undefined ? { inUse } : {}),
        ...(tags !== undefined ? { repositoryTags: tags } : {}),
        ...(found.attachedRules !== undefined ? { attachedRules: found.attachedRules } : {}),
      });
      budgets.spend(plan);
      // With a part store its images leave memory now; the run keeps the repository's summary.
      const kept = session.parts ? planAside(session.parts, plan) : plan;
      repositoryPlans.push(kept);
      listedNow.add(name);
      planned.push(plannedRepository(kept, found.listing.ownIndexReads));
      const stored: StoredRepositoryPlan = { plan: kept };
      if (found.listing.ownIndexReads) stored.ownIndexReads = Object.fromEntries(found.listing.ownIndexReads);
      onPlanned?.(stored);
    }
    listProgress();
  }
  // Only what this run listed: a repository executed from a stored plan was not read again.
  if (memory) await saveIndexMemory(session, memory, listedNow, warnings);
  // Nothing lists after this: what the reads found is in the plan and the store, and kept until
  // the end it would be the one part of the run's memory that grows with the registry.
  session.registry.forgetIndexReads();
  if (session.inUse) {
    await session.inUse.ready();
    const failure = session.inUse.failure();
    if (failure !== undefined) blockForInUse(repositoryPlans, planned, `${failure}: nothing is deleted in this registry`, session.parts);
    const warning = malformedReferencesWarning(session.inUse.malformed());
    if (warning) {
      warnings.push(warning);
      session.deps.logger?.warn(warning.message, { code: warning.code });
    }
  }
  repositoryPlans.sort((a, b) => (a.repositoryName < b.repositoryName ? -1 : a.repositoryName > b.repositoryName ? 1 : 0));
  const plan = summarizePlan(repositoryPlans, session.now, session.mode, warnings);
  if (session.inUse) plan.inUse = session.inUse.report(plan.repositories, listed);
  return { plan, planned, failed, notListed, listed };
}

/**
 * A repository asked for by name that the registry does not have: probably deleted since the
 * list was made (a shard's list is made before it is planned), so a warning, never an error.
 */
function missingRepositoryWarnings(asked: readonly string[], listed: ReadonlySet<string>): PlanWarning[] {
  return [...new Set(asked)]
    .filter((name) => !listed.has(name))
    .sort()
    .map((name) => ({
      code: 'repository-not-found',
      message: `repository ${name} was asked for by name but the registry has no such repository (deleted since the list was made?); nothing was planned for it.`,
      repositoryName: name,
    }));
}

/**
 * References no source could have meant for another registry and that cannot be parsed protect
 * nothing: probably a typo in a task definition or an in-use file, worth a warning (not a failure:
 * one bad consumer must not stop every cleanup).
 */
function malformedReferencesWarning(malformed: readonly { usage: InUseUsage; problem: string }[]): PlanWarning | undefined {
  if (malformed.length === 0) return undefined;
  const shown = malformed.slice(0, 3).map((m) => `'${m.usage.reference}' of ${m.usage.consumer} (${m.problem})`);
  const more = malformed.length > shown.length ? ` and ${malformed.length - shown.length} more` : '';
  return {
    code: 'in-use-reference-malformed',
    message: `${malformed.length} in-use image reference${malformed.length === 1 ? '' : 's'} could not be read and protect${malformed.length === 1 ? 's' : ''} nothing: ${shown.join('; ')}${more}.`,
  };
}

/**
 * Fail closed: every repository that would delete or archive (planned now or stored by an earlier
 * run) becomes `blocked` with `statusReason`, its deletions and archives held as keeps whose
 * reasons still say what the rules would do (`holdRepositoryPlan`), so no count promises a
 * deletion that cannot happen. Blocked repositories are never executed.
 */
function blockForInUse(repositoryPlans: RepositoryPlan[], planned: PlannedRepository[], statusReason: string, parts?: ImagePartStore): void {
  const blocked = new Map<string, RepositoryPlan>();
  const block = (plan: RepositoryPlan): RepositoryPlan => {
    if (plan.status !== 'planned' || actions(plan) === 0) return plan;
    let copy = blocked.get(plan.repositoryName);
    // A copy: a stored plan is shared with the checkpoint, which keeps the plan as it was made
    // (in the part store too: the held copy is kept under its own key).
    if (!copy) {
      copy = holdRepositoryPlan(plan, statusReason);
      if (parts) copy = planAside(parts, copy, `${plan.repositoryName}\u0000held`);
      blocked.set(plan.repositoryName, copy);
    }
    return copy;
  };
  for (let i = 0; i < repositoryPlans.length; i++) repositoryPlans[i] = block(repositoryPlans[i]!);
  for (const entry of planned) entry.plan = block(entry.plan);
}

/**
 * Lists one governed repository. Under an `attached` policy its lifecycle policy is read and
 * compiled first: none attached means it is left untouched (not even listed); one that does not
 * compile fails the repository with the parser's message, so nothing runs on a guess.
 */
async function listRepository(session: Session, repo: GovernedRepository): Promise<RepositoryListing> {
  let attachedRules: readonly Rule[] | undefined;
  if (repo.policy.origin === 'attached') {
    let attached: AttachedPolicyText;
    try {
      attached = await session.registry.getLifecyclePolicy(repo.name);
    } catch (error) {
      if (error instanceof DeadlineReachedError) throw error;
      const code = errorCode(error);
      return { kind: 'failed', statusReason: `could not read its attached lifecycle policy (GetLifecyclePolicy): ${code}`, error: { code, message: messageOf(error) } };
    }
    if (!attached.found) return { kind: 'no-lifecycle-policy' };
    const compiled = compileAttachedPolicy(attached.text, repo.name);
    if (!compiled.ok) {
      return { kind: 'failed', statusReason: compiled.message, error: { code: 'InvalidAttachedLifecyclePolicy', message: compiled.message } };
    }
    attachedRules = compiled.rules;
  }
  const listing = await session.registry.listImages(repo.name);
  return { kind: 'listed', listing, ...(attachedRules !== undefined ? { attachedRules } : {}) };
}

/** The caller and the registry's pull-time update exclusions; what could not be learned is said. */
async function checkPullTimeExclusion(session: Session): Promise<PullTimeExclusionCheck> {
  const check: PullTimeExclusionCheck = {};
  const identity = session.deps.callerIdentity;
  if (!identity) return check;
  try {
    check.callerArn = await identity();
  } catch (error) {
    check.callerError = `GetCallerIdentity failed: ${errorCode(error)}: ${messageOf(error)}`;
    return check;
  }
  try {
    check.exclusions = await session.registry.listPullTimeUpdateExclusions();
  } catch (error) {
    check.exclusionsError = `ListPullTimeUpdateExclusions failed: ${errorCode(error)}: ${messageOf(error)}`;
  }
  return check;
}

/** The index store of a run, the registry it is keyed by, and what was loaded at the start. */
interface OpenIndexMemory {
  store: IndexStore;
  registry: RegistryIdentity;
  loaded: IndexMemory;
}

/**
 * Loads the remembered index reads into the registry adapter. A store that cannot be read costs
 * only reads: every index is read as if never seen (a pull each, as before the store existed),
 * never a wrong decision, so the run goes on with a warning.
 */
async function openIndexMemory(session: Session, warnings: PlanWarning[]): Promise<OpenIndexMemory | undefined> {
  const store = session.deps.indexStore;
  const registryId = session.registry.registryId;
  // No repository listed, no index to read: nothing to remember either.
  if (!store || registryId === undefined) return undefined;
  let registry: RegistryIdentity;
  try {
    registry = await session.connection.identity(registryId);
  } catch (error) {
    warnings.push({ code: 'index-store-unavailable', message: `The index store was not used (the registry's Region or endpoint could not be resolved: ${messageOf(error)}); every index manifest is read again, and ECR records each read as a pull.` });
    return undefined;
  }
  let loaded: IndexMemory = new Map();
  try {
    loaded = await store.load(registry);
  } catch (error) {
    session.deps.logger?.warn('index store unreadable', { location: store.location(registry), error: messageOf(error) });
    warnings.push({
      code: 'index-store-unavailable',
      message: `The index store ${store.location(registry)} could not be read (${messageOf(error)}); every index manifest is read again, ECR records each read as a pull, and an earlier run's read of an index may show as a recent pull, which only keeps it.`,
    });
  }
  session.registry.remember(loaded);
  return { store, registry, loaded };
}

/**
 * Merges what this run found into the store (reloaded first: another run may have written since)
 * and writes it. A failed write loses only this run's reads: the next run reads those indexes
 * again (a pull each in ECR), so the run goes on with a warning.
 */
async function saveIndexMemory(session: Session, open: OpenIndexMemory, listed: ReadonlySet<string>, warnings: PlanWarning[]): Promise<void> {
  const { store, registry } = open;
  const now = session.clock();
  const entries = session.registry.indexesSeen(now);
  // The registry's own copy goes before the store is read and merged, not after: both at once
  // would be the run's largest live set.
  session.registry.forgetIndexReads();
  let current = open.loaded;
  try {
    current = await store.load(registry);
  } catch {
    // Unreadable now (damaged, or gone): what was loaded at the start is the best base.
  }
  const merged = mergeIndexMemory(current, { entries, listedRepositories: listed, now });
  try {
    await store.save(registry, merged);
  } catch (error) {
    session.deps.logger?.warn('index store not written', { location: store.location(registry), error: messageOf(error) });
    warnings.push({
      code: 'index-store-not-saved',
      message: `The index store ${store.location(registry)} could not be written (${messageOf(error)}); the next run reads this run's new index manifests again, and ECR records each read as a pull.`,
    });
  }
}

/** True once the deadline or an interrupt means no further repository is listed. */
function stopsListing(session: Session): boolean {
  const kind = session.run.stopReason()?.kind;
  return kind === 'deadline' || kind === 'interrupted';
}

function plannedRepository(plan: RepositoryPlan, ownIndexReads: OwnIndexReads | undefined): PlannedRepository {
  const entry: PlannedRepository = { plan };
  if (ownIndexReads) entry.ownIndexReads = ownIndexReads;
  return entry;
}

/** Planned deletions plus planned archive transitions: what an apply run executes in a repository. */
function actions(plan: RepositoryPlan): number {
  return plan.counts.delete + plan.counts.transition;
}

/**
 * Executes every planned repository (bounded concurrency), in name order of start: its
 * deletions, then its archive transitions (a deleted index no longer holds a child to archive).
 * Returns each executed repository's result, built by `resultOf` as soon as the repository is
 * done (and with a part store, its images written there at once): the outcomes of one repository
 * are held only while it is worked on, not until the whole registry is executed.
 */
async function executeAll(
  session: Session,
  planned: readonly PlannedRepository[],
  hooks: {
    journal?: JournalWriter;
    onBatchSettled?: () => void;
    onRepositoryDone?: (name: string, execution: RepositoryExecution) => Promise<void>;
    resultOf: (plan: RepositoryPlan, execution: RepositoryExecution) => RepositoryResult;
  },
): Promise<Map<string, RepositoryResult>> {
  const { onRepositoryDone } = hooks;
  const registry = hooks.journal ? journaledRegistry(session.registry, hooks.journal, (error) => stopForJournal(session, error)) : session.registry;
  const executions = new Map<string, RepositoryResult>();
  const done = (plan: RepositoryPlan, execution: RepositoryExecution): void => {
    executions.set(plan.repositoryName, keptResult(session, hooks.resultOf(plan, execution)));
  };
  // A repository whose policy says dry-run is planned and reported, never executed.
  const work = planned.filter((p) => p.plan.status === 'planned' && actions(p.plan) > 0 && heldBackBy(settingsOf(session, p.plan)) === undefined);
  const total = work.reduce((n, p) => n + actions(p.plan), 0);
  const inUse = session.inUse;
  if (inUse && work.length > 0) {
    // The plan may have waited (a prompt, a slow plan sink): the in-use set must be fresh before the first deletion.
    await inUse.refreshIfStale();
    const failure = inUse.failure();
    if (failure !== undefined) session.run.abort(`${failure}: nothing more is deleted in this registry`);
  }
  const inUseGuard = inUse
    ? async (plan: RepositoryPlan, batch: readonly PlannedImage[]): Promise<ReadonlyMap<string, string>> => {
        const check = await inUse.check(plan, batch);
        if (check.stop !== undefined) session.run.abort(check.stop);
        return check.held;
      }
    : undefined;
  let settled = 0;
  progress(session, { phase: 'delete', imagesDone: 0, imagesTotal: total });
  const batchLimit = pLimit(session.concurrency);
  const repoLimit = pLimit(session.concurrency);
  await Promise.all(
    work.map((entry) =>
      repoLimit(async () => {
        const { plan } = entry;
        // The policy's cap when it sets one, else the run-wide one: read from the rules, not the plan.
        const percentCap = settingsOf(session, plan)?.maxDeletePercentPerRepository.value ?? session.options.ruleSet.defaults.maxDeletePercentPerRepository;
        const percent = plan.counts.images === 0 ? 0 : (plan.counts.delete / plan.counts.images) * 100;
        if (percentCap !== null && percent > percentCap) {
          // The planner blocks these; this is the engine's independent backstop.
          done(plan, {
            outcomes: new Map(),
            status: 'blocked',
            statusReason: `blocked by the engine's safety check: ${percent.toFixed(1)}% of images planned for deletion > maxDeletePercentPerRepository ${percentCap}%`,
          });
          return;
        }
        const context = {
          registry,
          run: session.run,
          retry: session.connection,
          batchLimit,
          ...(inUseGuard ? { inUseGuard } : {}),
          onSettled: (count: number) => {
            settled += count;
            progress(session, { phase: 'delete', imagesDone: settled, imagesTotal: total });
            hooks.onBatchSettled?.();
          },
        };
        // Its images in memory for as long as it is executed (read once from the part store, if any).
        const whole: RepositoryPlan = { ...plan, images: plan.images };
        const skip = entry.skip;
        const layers = skip ? deletionLayers(whole).map((layer) => layer.filter((image) => !skip.has(image.imageDigest))) : deletionLayers(whole);
        const deletions = plan.counts.delete > 0 ? await executeRepository(context, whole, layers, entry.ownIndexReads) : undefined;
        const transitions = plan.counts.transition > 0 ? await archiveRepository(context, whole, transitionLayers(whole), entry.ownIndexReads) : undefined;
        const execution =
          deletions && transitions ? combineExecutions(deletions, transitions) : ((deletions ?? transitions) as RepositoryExecution);
        await onRepositoryDone?.(plan.repositoryName, execution);
        // Built from the images already in memory; from here on the repository is a summary.
        done(whole, execution);
        session.deps.logger?.info('repository swept', {
          repository: plan.repositoryName,
          status: execution.status,
          planned: plan.counts.delete,
          transitions: plan.counts.transition,
          ...(execution.error ? { error: execution.error } : {}),
        });
      }),
    ),
  );
  return executions;
}

/** `result` as the run keeps it: with a part store, its images go there as soon as it is built. */
function keptResult(session: Session, result: RepositoryResult): RepositoryResult {
  return session.parts && result.images.length > 0 ? resultAside(session.parts, result) : result;
}

/**
 * The result of every repository of the plan: `executed` holds those this run executed (built as
 * each was done), the rest are built here from their plans, one at a time.
 */
function buildRepositoryResults(
  session: Session,
  enumeration: Enumeration,
  executed: ReadonlyMap<string, RepositoryResult>,
  earlier: { finished: ReadonlySet<string>; journal: JournalSummary },
  notExecuted?: string,
): RepositoryResult[] {
  const results: RepositoryResult[] = [];
  const keep = (result: RepositoryResult): void => {
    results.push(keptResult(session, result));
  };
  const apply = session.mode === 'apply' && notExecuted === undefined;
  for (const plan of enumeration.plan.repositories) {
    if (plan.status === 'unmanaged' || plan.status === 'protected') {
      keep(repositoryResult(plan, plan.status, new Map(), 'not governed'));
    } else if (plan.status === 'no-lifecycle-policy') {
      keep(repositoryResult(plan, plan.status, new Map(), NO_ATTACHED_POLICY_REASON));
    } else if (plan.status === 'blocked') {
      keep(repositoryResult(plan, 'blocked', new Map(), `repository blocked: ${plan.statusReason ?? 'safety limit'}`));
    } else if (!apply) {
      keep(dryRunRepositoryResult(plan, notExecuted));
    } else if (heldBackBy(settingsOf(session, plan)) !== undefined) {
      // Planned like the rest, shown as an apply would do it, never executed.
      const policy = heldBackBy(settingsOf(session, plan))!;
      const held = dryRunRepositoryResult(plan, `policy ${policy} is dry-run`);
      held.statusReason = `policy ${policy} is dry-run: planned, nothing deleted or archived`;
      keep(held);
    } else {
      const result = executed.get(plan.repositoryName);
      if (result) {
        results.push(result);
      } else if (earlier.finished.has(plan.repositoryName)) {
        keep(earlierResult(plan, earlier.journal));
      } else {
        // Nothing to delete in it: done as soon as it was planned.
        keep(repositoryResult(plan, 'completed', new Map(), 'not executed'));
      }
    }
  }
  for (const failure of enumeration.failed) {
    keep({
      repositoryName: failure.repositoryName,
      policy: failure.policy,
      planStatus: null,
      status: 'failed',
      statusReason: failure.statusReason,
      error: failure.error,
      images: [],
      counts: emptyCounts(),
    });
  }
  const stop = session.run.stopReason();
  const notListedReason =
    stop?.kind === 'interrupted' ? `interrupted (${session.run.interrupted ?? 'signal'}) before it was listed; the next run continues` : 'deadline reached before it was listed; the next run continues';
  for (const name of enumeration.notListed) {
    keep({
      repositoryName: name,
      policy: selectPolicy(name, session.options.ruleSet).policy?.name ?? null,
      planStatus: null,
      status: 'not-started',
      statusReason: notListedReason,
      images: [],
      counts: emptyCounts(),
    });
  }
  return results.sort((a, b) => (a.repositoryName < b.repositoryName ? -1 : a.repositoryName > b.repositoryName ? 1 : 0));
}

/** The result of a repository this run executed, with what earlier runs of the sweep deleted (journal). */
function executedResult(plan: RepositoryPlan, execution: RepositoryExecution, journal: JournalSummary): RepositoryResult {
  if (execution.status === 'blocked') {
    const reason = execution.statusReason ?? 'blocked by a safety limit';
    return repositoryResult(plan, 'blocked', new Map(), `repository ${reason}`, { statusReason: reason });
  }
  const extra: { statusReason?: string; error?: { code: string; message: string } } = {};
  if (execution.statusReason !== undefined) extra.statusReason = execution.statusReason;
  if (execution.error) extra.error = execution.error;
  const outcomes = mergedOutcomes(plan, execution.outcomes, journal);
  return repositoryResult(plan, execution.status, outcomes, execution.statusReason ?? 'not attempted', extra);
}

/** A repository an earlier run of this sweep finished: its outcomes as that run journaled them. */
function earlierResult(plan: RepositoryPlan, journal: JournalSummary): RepositoryResult {
  const ended = journal.ended.get(plan.repositoryName);
  const outcomes = mergedOutcomes(plan, ended?.outcomes ?? new Map(), journal);
  if (!ended) {
    return repositoryResult(plan, 'completed', outcomes, 'finished by an earlier run of this sweep; its outcome is not in the journal');
  }
  const extra: { statusReason?: string; error?: { code: string; message: string } } = {};
  if (ended.statusReason !== undefined) extra.statusReason = ended.statusReason;
  if (ended.error) extra.error = ended.error;
  const status = ended.status === 'not-started' ? 'completed' : ended.status;
  return repositoryResult(plan, status, outcomes, 'finished by an earlier run of this sweep', extra);
}

/** This run's outcomes with what earlier runs of the sweep deleted (journal) folded in. */
function mergedOutcomes(plan: RepositoryPlan, outcomes: ReadonlyMap<string, Outcome>, journal: JournalSummary): Map<string, Outcome> {
  const merged = new Map(outcomes);
  for (const image of plan.images) {
    if (image.decision !== 'delete') continue;
    const outcome = mergeOutcome(outcomes.get(image.imageDigest), image.imageDigest, plan.repositoryName, journal);
    if (outcome) merged.set(image.imageDigest, outcome);
  }
  return merged;
}

/** Progress is cosmetic: a failing progress bar must never disturb a sweep. */
function progress(session: Session, event: ProgressEvent): void {
  try {
    session.deps.onProgress?.(event);
  } catch (error) {
    session.deps.logger?.debug('progress callback failed', { error: messageOf(error) });
  }
}

/**
 * The settings of a planned repository's policy, looked up in the rules rather than taken from
 * the plan: the engine's checks (dry-run policies, percentage cap) stand on their own.
 */
function settingsOf(session: Session, plan: RepositoryPlan): AppliedSettings | undefined {
  const policy = session.options.ruleSet.policies.find((p) => p.name === plan.policy);
  return policy ? appliedSettings(policy, session.options.ruleSet) : undefined;
}

/** Each policy's own `maxDeletionsPerRun`, for the engine's backstop. */
function policyCaps(ruleSet: RuleSet): Map<string, number> {
  const caps = new Map<string, number>();
  for (const policy of ruleSet.policies) {
    if (policy.settings?.maxDeletionsPerRun !== undefined) caps.set(policy.name, policy.settings.maxDeletionsPerRun);
  }
  return caps;
}

function ungovernedPlan(repositoryName: string, policy: string | null, isProtected: boolean, reason: string): RepositoryPlan {
  return {
    repositoryName,
    policy,
    status: isProtected ? 'protected' : 'unmanaged',
    statusReason: reason,
    images: [],
    counts: { images: 0, delete: 0, keep: 0, transition: 0, bytesToFree: 0 },
  };
}

async function loadCheckpoint(session: Session, store: NonNullable<SweepDeps['checkpoint']>): Promise<Checkpoint | null> {
  try {
    return await store.load();
  } catch (error) {
    // Starting over is always safe (deletions are idempotent); a damaged checkpoint must not block every run.
    session.deps.logger?.warn('checkpoint unreadable; starting over', { error: messageOf(error) });
    return null;
  }
}

/**
 * Stable hash of the rules (and repository filter) a checkpoint belongs to; `source` is left
 * out so the same rules loaded from another path still resume.
 */
export function hashRules(ruleSet: RuleSet, repositoryFilter?: string, repositories?: readonly string[]): string {
  const { source: _source, ...rules } = ruleSet;
  // `repositories` only when given (a shard): every checkpoint made without it keeps its hash.
  const only = repositories === undefined ? undefined : [...new Set(repositories)].sort();
  return createHash('sha256')
    .update(stableJson({ rules, repositoryFilter: repositoryFilter ?? null, repositories: only }))
    .digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
