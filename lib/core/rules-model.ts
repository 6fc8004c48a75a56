/**
 * The normalised, validated rule set the planner consumes. The YAML loader and the native
 * lifecycle-policy parser both produce this shape; nothing downstream sees raw YAML or JSON.
 * Durations are milliseconds and sizes bytes, already parsed.
 */

export type Mode = 'dry-run' | 'apply';
export type TagStatus = 'tagged' | 'untagged' | 'any';
export type StorageClass = 'standard' | 'archive';

/** Where a rule or setting came from, for error messages and plan reasons. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
}

/** Which images a rule looks at. */
export interface Selection {
  tagStatus: TagStatus;
  /**
   * Glob (`*`, `?`) or `/regex/` (matched against the whole tag). ANDed across patterns;
   * each pattern must match at least one of the image's tags, as ECR does.
   * A native `tagPrefixList` entry `p` arrives here as the glob `p*`.
   */
  tagPatterns: readonly string[];
  /** An image with any tag matching any of these is taken out of the selection. */
  excludeTagPatterns: readonly string[];
  storageClass: StorageClass;
}

/** The single expiry condition of a rule. */
export type Condition =
  /** Keep the newest `count`; the rest expire. `orderBy: 'semver'` ranks by the matching tag's version. */
  | { type: 'imageCountMoreThan'; count: number; orderBy: 'pushedAt' | 'semver' }
  /** Pushed strictly more than `ms` ago. */
  | { type: 'sinceImagePushed'; ms: number }
  /** Not pulled for more than `ms` (falls back to push time when never pulled). */
  | { type: 'sinceImagePulled'; ms: number }
  /** Archived for more than `ms` (archive storage class only). */
  | { type: 'sinceImageTransitioned'; ms: number }
  /** Image larger than `bytes`. */
  | { type: 'sizeLargerThan'; bytes: number }
  /** Total size of the selection over `bytes`: oldest expire first until the rest fits. */
  | { type: 'totalSizeMoreThan'; bytes: number };

export type Action = { type: 'expire' } | { type: 'transition'; targetStorageClass: 'archive' };

export interface Rule {
  /** Stable id, shown in every plan reason. For imported lifecycle rules: `priority-<n>`. */
  id: string;
  description?: string;
  selection: Selection;
  condition: Condition;
  action: Action;
  /** Native `rulePriority` when imported from a lifecycle policy. */
  rulePriority?: number;
  source?: SourceLocation;
}

export interface Policy {
  name: string;
  /** Repository globs (`repository-glob.ts`, picomatch's meaning). A repository is governed by the first policy whose include matches and exclude does not. */
  repositories: { include: readonly string[]; exclude: readonly string[] };
  /** In priority order (first = highest priority). */
  rules: readonly Rule[];
  origin: 'rules' | 'lifecyclePolicy';
}

export interface Defaults {
  mode: Mode;
  /** Grace period: nothing pushed less than this long ago is ever deleted. */
  minAgeMs: number;
  /** Whole-run cap on deletions; null = no cap. */
  maxDeletionsPerRun: number | null;
  /** Per-repository cap, as a percentage (0..100] of the repository's images; null = no cap. */
  maxDeletePercentPerRepository: number | null;
}

export interface RuleSet {
  defaults: Defaults;
  /** Patterns no rule can ever delete. Tag patterns use the rule pattern syntax; repository patterns are globs. */
  protect: { tags: readonly string[]; repositories: readonly string[] };
  policies: readonly Policy[];
  /** File the rules came from, for reports. */
  source?: string;
}
