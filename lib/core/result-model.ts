/**
 * The result of a sweep: the plan plus what happened to each image. This is what the
 * report writers (S3, local files, Slack) publish and what the Lambda functions return.
 */
import type { Mode } from './rules-model.js';
import type { InUseReport, PlanWarning, PlannedImage, RepositoryStatus } from './plan-model.js';
import type { AppliedSettings } from './policy-settings.js';
import type { TargetRef } from './targets.js';

export type Outcome =
  /**
   * `alreadyGone`: the image was missing before this run's first delete request for it (at the
   * re-read, or ImageNotFound on a first attempt); no bytes counted. An image this run's own
   * unanswered or retried request removed is plain `deleted` (docs/engine.md, *Lost answers*).
   */
  | { status: 'deleted'; alreadyGone?: boolean }
  | { status: 'failed'; code: string; message: string }
  /** Planned for deletion in an apply run but not deleted: changed since plan, deadline, safety limit... */
  | { status: 'skipped'; reason: string }
  /**
   * Planned for deletion in a dry run: nothing was attempted, an apply run would delete it.
   * `reason`: why an apply run was reported as a dry run (e.g. declined at the prompt).
   */
  | { status: 'would-delete'; reason?: string }
  | { status: 'kept'; reason: string }
  /**
   * Moved to ECR's archive storage class (UpdateImageStorageClass ARCHIVE) by this run;
   * `alreadyArchived`: it was archived already when the run looked (by someone else).
   */
  | { status: 'archived'; alreadyArchived?: boolean }
  /** Planned archive transition not executed: a dry run, or a repository blocked or not swept. */
  | { status: 'transition-planned'; reason: string };

export interface ResultImage extends PlannedImage {
  outcome: Outcome;
}

export interface ResultCounts {
  images: number;
  /** Images the plan marked for deletion. */
  planned: number;
  deleted: number;
  /** Deletions that ECR refused (`failed` outcomes); a repository that could not be swept is counted in `failedRepositories`. */
  failed: number;
  /** Planned deletions an apply run did not attempt; never a dry run's planned deletions (see `wouldDelete`). */
  skipped: number;
  /** Dry run: planned deletions, none attempted. Always 0 in an apply run. */
  wouldDelete: number;
  kept: number;
  /** Images this run moved to archive storage (or found archived already), not deleted. */
  archived: number;
  bytesFreed: number;
}

/**
 * `completed`: every planned action was attempted. `blocked`: a safety limit stopped it, nothing deleted.
 * `failed`: the repository could not be listed or swept (see `error`). `not-started`: the deadline came first.
 * `protected` / `unmanaged` / `no-lifecycle-policy`: as in the plan.
 */
export type RepositoryRunStatus = 'completed' | 'blocked' | 'failed' | 'not-started' | 'protected' | 'unmanaged' | 'no-lifecycle-policy';

export interface RepositoryResult {
  repositoryName: string;
  policy: string | null;
  planStatus: RepositoryStatus | null;
  status: RepositoryRunStatus;
  statusReason?: string;
  error?: { code: string; message: string };
  images: ResultImage[];
  counts: ResultCounts;
  /** The settings that governed the plan (from the plan), each with where it came from. */
  settings?: AppliedSettings;
  /** The account and Region it belongs to, in a multi-target run's result; absent in a single-target run. */
  target?: TargetRef;
}

/**
 * A target's state at the end of a multi-target run. `planned`: a dry run (or a declined apply).
 * `completed`: every repository done. `incomplete`: a deadline, an interrupt or a safety abort
 * left work for the next run. `failed`: it could not be swept at all (see `error`): never clean.
 */
export type TargetRunStatus = 'planned' | 'completed' | 'incomplete' | 'failed';

/** One target of a multi-target run's result. */
export interface ResultTarget {
  /** `targetKey`: `123456789012/eu-west-1`; `123456789012/*` for an account that failed as a whole. */
  key: string;
  accountId: string;
  /** Absent for an account that failed as a whole. */
  region?: string;
  status: TargetRunStatus;
  statusReason?: string;
  /** Why it failed, naming the account and Region. */
  error?: { code: string; message: string };
  /** Its own totals (zeros for a failed target); the run's totals are their sums. */
  totals: ResultCounts & { repositories: number; failedRepositories: number };
}

export interface SweepResult {
  version: 1;
  runId: string;
  mode: Mode;
  /** Rules file or location the run used. */
  rulesSource: string;
  now: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  repositories: RepositoryResult[];
  totals: ResultCounts & {
    repositories: number;
    failedRepositories: number;
    /** Multi-target runs only: every target, and those that failed (which make the run not clean). */
    targets?: number;
    failedTargets?: number;
  };
  /** Requests sent, per ECR operation (retries included). */
  apiCalls: Record<string, number>;
  retries: number;
  throttles: number;
  /** True when a deadline stopped the sweep between batches. */
  stoppedByDeadline: boolean;
  /** Set when a run-wide safety limit aborted the sweep. */
  abortedReason?: string;
  /**
   * Set when the sweep was interrupted (SIGINT/SIGTERM in the CLI) and stopped between batches:
   * the reason, e.g. `SIGINT`. What was not done is `skipped`; the next run (same checkpoint) continues.
   */
  interrupted?: string;
  finishedRepositories: string[];
  remainingRepositories: string[];
  /** The plan's warnings, carried so every report can show them. */
  warnings: PlanWarning[];
  /** In-use protection as the run ended (the last scan's sources and counts); absent without in-use sources. */
  inUse?: InUseReport;
  /** A multi-target run's targets, in key order (failed ones last); absent in a single-target run. */
  targets?: ResultTarget[];
}
