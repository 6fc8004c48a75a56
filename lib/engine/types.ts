/**
 * The engine's public contract: what the CLI and the Lambda functions pass in and get back.
 * Implemented by `lib/engine/sweep.ts` (`buildPlan`, `runSweep`).
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { Plan } from '../core/plan-model.js';
import type { SweepResult } from '../core/result-model.js';
import type { Mode, RuleSet } from '../core/rules-model.js';
import type { RateControlSettings } from './rate-controller.js';

/** Structured logger; the Powertools Logger satisfies it. The core never logs, only the shell. */
export interface SweepLogger {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

/** Progress for a terminal progress bar; emitted by the engine, rendered by the CLI. */
export type ProgressEvent =
  | { phase: 'list'; repositoriesDone: number; repositoriesTotal: number; images: number }
  | { phase: 'delete'; imagesDone: number; imagesTotal: number };

/** Where a stopped run records how far it got, so the next run continues instead of starting over. */
export interface Checkpoint {
  version: 1;
  runId: string;
  /** Hash of the rule set; a checkpoint made with other rules is ignored. */
  rulesHash: string;
  /** Repositories fully swept by earlier runs of this sweep. */
  finishedRepositories: string[];
  updatedAt: string;
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  save(checkpoint: Checkpoint): Promise<void>;
  clear(): Promise<void>;
}

export interface SweepDeps {
  ecr: ECRClient;
  /** Epoch milliseconds; defaults to Date.now. */
  clock?: () => number;
  logger?: SweepLogger;
  checkpoint?: CheckpointStore;
  /**
   * Receives the full plan before the first deletion of an apply run (and in dry-run, once planned).
   * If it throws, nothing is deleted and the sweep fails with the error as cause. If it resolves to
   * `{ execute: false }` (a person declined), nothing is deleted and the run ends as a dry run of
   * that plan: its result reads like `plan`'s, with the reason on every planned deletion.
   */
  planSink?: (plan: Plan) => Promise<void | PlanVerdict>;
  onProgress?: (event: ProgressEvent) => void;
}

/** What a plan sink may answer instead of nothing: stop before deleting anything. */
export interface PlanVerdict {
  execute: false;
  /** Why, for the result: e.g. `declined at the prompt`. */
  reason: string;
}

export interface SweepOptions {
  ruleSet: RuleSet;
  /** Overrides the rules' mode. Only an explicit 'apply' (here or in the rules) deletes. */
  mode?: Mode;
  /** Evaluation time, epoch ms; defaults to the clock. */
  now?: number;
  /** Only repositories matching this glob. */
  repositoryFilter?: string;
  /**
   * How warnings name the filter (the CLI says `--repository`); default `the repository filter`.
   * A filter that matches no repository is a plan warning (`repository-filter-matches-nothing`).
   */
  repositoryFilterLabel?: string;
  /** Epoch ms; the sweep stops cleanly between batches when it comes. */
  deadline?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  runId?: string;
  /** Shown in reports. */
  rulesSource?: string;
  /**
   * Tuning of the per-operation adaptive pacing (docs/engine.md). `maxRate` caps every
   * operation at a known quota; tests raise `minRate` so injected random throttles stay fast.
   */
  rateControl?: RateControlSettings;
}

export interface SweepOutput {
  plan: Plan;
  result: SweepResult;
}
