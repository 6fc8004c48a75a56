/**
 * Documented limits of a rules file (docs/rules.md#limits). They bound the work a file can ask
 * for before any of it is done: a file is read only up to `maxBytes`, and the counts are checked
 * on the parsed document before the schema compiles a single pattern, so a file with 200,000
 * regexes is refused in milliseconds instead of compiling them for minutes. Real rule sets sit
 * far below every limit.
 */
import type { IssuePath } from './rules-source.js';

export const RULES_FILE_LIMITS = {
  /** Size of the rules file as read (1 MiB). */
  maxBytes: 1_048_576,
  /** Policies in a file. */
  maxPolicies: 100,
  /** Rules in one policy (a native lifecycle policy has its own limit of 50, ECR's). */
  maxRulesPerPolicy: 100,
  /** Tag patterns in the whole file: protect.tags, tagPatterns and excludeTagPatterns together. */
  maxTagPatterns: 500,
  /** Repository globs in the whole file: include, exclude and protect.repositories together. */
  maxRepositoryGlobs: 500,
  /** Characters in one tag pattern or repository glob (ECR tags are at most 300 characters, names 256). */
  maxPatternLength: 300,
} as const;

/**
 * Bounds of the `inUse:` block (docs/rules.md#in-use-protection). A count or an age outside them is
 * a mistake, not a setting: 0 revisions would protect nothing a rollback needs, 1000 would cost an
 * API call each per family, and an in-use file a month old says nothing about what runs now.
 */
export const IN_USE_LIMITS = {
  /** `ecs.taskDefinitionRevisions` and `lambda.versions`. */
  minRevisions: 1,
  maxRevisions: 100,
  /** `files.maxAge`: 1 minute to 7 days. */
  minFileMaxAgeMs: 60_000,
  maxFileMaxAgeMs: 7 * 86_400_000,
  /** `rescanAfter`: 1 minute to 1 hour. */
  minRescanAfterMs: 60_000,
  maxRescanAfterMs: 3_600_000,
  /** `ecs.clusters` globs; a cluster name is at most 255 characters. */
  maxClusterGlobs: 100,
  maxClusterGlobLength: 255,
  /** `files.locations`, each a path or an `s3://` URI of at most 1,024 characters. */
  maxFileLocations: 20,
  maxFileLocationLength: 1024,
  /** `files.expect` source names. */
  maxExpectedSources: 100,
  maxSourceNameLength: 128,
} as const;

/**
 * Bounds of `targets:` and `organization:` (docs/rules.md#targets). They bound the run before
 * it starts: a list of 1,000 accounts is already an organization's worth, and no partition has
 * 200 Regions.
 */
export const TARGETS_LIMITS = {
  /** Entries of `targets:`. */
  maxTargets: 1000,
  /** Names in one `regions:` list. */
  maxRegions: 200,
  /** Ids in one `accounts.include`/`exclude` or `ous.include`/`exclude` list of `organization:`. */
  maxIds: 1000,
} as const;

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

type Add = (path: IssuePath, message: string) => void;

/**
 * The limit message for a text that is too long, shared by the parser's backstop and the readers.
 */
export function rulesTextTooLong(length: number): string {
  return `the rules text is ${length.toLocaleString('en-US')} characters; a rules file is at most 1 MiB (${RULES_FILE_LIMITS.maxBytes.toLocaleString('en-US')} bytes)`;
}

/**
 * Checks the counts of a parsed (not yet validated) rules document. Returns true when a limit
 * is exceeded; the caller then stops, because validating the rest is the work the limits bound.
 * Each problem is reported at the list that crosses the limit.
 */
export function checkRulesLimits(doc: unknown, add: Add): boolean {
  if (!isObj(doc)) return false;
  const L = RULES_FILE_LIMITS;
  let over = false;
  const policies = Array.isArray(doc.policies) ? doc.policies : [];
  if (policies.length > L.maxPolicies) {
    add(['policies'], `${policies.length} policies; a rules file has at most ${L.maxPolicies}`);
    over = true;
  }

  // Totals are reported once, at the first list that takes them over the limit.
  const totals = {
    tag: { n: 0, reported: false, limit: L.maxTagPatterns, what: 'tag patterns (protect.tags, tagPatterns and excludeTagPatterns together)' },
    repo: { n: 0, reported: false, limit: L.maxRepositoryGlobs, what: 'repository globs (include, exclude and protect.repositories together)' },
  };
  const tally = (kind: keyof typeof totals, list: unknown, path: IssuePath) => {
    const t = totals[kind];
    t.n += count(list);
    if (t.n > t.limit && !t.reported) {
      t.reported = true;
      over = true;
      add(path, `more than ${t.limit} ${t.what} by here; a rules file has at most ${t.limit}`);
    }
  };

  if (checkTargetsLimits(doc, add)) over = true;

  const protect = isObj(doc.protect) ? doc.protect : {};
  tally('tag', protect.tags, ['protect', 'tags']);
  tally('repo', protect.repositories, ['protect', 'repositories']);
  policies.forEach((policy, p) => {
    if (!isObj(policy)) return;
    const repos = isObj(policy.repositories) ? policy.repositories : {};
    tally('repo', repos.include, ['policies', p, 'repositories', 'include']);
    tally('repo', repos.exclude, ['policies', p, 'repositories', 'exclude']);
    const rules = Array.isArray(policy.rules) ? policy.rules : [];
    if (rules.length > L.maxRulesPerPolicy) {
      add(['policies', p, 'rules'], `${rules.length} rules; a policy has at most ${L.maxRulesPerPolicy}`);
      over = true;
    }
    rules.forEach((rule, r) => {
      const select = isObj(rule) && isObj(rule.select) ? rule.select : {};
      tally('tag', select.tagPatterns, ['policies', p, 'rules', r, 'select', 'tagPatterns']);
      tally('tag', select.excludeTagPatterns, ['policies', p, 'rules', r, 'select', 'excludeTagPatterns']);
    });
  });
  return over;
}

/** Counts of `targets:` and `organization:`, checked before their entries are validated. */
function checkTargetsLimits(doc: Raw, add: Add): boolean {
  const L = TARGETS_LIMITS;
  let over = false;
  const limit = (list: unknown, max: number, path: IssuePath, what: string) => {
    if (count(list) > max) {
      add(path, `${count(list).toLocaleString('en-US')} ${what}; at most ${max.toLocaleString('en-US')}`);
      over = true;
    }
  };
  const targets = Array.isArray(doc.targets) ? doc.targets : [];
  limit(targets, L.maxTargets, ['targets'], 'targets');
  targets.slice(0, L.maxTargets).forEach((target, t) => {
    if (isObj(target)) limit(target.regions, L.maxRegions, ['targets', t, 'regions'], 'Regions in one list');
  });
  const org = isObj(doc.organization) ? doc.organization : {};
  limit(org.regions, L.maxRegions, ['organization', 'regions'], 'Regions in one list');
  for (const group of ['accounts', 'ous'] as const) {
    const filter = isObj(org[group]) ? org[group] : {};
    for (const side of ['include', 'exclude'] as const) limit(filter[side], L.maxIds, ['organization', group, side], 'ids in one list');
  }
  return over;
}
