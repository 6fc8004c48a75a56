/**
 * The plan: a serialisable document in which every image of every governed repository has a
 * decision and a reason a person understands. The planner produces it; the engine executes it;
 * the reports publish it. Times are ISO-8601 strings (or null when the registry gave none).
 */
import type { Mode } from './rules-model.js';
import type { AppliedSettings } from './policy-settings.js';
import type { InUseCounts, InUseSource, InUseUsage } from './in-use.js';
import type { TargetRef } from './targets.js';

export type Decision = 'delete' | 'keep' | 'transition';

/** How an image relates to others in its repository. */
export type ImageRole = 'image' | 'index' | 'child' | 'referrer';

export interface PlannedImage {
  imageDigest: string;
  /** Deduplicated, sorted. */
  imageTags: string[];
  pushedAt: string | null;
  lastPulledAt: string | null;
  sizeInBytes: number | null;
  role: ImageRole;
  /** For a child: the indexes that reference it. */
  parentDigests?: string[];
  /** For a referrer: its subject. */
  subjectDigest?: string;
  decision: Decision;
  /** The deciding rule id, or null when no rule decided (protection, grace, no match...). */
  rule: string | null;
  /** E.g. "delete: untagged, pushed 9d ago > 7d" or "keep: child of kept index sha256:...". */
  reason: string;
  /** Who runs this image or can roll back to it (in-use protection); absent when none is known. */
  usages?: InUseUsage[];
}

/**
 * `planned`: rules applied. `blocked`: a safety limit was exceeded, nothing in it is deleted.
 * `protected`: the repository matches `protect.repositories`. `unmanaged`: no policy matches.
 * `no-lifecycle-policy`: its policy runs attached lifecycle policies and none is attached; untouched.
 */
export type RepositoryStatus = 'planned' | 'blocked' | 'protected' | 'unmanaged' | 'no-lifecycle-policy';

export interface PlanCounts {
  images: number;
  delete: number;
  keep: number;
  transition: number;
  /** Bytes a deletion would free; see the README for how indexes and shared layers are counted. */
  bytesToFree: number;
}

export interface RepositoryPlan {
  repositoryName: string;
  /** Name of the governing policy, or null. */
  policy: string | null;
  status: RepositoryStatus;
  /** Why the repository is blocked / protected / unmanaged. */
  statusReason?: string;
  /**
   * Where its rules came from when not the rules file: `attached-lifecycle-policy` = the lifecycle
   * policy attached to the repository (rule ids `priority-<n>`), with every protection on top.
   */
  rulesFrom?: 'attached-lifecycle-policy';
  /** Every image: deletes first in execution order is NOT implied; see `deleteOrder`. */
  images: PlannedImage[];
  counts: PlanCounts;
  /**
   * The settings that governed the plan (planned and blocked repositories): minAge, caps, mode
   * and protected tags, each with where it came from (`defaults` or the policy).
   */
  settings?: AppliedSettings;
  /** The account and Region it belongs to, in a multi-target run's plan; absent in a single-target run. */
  target?: TargetRef;
}

/**
 * Something about the run that is probably not what the user meant, or that weakens a decision,
 * shown in the plan, the reports and the CLI output; never a reason to delete.
 */
export interface PlanWarning {
  /** Stable identifier, e.g. `policy-glob-matches-nothing`, `pull-time-not-excluded`. */
  code: string;
  /** One sentence for a person, naming what it is about. */
  message: string;
  /** The repository it concerns, when it concerns one. */
  repositoryName?: string;
  /** The target it concerns, in a multi-target run (its message names it too). */
  target?: TargetRef;
}

/** One target (an account and a Region) of a multi-target run's plan. */
export interface PlanTarget {
  /** `targetKey`: `123456789012/eu-west-1`; `123456789012/*` for an account that failed as a whole. */
  key: string;
  accountId: string;
  /** Absent for an account that failed as a whole (its Regions could not be listed). */
  region?: string;
  /** `failed`: it could not be planned (role not assumable, access denied, Region not enabled...). */
  status: 'planned' | 'failed';
  /** Its own plan's summary; zeros for a failed target. */
  summary: PlanCounts & { repositories: number; blockedRepositories: number };
  /** Why it failed, naming the account and Region. */
  error?: { code: string; message: string };
}

export interface Plan {
  version: 1;
  /**
   * The run this plan belongs to (set by the engine before the plan is recorded, so `plan.json`
   * names the run whose result, journal and checkpoint it goes with). Absent from a bare `buildPlan`.
   */
  runId?: string;
  /** The `now` the plan was computed for. */
  now: string;
  mode: Mode;
  repositories: RepositoryPlan[];
  summary: PlanCounts & {
    repositories: number;
    blockedRepositories: number;
    /** Multi-target runs only: every target, and those that failed. */
    targets?: number;
    failedTargets?: number;
  };
  /** What the user should know about this plan (empty when all is as expected). */
  warnings: PlanWarning[];
  /** In-use protection: what was scanned, what was off or failed, what was found. Absent when the run was not given in-use sources. */
  inUse?: InUseReport;
  /** A multi-target run's targets, in key order (failed ones last); absent in a single-target run. */
  targets?: PlanTarget[];
}

/** One in-use source in a run: scanned, turned off by the rules, or failed (which blocks deletion). */
export interface InUseSourceReport {
  source: InUseSource;
  /** E.g. `ECS (all clusters)`, `in-use files (s3://bucket/in-use/)`. */
  label: string;
  status: 'scanned' | 'off' | 'failed';
  /** Usages the source listed (0 when off or failed). */
  usages: number;
  /** API calls per operation (`ecs:DescribeTasks`: 3). */
  calls: Record<string, number>;
  /** Why it failed: the error code and message (naming the cluster, function or file). */
  error?: { code: string; message: string };
  /** What the scan could not see but did not fail on. */
  notes?: string[];
}

/** In-use protection in a plan or a result. */
export interface InUseReport {
  /** When the in-use set used by this run was last scanned (ISO); a rescan before deleting moves it. */
  scannedAt: string;
  /** How many times the set was scanned again before or during deletion. */
  rescans: number;
  sources: InUseSourceReport[];
  /** How the usages resolved against this registry (resolved, other registry, unknown, malformed). */
  counts: InUseCounts;
  /** Images kept because they, or an index, child, subject or referrer tied to them, are in use. */
  imagesKept: number;
}
