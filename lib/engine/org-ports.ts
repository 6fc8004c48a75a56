/**
 * The ports of the organization state machine's steps (`org-steps.ts`): where a run keeps its work
 * between invocations (the run store, the shared in-use scan, each shard's checkpoint and journal)
 * and how a step reaches a target (its repository names, its in-use sources, its sweep deps).
 * The S3 and AWS adapters implement them and `functions/shared/org-wiring.ts` wires them; the
 * steps import no adapter and no AWS SDK, so a test can run them on in-memory fakes.
 */
import type { OrgRunManifest, PlanPart, ResultPart } from '../core/org-run.js';
import type { Lane, Shard, ShardRef } from '../core/org-shards.js';
import type { RuleSet } from '../core/rules-model.js';
import type { Target } from '../core/targets.js';
import type { InUseScanOutcome } from './in-use-scan.js';
import type { CheckpointStore, ImagePartStore, InUseScanCache, InUseSourceReader, JournalStore, SweepDeps, SweepLogger } from './types.js';

/** Where a run's work files are and which run: all a step's input carries between steps. */
export interface OrgRunRef {
  runId: string;
  bucket: string;
  prefix: string;
}

/**
 * The work files of one run: the manifest and shards (written by Start), the lanes each
 * Distributed Map reads, and each shard's plan and result part (one writer each). A read of a
 * part or of the apply lanes answers null when none was written; the manifest and a shard must
 * exist (the step before wrote them), so their reads throw when they do not.
 */
export interface OrgRunStore {
  /** Where the planning Map's ItemReader finds the lanes (a key of the run's bucket). */
  readonly lanesKey: string;
  /** Where the apply Map's ItemReader finds the apply lanes. */
  readonly applyLanesKey: string;
  writeManifest(manifest: OrgRunManifest): Promise<void>;
  readManifest(): Promise<OrgRunManifest>;
  /** Every shard, then the lanes: a lane never names a shard not yet written. */
  writeShards(shards: readonly Shard[], lanes: readonly Lane[]): Promise<void>;
  readShard(ref: ShardRef): Promise<Shard>;
  writeApplyLanes(lanes: readonly Lane[]): Promise<void>;
  readApplyLanes(): Promise<Lane[] | null>;
  writePlanPart(part: PlanPart): Promise<void>;
  readPlanPart(ref: ShardRef): Promise<PlanPart | null>;
  writeResultPart(part: ResultPart): Promise<void>;
  readResultPart(ref: ShardRef): Promise<ResultPart | null>;
}

/** The run's in-use scan, shared by every invocation: Start stores the first scan for the shards. */
export interface SharedInUseScanCache extends InUseScanCache {
  /** Stores `outcome` for the other invocations; a failure to store is the cache's to report, not to throw. */
  store(outcome: InUseScanOutcome): Promise<void>;
}

/**
 * What a shard's sweep needs of its target (its registry, and whatever else the driver scopes to
 * it); the run's parts (in-use, checkpoint, journal, logger, clock) are the step's to add.
 */
export type TargetSweepDeps = Omit<SweepDeps, 'planSink' | 'inUse' | 'logger' | 'onProgress' | 'checkpoint' | 'journal' | 'clock'>;

/**
 * One target as a step reaches it (its Region, its assumed role), for the length of one step: the
 * step closes it when done. Everything a step does to the target goes through the one access, so
 * its role is assumed once per step, not once per use.
 */
export interface TargetAccess {
  /** Every repository name of the target's registry. May throw anything: the step names the target. */
  listRepositoryNames(): Promise<string[]>;
  /** The target's own in-use readers (ECS, Lambda, Batch, App Runner), as the rules enable them; not the in-use files. */
  inUseReaders(ruleSet: RuleSet): InUseSourceReader[];
  /** The target's sweep deps (its registry). */
  sweepDeps(): TargetSweepDeps;
  /** Releases what the access holds (its clients' connections). */
  close(): void;
}

/** What every step is given by its driver. */
export interface OrgStepDeps {
  /** The work files of `run`. */
  runStore(run: OrgRunRef): OrgRunStore;
  /** The in-use scan shared by every step of `run`. */
  inUseCache(run: OrgRunRef): SharedInUseScanCache;
  /** The checkpoint of one shard's apply, its own within the run, so a retried invocation continues. */
  checkpointStore(run: OrgRunRef, shard: ShardRef): CheckpointStore;
  /** The result journal of one shard's apply, its own within the run. */
  journalStore(run: OrgRunRef, shard: ShardRef): JournalStore;
  /** Reaches one target (its Region, its assumed role; `runId` names the role's session). */
  target(target: Target, runId: string): TargetAccess;
  /** The in-use file readers (read once for the run, not per target). */
  fileReaders(ruleSet: RuleSet): InUseSourceReader[];
  /**
   * Where RecordPlan and Finish move each shard part's images as they read it, so their memory
   * follows one shard, not the organization; without it every part stays in memory.
   */
  imageParts?: ImagePartStore;
  logger?: SweepLogger;
  clock?: () => number;
}
