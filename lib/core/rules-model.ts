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

/** One expiry condition of a rule. */
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
  /** The rule's condition; for a compound rule, the first of {@link Rule.conditions}. */
  condition: Condition;
  /**
   * A compound rule's conditions, all of which must hold (at least two; the first is
   * `condition`). Absent for a single-condition rule. Read them with `ruleConditions`.
   */
  conditions?: readonly Condition[];
  action: Action;
  /** Native `rulePriority` when imported from a lifecycle policy. */
  rulePriority?: number;
  source?: SourceLocation;
}

/**
 * Settings a policy sets for the repositories it governs. Each one present overrides the
 * corresponding `defaults` value; `protect` lists add to the run-wide ones. See
 * `policy-settings.ts` for how they combine.
 */
export interface PolicySettings {
  /** `dry-run` holds the policy's repositories back in any run; `apply` follows the run's mode. */
  mode?: Mode;
  minAgeMs?: number;
  /** Budget of deletions for this policy's repositories, within the run-wide one. */
  maxDeletionsPerRun?: number;
  maxDeletePercentPerRepository?: number;
  /** Tag patterns and repository globs (within the policy) added to the run-wide protections. */
  protect?: { tags: readonly string[]; repositories: readonly string[] };
}

/** Repository resource tags, key → value (ListTagsForResource). */
export type RepositoryTags = Readonly<Record<string, string>>;

/** Which repositories a policy governs. */
export interface RepositorySelector {
  /**
   * Repository name globs (`repository-glob.ts`, picomatch's meaning). Empty = any name, which only selects when `tags` is given:
   * a policy with neither selects nothing.
   */
  include: readonly string[];
  /** Names matching one of these are never selected. */
  exclude: readonly string[];
  /**
   * Resource tags a repository must all have, each with exactly this value (case-sensitive, no
   * wildcards), as well as matching `include`. Absent = names alone decide.
   */
  tags?: RepositoryTags;
}

export interface Policy {
  name: string;
  /** A repository is governed by the first policy whose selector matches it (see `repository-match.ts`). */
  repositories: RepositorySelector;
  /** In priority order (first = highest priority). Empty for `origin: 'attached'`. */
  rules: readonly Rule[];
  /**
   * `rules`: YAML rules; `lifecyclePolicy`: a native policy given in the rules file;
   * `attached`: each governed repository's own attached lifecycle policy, read at run time.
   */
  origin: 'rules' | 'lifecyclePolicy' | 'attached';
  /** Per-policy settings; absent or empty = the run-wide `defaults` and `protect` apply. */
  settings?: PolicySettings;
}

/** Every condition of a rule, in evaluation order: one for a simple rule, several for a compound one. */
export function ruleConditions(rule: Rule): readonly Condition[] {
  return rule.conditions ?? [rule.condition];
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
  /**
   * In-use protection (the rules' `inUse:` block). Absent means the defaults: ECS and Lambda of
   * the registry's own account and Region are scanned, the other sources are off. Read it with
   * `inUseSettingsOf` (lib/core/in-use-settings.ts).
   */
  inUse?: InUseSettings;
  /**
   * What the run sweeps (the rules' `targets:` or `organization:`, issue 10). Absent: the caller's
   * own account and Region, as before targets existed (and the rules hash is unchanged). Resolved
   * into targets by `resolveTargetList` (lib/core/targets.ts).
   */
  targets?: TargetsSetting | null;
  /** File the rules came from, for reports. */
  source?: string;
}

/** ECS scan settings; see docs/rules.md (In-use protection). */
export interface EcsInUseSettings {
  /** Cluster name globs to scan; null scans every cluster. */
  clusters: readonly string[] | null;
  /** Newest ACTIVE revisions per task definition family that count as in use (rollback targets). Default 5. */
  taskDefinitionRevisions: number;
}

/** Lambda scan settings. */
export interface LambdaInUseSettings {
  /** Newest published versions per image function that count as in use, besides `$LATEST` and aliased versions. Default 5. */
  versions: number;
}

/** In-use files: JSON arrays of image references (ecrm's format) or `{ generatedAt, source, images }`. */
export interface InUseFileSettings {
  /**
   * Local paths (a file or a directory of `*.json`; relative to the rules file) and `s3://bucket/prefix/`
   * URIs. Empty: the deployment's own in-use prefix (the Lambda functions' `IN_USE_S3_URI`).
   */
  locations: readonly string[];
  /** A file older than this (its `generatedAt`, else its modification time) fails the run closed. Default 24h. */
  maxAgeMs: number;
  /** Sources (a file's `source`, else its name without `.json`) that must have a file; a missing one fails closed. */
  expect: readonly string[];
}

/** Which in-use sources a run scans. `false` turns a source off explicitly (the report says so). */
export interface InUseSettings {
  ecs: EcsInUseSettings | false;
  lambda: LambdaInUseSettings | false;
  batch: boolean;
  apprunner: boolean;
  /** null: no in-use files. */
  files: InUseFileSettings | null;
  /** Before deleting, the in-use set is scanned again when the last scan is older than this. Default 5 minutes. */
  rescanAfterMs: number;
}

/** A target's Regions: a list of Region names, or `all` (the account's enabled Regions, read with EC2 DescribeRegions). */
export type TargetRegions = readonly string[] | 'all';

/** One entry of `targets:`. */
export interface TargetEntry {
  /** 12 digits. */
  accountId: string;
  /** Role name (`path/Name` allowed), made an ARN in the account's partition. At most one of roleName and roleArn. */
  roleName?: string;
  /** Full role ARN; its account is `accountId`. */
  roleArn?: string;
  /** The `sts:ExternalId` the role's trust policy asks for. */
  externalId?: string;
  regions: TargetRegions;
}

/** Account or OU ids an organization run takes (`include`, empty = all) and leaves out (`exclude`, always wins). */
export interface IdFilter {
  include: readonly string[];
  exclude: readonly string[];
}

/** The `organization:` block: every ACTIVE account of the AWS Organization, filtered. */
export interface OrganizationSetting {
  /** The role assumed in every account (e.g. deployed by deploy/target-role.yml as a StackSet). */
  roleName: string;
  externalId?: string;
  regions: TargetRegions;
  /** Account ids. */
  accounts: IdFilter;
  /** OU ids (`ou-...`); an account under an OU (at any depth) belongs to it. */
  ous: IdFilter;
}

/** The rules' choice of targets: an explicit list, or an organization. */
export type TargetsSetting = { kind: 'list'; targets: readonly TargetEntry[] } | ({ kind: 'organization' } & OrganizationSetting);
