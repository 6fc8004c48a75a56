/**
 * Resuming a sweep from its checkpoint: which stored plan a run may use (same rules, not too old),
 * and the tracker that keeps the checkpoint current while a run lists, plans and deletes.
 *
 * A checkpoint stores every repository listed and planned so far, with its plan, so a run stopped
 * by a short deadline while listing still makes progress: the next run lists only what is left and
 * executes the stored plan (each batch re-read just before its deletion, as always).
 */
import type { PlanWarning } from '../core/plan-model.js';
import type { Checkpoint, CheckpointStore, StoredRepositoryPlan, SweepLogger } from './types.js';

/**
 * How old a stored plan may be when a run resumes from it: 36 hours. A nightly schedule resumes a
 * plan about 24 h old, so the bound must exceed a day (else a sweep whose listing outlasts its
 * window would start over every night and never delete anything), with room for a late or retried
 * invocation; it must not reach two days, so a sweep skipped for a day plans afresh. Within it, a
 * stored plan is safe to execute: its `now` is earlier than the clock, which only makes age rules
 * and `minAge` harder to meet (docs/engine.md), and every batch is re-read before its deletion, so
 * an image tagged, pushed or pulled since is kept. What the re-read cannot see is a change to other
 * images that count rules rank against (say, newer images deleted by hand); the bound limits how
 * long such a plan is trusted.
 */
export const MAX_STORED_PLAN_AGE_MS = 36 * 3_600_000;

/** How often a running sweep refreshes its checkpoint, besides the fixed points (docs/engine.md). */
export const CHECKPOINT_INTERVAL_MS = 30_000;

/** What a run continues from. */
export interface ResumeState {
  runId: string;
  finished: Set<string>;
  /** Repository name -> its stored plan. */
  plans: Map<string, StoredRepositoryPlan>;
  /** Epoch ms of the stored plans' `now`; undefined for a version 1 checkpoint (no plans). */
  planNow: number | undefined;
  deletionsSent: number;
}

/** What to do with a loaded checkpoint, and what to tell the user about it. */
export interface ResumeDecision {
  state: ResumeState | null;
  /** For the logs. */
  log?: { level: 'info' | 'warn'; message: string; fields: Record<string, unknown> };
  /** For the plan and the result (a discarded checkpoint is worth knowing about). */
  warning?: PlanWarning;
}

/**
 * Decides whether a run resumes from `checkpoint`: only one made with the same rules
 * (`rulesHash`) whose plan is at most {@link MAX_STORED_PLAN_AGE_MS} old and not in the future.
 * Pure.
 */
export function decideResume(checkpoint: Checkpoint | null, rulesHash: string, clockNow: number, maxAgeMs = MAX_STORED_PLAN_AGE_MS): ResumeDecision {
  if (checkpoint === null) return { state: null };
  if (checkpoint.rulesHash !== rulesHash) {
    return { state: null, log: { level: 'warn', message: 'ignoring checkpoint made with other rules', fields: { runId: checkpoint.runId } } };
  }
  const planNow = checkpoint.planNow === undefined ? undefined : Date.parse(checkpoint.planNow);
  if (planNow !== undefined) {
    const age = clockNow - planNow;
    if (!Number.isFinite(age) || age > maxAgeMs || age < -maxAgeMs) {
      const hours = (age / 3_600_000).toFixed(1);
      const message = `the checkpoint of run ${checkpoint.runId} holds a plan made at ${checkpoint.planNow} (${hours} h ago, more than the ${maxAgeMs / 3_600_000} h a stored plan is trusted): discarded, so this run lists and plans every repository again under a new run id. What that run deleted is in its own journal and reports.`;
      return {
        state: null,
        log: { level: 'warn', message: 'discarding a stored plan that is too old', fields: { runId: checkpoint.runId, planNow: checkpoint.planNow, maxAgeHours: maxAgeMs / 3_600_000 } },
        warning: { code: 'stored-plan-expired', message },
      };
    }
  }
  const plans = new Map((checkpoint.plannedRepositories ?? []).map((p) => [p.plan.repositoryName, p]));
  return {
    state: { runId: checkpoint.runId, finished: new Set(checkpoint.finishedRepositories), plans, planNow, deletionsSent: checkpoint.deletionsSent ?? 0 },
    log: {
      level: 'info',
      message: 'resuming from checkpoint',
      fields: { runId: checkpoint.runId, finished: checkpoint.finishedRepositories.length, storedPlans: plans.size },
    },
  };
}

/**
 * Keeps a run's checkpoint current: saved once the first repository is planned, once planning
 * ends (before the first deletion), after the first batch, then at most every
 * {@link CHECKPOINT_INTERVAL_MS}; and at the end (cleared when nothing is left). Saves run one at
 * a time; a failed save is logged, never fatal (the deletions happened; the next run only does
 * more work).
 */
export class CheckpointTracker {
  readonly plans = new Map<string, StoredRepositoryPlan>();
  readonly finished = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private lastSave = Number.NEGATIVE_INFINITY;
  private batchSeen = false;
  private listedSeen = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly base: { runId: string; rulesHash: string; planNow: string },
    private readonly clock: () => number,
    private readonly deletionsSent: () => number,
    private readonly logger?: SweepLogger,
  ) {}

  /** A repository was listed and planned. */
  planned(entry: StoredRepositoryPlan): void {
    this.plans.set(entry.plan.repositoryName, entry);
    if (!this.listedSeen) {
      this.listedSeen = true;
      this.schedule();
    } else this.maybeSave();
  }

  /** Planning ended; the plan was recorded. Saved before the first deletion. */
  async planRecorded(): Promise<void> {
    this.schedule();
    await this.chain;
  }

  /** A batch settled (any outcome). */
  batchSettled(): void {
    if (!this.batchSeen) {
      this.batchSeen = true;
      this.schedule();
    } else this.maybeSave();
  }

  /** A repository needs no more work from later runs. */
  repositoryFinished(name: string): void {
    this.finished.add(name);
    this.maybeSave();
  }

  /** Final save, or clear when `complete`; waits for saves in progress first. */
  async finish(complete: boolean): Promise<void> {
    await this.chain;
    try {
      if (complete) await this.store.clear();
      else await this.store.save(this.snapshot());
    } catch (error) {
      this.logger?.error('checkpoint could not be stored', { error: messageOf(error) });
    }
  }

  /** Puts back `checkpoint` (or none) once saves in progress end: for a run that will not execute. */
  async restore(checkpoint: Checkpoint | null): Promise<void> {
    await this.chain;
    try {
      if (checkpoint === null) await this.store.clear();
      else await this.store.save(checkpoint);
    } catch (error) {
      this.logger?.error('checkpoint could not be restored', { error: messageOf(error) });
    }
  }

  /** The checkpoint as it stands. */
  snapshot(): Checkpoint {
    const plans = [...this.plans.values()].sort((a, b) => compare(a.plan.repositoryName, b.plan.repositoryName));
    return {
      version: 2,
      runId: this.base.runId,
      rulesHash: this.base.rulesHash,
      finishedRepositories: [...this.finished].sort(compare),
      updatedAt: new Date(this.clock()).toISOString(),
      planNow: this.base.planNow,
      plannedRepositories: plans,
      deletionsSent: this.deletionsSent(),
    };
  }

  private maybeSave(): void {
    if (this.clock() - this.lastSave >= CHECKPOINT_INTERVAL_MS) this.schedule();
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    this.lastSave = this.clock();
    this.chain = this.chain.then(async () => {
      this.queued = false;
      try {
        await this.store.save(this.snapshot());
      } catch (error) {
        this.logger?.error('checkpoint could not be stored', { error: messageOf(error) });
      }
    });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
