/**
 * The engine's public contract: what the CLI and the Lambda functions pass in and get back.
 * Implemented by `lib/engine/sweep.ts` (`buildPlan`, `runSweep`).
 */
import type { IndexMemory } from '../core/index-memory.js';
import type { InUseSource, InUseUsage } from '../core/in-use.js';
import type { Plan, PlannedImage, RepositoryPlan } from '../core/plan-model.js';
import type { Outcome, ResultImage, SweepResult } from '../core/result-model.js';
import type { Mode, RuleSet } from '../core/rules-model.js';
import type { InUseScanOutcome } from './in-use-scan.js';
import type { RegistryConnector, RegistryIdentity } from './ports.js';
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

/** A repository's plan as a checkpoint stores it, with what execution needs besides the plan. */
export interface StoredRepositoryPlan {
  plan: RepositoryPlan;
  /** What the sweep's own index reads did to pull times (index digest -> pull time, epoch ms), to recognise its own pulls. */
  ownIndexReads?: Record<string, number>;
}

/**
 * Where a stopped run records how far it got, so the next run continues instead of starting over:
 * the repositories listed and planned so far (their plans), those finished, and the deletions
 * counted against `maxDeletionsPerRun`. See docs/engine.md (Checkpoint and resume).
 */
export interface Checkpoint {
  /** 2 since plans are stored; a version 1 checkpoint (finished repositories only) is still read. */
  version: 1 | 2;
  runId: string;
  /** Hash of the rule set; a checkpoint made with other rules is ignored. */
  rulesHash: string;
  /** Repositories fully swept by earlier runs of this sweep. */
  finishedRepositories: string[];
  updatedAt: string;
  /** The `now` (ISO) the stored plans were made at; a resumed run plans what is left at the same time. */
  planNow?: string;
  /** Every repository listed and planned so far (finished or not), in name order. */
  plannedRepositories?: StoredRepositoryPlan[];
  /** Deletions sent so far by this sweep (all its runs), counted against `maxDeletionsPerRun`. */
  deletionsSent?: number;
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  save(checkpoint: Checkpoint): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Where the index manifests this tool has read are remembered between runs (`lib/core/index-memory.ts`):
 * a file for the CLI, an S3 object for the Lambda functions. One writer per run: the engine loads
 * at the start, and at the end loads again, merges and writes.
 */
export interface IndexStore {
  /** Where the memory of `registry` is kept, for messages (a path, an s3:// URI). */
  location(registry: RegistryIdentity): string;
  /** The remembered reads; empty when none were stored yet. Throws IndexStoreError when unreadable. */
  load(registry: RegistryIdentity): Promise<IndexMemory>;
  /** Replaces the stored memory. Throws IndexStoreError when it cannot be written. */
  save(registry: RegistryIdentity, memory: IndexMemory): Promise<void>;
}

/** What one in-use source found: every usage, and the API calls the scan made. */
export interface InUseScan {
  usages: InUseUsage[];
  /** Calls made, per operation, named `<service>:<Operation>` (e.g. `ecs:DescribeTasks`), for the report and the benchmark. */
  calls: Record<string, number>;
  /** What the scan could not see but did not fail on, for the report (e.g. service revisions older than the API). */
  notes?: string[];
}

/**
 * One in-use source (ECS, Lambda, Batch, App Runner, in-use files), built by the driver with its
 * client injected (lib/adapters/in-use-*.ts). It reads everything or fails: a partial scan would
 * let an image in use look unused, so `scan` throws `InUseSourceError` (lib/engine/errors.ts)
 * when any part cannot be read after its retries.
 */
export interface InUseSourceReader {
  readonly source: InUseSource;
  /** For messages and reports, e.g. `ECS (clusters prod-*)` or `in-use files (s3://bucket/in-use/)`. */
  readonly label: string;
  /** `now` (epoch ms) judges the age of in-use files; `signal` stops a scan that is no longer wanted. */
  scan(options: { now: number; signal?: AbortSignal }): Promise<InUseScan>;
}

/**
 * In-use protection as the drivers wire it: one reader per source the rules enable. The CLI and
 * the Lambda functions always pass it; without it (library use, engine tests) nothing is scanned
 * and the planner knows the registry only. An enabled source without a reader counts as failed.
 */
export interface InUseDeps {
  readers: readonly InUseSourceReader[];
  /**
   * Shares scans between the sweeps of one run (a multi-target run: every target's guard scans the
   * same readers, those of every target). Without it, each sweep scans on its own.
   */
  cache?: InUseScanCache;
}

/**
 * One in-use scan shared by every target of a run: the in-memory one for the CLI
 * (`lib/engine/in-use-cache.ts`), an S3 one for the state machine.
 */
export interface InUseScanCache {
  /**
   * A scan that started no earlier than `now - maxAgeMs` (one still in flight counts), else the
   * outcome of `scanFresh`, kept for the next caller. A failed source is part of the outcome, so a
   * failure is shared like a success: every target sharing the scan fails closed on it.
   */
  scan(request: { now: number; maxAgeMs: number }, scanFresh: () => Promise<InUseScanOutcome>): Promise<InUseScanOutcome>;
}

/** The ARN of the principal the run's AWS calls are made as (STS GetCallerIdentity). */
export type CallerIdentitySource = () => Promise<string>;

/**
 * One line of the result journal (JSON Lines): what happened to one image, written as each
 * BatchDeleteImage call is sent and answered and as each repository ends, so an interrupted
 * run still leaves a record of every deletion it made. See docs/engine.md (Journal).
 */
export type JournalRecord =
  | {
      /** `sending`: about to be in a BatchDeleteImage call (written before the call). */
      event: 'sending';
      runId: string;
      at: string;
      repositoryName: string;
      imageDigest: string;
    }
  | {
      /** What BatchDeleteImage answered for the image (or that the call itself failed). */
      event: 'delete-answer';
      runId: string;
      at: string;
      repositoryName: string;
      imageDigest: string;
      /** `deleted`; `not-found` (ImageNotFound: already gone); `refused` (a per-image failure); `call-failed`. */
      answer: 'deleted' | 'not-found' | 'refused' | 'call-failed';
      code?: string;
      message?: string;
    }
  | {
      /** The image's final outcome once its repository ended in this run. */
      event: 'outcome';
      runId: string;
      at: string;
      repositoryName: string;
      imageDigest: string;
      outcome: Outcome;
    }
  | {
      /** A repository ended in this run (after its images' `outcome` lines). */
      event: 'repository';
      runId: string;
      at: string;
      repositoryName: string;
      status: 'completed' | 'failed' | 'not-started' | 'blocked';
      statusReason?: string;
      error?: { code: string; message: string };
    };

/** Where the journal goes: appended locally (JSON Lines file) or as S3 part objects. */
export interface JournalStore {
  /** Appends `records` durably before resolving. */
  append(runId: string, records: readonly JournalRecord[]): Promise<void>;
  /** Every record of run `runId` written so far, by this process or an earlier one, in order. */
  read(runId: string): Promise<JournalRecord[]>;
  /** The file or S3 location, for messages. */
  readonly where: string;
}

/**
 * Where a run keeps each repository's planned and result images while it runs, so the engine holds
 * per-repository summaries only and a sweep's memory follows its largest repository, not the
 * registry (issue 10 §3). The plan and result repositories the engine returns and hands to the
 * plan sink read their `images` back from it on demand, so every reader sees ordinary arrays; the
 * driver keeps the store until it has written its reports, then disposes of it. Synchronous: the
 * readers (reports, the executor's checks) expect an array, not a promise. One store per
 * `runSweep` (keys are repository names). `lib/adapters/image-parts-file.ts` for the CLI.
 * Throws when a part cannot be written or read: the sweep fails (before any deletion when planning).
 */
export interface ImagePartStore {
  writePlanImages(key: string, images: readonly PlannedImage[]): void;
  readPlanImages(key: string): PlannedImage[];
  writeResultImages(key: string, images: readonly ResultImage[]): void;
  readResultImages(key: string): ResultImage[];
}

export interface SweepDeps {
  /**
   * The registry to sweep: called once per sweep with the sweep's pacing (`ecrRegistry(client)`
   * from lib/adapters/ecr-registry-connector.ts for ECR); see {@link RegistryConnector}.
   */
  registry: RegistryConnector;
  /** Keeps repositories' images out of memory between planning, execution and the reports; see {@link ImagePartStore}. */
  imageParts?: ImagePartStore;
  /** Epoch milliseconds; defaults to Date.now. */
  clock?: () => number;
  logger?: SweepLogger;
  checkpoint?: CheckpointStore;
  /**
   * The result journal (apply mode): every BatchDeleteImage call and every repository's outcomes
   * are appended as they happen; a resumed run (same run id) merges what earlier runs recorded.
   */
  journal?: JournalStore;
  /**
   * Receives the full plan before the first deletion of an apply run (and in dry-run, once planned).
   * If it throws, nothing is deleted and the sweep fails with the error as cause. If it resolves to
   * `{ execute: false }` (a person declined), nothing is deleted and the run ends as a dry run of
   * that plan: its result reads like `plan`'s, with the reason on every planned deletion.
   */
  planSink?: (plan: Plan) => Promise<void | PlanVerdict>;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Remembers index reads across runs so each index manifest is read (a pull in ECR) once in its
   * life. Without it, a run still remembers its own reads, but the next run reads every index again.
   */
  indexStore?: IndexStore;
  /**
   * Who the run is, to check it against the pull-time update exclusions when the rules use last
   * pull time (the CLI and the Lambda functions always give it). Without it, no check is made.
   */
  callerIdentity?: CallerIdentitySource;
  /** In-use protection: the sources to scan before planning and again before deleting. */
  inUse?: InUseDeps;
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
  /**
   * Only these repositories (exact names), on top of `repositoryFilter`: a Step Functions shard
   * plans its own list of one target's repositories with the same code. A name the registry does
   * not have is a plan warning (`repository-not-found`), not an error: it may have been deleted
   * since the shards were made.
   */
  repositories?: readonly string[];
  /** Epoch ms; the sweep stops cleanly between batches when it comes. */
  deadline?: number;
  /**
   * Stops the sweep between batches when aborted (the CLI aborts it on SIGINT/SIGTERM); the
   * abort reason (a string) is recorded as the result's `interrupted`.
   */
  signal?: AbortSignal;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** The run id of a new run; a run resumed from a checkpoint keeps the checkpoint's. */
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
