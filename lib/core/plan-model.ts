/**
 * The plan: a serialisable document in which every image of every governed repository has a
 * decision and a reason a person understands. The planner produces it; the engine executes it;
 * the reports publish it. Times are ISO-8601 strings (or null when the registry gave none).
 */
import type { Mode } from './rules-model.js';
import type { AppliedSettings } from './policy-settings.js';
import type { InUseUsage } from './in-use.js';

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
  summary: PlanCounts & { repositories: number; blockedRepositories: number };
  /** What the user should know about this plan (empty when all is as expected). */
  warnings: PlanWarning[];
}
