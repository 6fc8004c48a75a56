/**
 * The rules file parser: YAML text in, a validated and normalised `RuleSet` out, or a
 * `RulesValidationError` listing every problem with its file, line and column. Pure: the only
 * way it reaches beyond its input is the `readFile` callback used for `lifecyclePolicy: <path>`.
 */
import { RulesValidationError, type RuleIssue } from '../errors.js';
import type { Condition, InUseSettings, Policy, PolicySettings, Rule, RuleSet, TargetEntry, TargetsSetting } from './rules-model.js';
import {
  DEFAULT_IN_USE_FILE_MAX_AGE_MS,
  DEFAULT_IN_USE_SETTINGS,
  DEFAULT_LAMBDA_VERSIONS,
  DEFAULT_TASK_DEFINITION_REVISIONS,
} from './in-use-settings.js';
import type { InUseInput } from './rules-in-use-schema.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { lifecyclePolicyTooLong, validateLifecyclePolicy } from './lifecycle-policy.js';
import { checkRulesDocument } from './rules-checks.js';
import { checkRulesLimits, RULES_FILE_LIMITS, rulesTextTooLong } from './rules-limits.js';
import { ATTACHED_LIFECYCLE_POLICY, rulesFileSchema, type RuleInput, type RulesFileInput } from './rules-schema.js';
import { editDistance } from './edit-distance.js';
import { parseJsonSourceDocument, parseSourceDocument, sortIssues, type IssuePath, type SourceDocument } from './rules-source.js';
import { zodIssueToRuleIssues } from './rules-zod-issues.js';
import { checkTargetsDocument } from './rules-targets-checks.js';
import type { OrganizationInput, TargetEntryInput } from './rules-targets-schema.js';

/** Grace period applied when a file does not set `defaults.minAge`. */
export const DEFAULT_MIN_AGE = '1d';

/** A file read on the parser's behalf: its text and the name to report it under. */
export interface ReadFileResult {
  text: string;
  file: string;
}

/** Options for {@link parseRules}. */
export interface ParseRulesOptions {
  /** Name of the rules file, for messages and `Rule.source`. */
  file?: string;
  /**
   * Reads a file named relative to the rules file (for `lifecyclePolicy: <path>`). Throw to
   * report it unreadable; the message becomes part of the validation error.
   */
  readFile?: (relativePath: string) => ReadFileResult;
}

/**
 * Parses and validates a rules file.
 *
 * @example
 * const ruleSet = parseRules(fs.readFileSync('rules/default.yml', 'utf8'), { file: 'rules/default.yml' });
 * @throws RulesValidationError with every problem found (YAML syntax, schema, cross-field and
 * native lifecycle-policy rules), each positioned.
 */
export function parseRules(text: string, options: ParseRulesOptions = {}): RuleSet {
  // Readers stop at the byte limit; this backstop covers text from anywhere else (SSM, callers).
  // A text within 1 MiB of bytes never has more characters than that, so it never misfires.
  if (text.length > RULES_FILE_LIMITS.maxBytes) {
    throw new RulesValidationError([{ ...(options.file !== undefined ? { file: options.file } : {}), path: '', message: rulesTextTooLong(text.length) }]);
  }
  const source = parseSourceDocument(text, options.file);
  if (source.syntaxIssues.length) throw new RulesValidationError(source.syntaxIssues);

  if (source.value === undefined || source.value === null) {
    throw new RulesValidationError([source.issue([], 'the rules file is empty: expected a mapping with at least "version: 1" and "policies"')]);
  }
  const issues: RuleIssue[] = [];
  if (checkRulesLimits(source.value, (path, message) => issues.push(source.issue(path, message)))) {
    throw new RulesValidationError(sortIssues(issues));
  }
  const parsed = rulesFileSchema.safeParse(source.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(...zodIssueToRuleIssues(issue, source, rulesFileSchema));
  }
  checkRulesDocument(source.value, (path, message, opts) => issues.push(source.issue(path, message, opts)));
  checkTargetsDocument(source.value, (path, message, opts) => issues.push(source.issue(path, message, opts)), (path, opts) => source.locate(path, opts));

  const nativeRules = new Map<number, Rule[]>();
  const raw = source.value as { policies?: unknown };
  if (Array.isArray(raw?.policies)) {
    raw.policies.forEach((policy: unknown, p: number) => {
      const lp = (policy as { lifecyclePolicy?: unknown } | null)?.lifecyclePolicy;
      if (lp === undefined || lp === null) return;
      const result = loadNativePolicy(lp, source, ['policies', p, 'lifecyclePolicy'], options);
      issues.push(...result.issues);
      nativeRules.set(p, result.rules);
    });
  }

  if (issues.length || !parsed.success) throw new RulesValidationError(sortIssues(dedupe(issues)));
  return toRuleSet(parsed.data, source, nativeRules);
}

function loadNativePolicy(
  value: unknown,
  source: SourceDocument,
  path: IssuePath,
  options: ParseRulesOptions,
): { rules: Rule[]; issues: RuleIssue[] } {
  if (Array.isArray(value)) return { rules: [], issues: [] }; // the schema reports it
  if (typeof value === 'object') {
    return validateLifecyclePolicy(value, source, path, undefined);
  }
  if (typeof value !== 'string' || value.length === 0) return { rules: [], issues: [] }; // the schema reports it
  // Read at run time from each repository (GetLifecyclePolicy), then validated like any native policy.
  if (value === ATTACHED_LIFECYCLE_POLICY) return { rules: [], issues: [] };
  if (value.trimStart().startsWith('{')) {
    return { rules: [], issues: [source.issue(path, 'this looks like JSON text in a string; write the policy as a mapping (no quotes or |) or put it in a .json file and give its path')] };
  }
  if (!options.readFile) {
    return { rules: [], issues: [source.issue(path, `cannot read ${JSON.stringify(value)}: lifecycle policy paths need a file reader (use loadRulesFile)${attachedHint(value)}`)] };
  }
  let read: ReadFileResult;
  try {
    read = options.readFile(value);
  } catch (error) {
    return { rules: [], issues: [source.issue(path, `cannot read lifecycle policy file ${JSON.stringify(value)}: ${(error as Error).message}${attachedHint(value)}`)] };
  }
  const tooLong = lifecyclePolicyTooLong(read.text.length);
  if (tooLong) return { rules: [], issues: [{ file: read.file, path: '', message: tooLong }] };
  const native = parseJsonSourceDocument(read.text, read.file);
  if (native.isYamlNotJson) {
    return { rules: [], issues: native.syntaxIssues.map((i) => ({ ...i, message: `a lifecycle policy file must be JSON (ECR rejects YAML); ${i.message}` })) };
  }
  if (native.syntaxIssues.length) return { rules: [], issues: native.syntaxIssues };
  return validateLifecyclePolicy(native.value, native, [], read.text.length);
}

/**
 * A path that looks like a misspelt `attached` (`Attached`, `attach`, `atached`) most likely meant
 * the repositories' own policies, not a file.
 */
function attachedHint(value: string): string {
  if (/[./\\]/.test(value) || editDistance(value.toLowerCase(), ATTACHED_LIFECYCLE_POLICY) > 2) return '';
  return ` — did you mean "${ATTACHED_LIFECYCLE_POLICY}" (each repository's own attached lifecycle policy)?`;
}

/** The schema and the cross-field checks can spot the same thing; say it once. */
function dedupe(issues: RuleIssue[]): RuleIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.file}|${i.line}|${i.column}|${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toRuleSet(input: RulesFileInput, source: SourceDocument, nativeRules: Map<number, Rule[]>): RuleSet {
  const d = input.defaults ?? {};
  return {
    defaults: {
      mode: d.mode ?? 'dry-run',
      minAgeMs: parseDuration(d.minAge ?? DEFAULT_MIN_AGE),
      maxDeletionsPerRun: d.maxDeletionsPerRun ?? null,
      maxDeletePercentPerRepository: d.maxDeletePercentPerRepository ?? null,
    },
    protect: { tags: input.protect?.tags ?? [], repositories: input.protect?.repositories ?? [] },
    policies: input.policies.map((policy, p): Policy => ({
      name: policy.name,
      repositories: {
        include: policy.repositories.include ?? [],
        exclude: policy.repositories.exclude ?? [],
        ...(policy.repositories.tags !== undefined ? { tags: policy.repositories.tags } : {}),
      },
      rules: policy.rules
        ? policy.rules.map((rule, r) => toRule(rule, source, ['policies', p, 'rules', r]))
        : (nativeRules.get(p) ?? []),
      origin: policy.rules ? 'rules' : policy.lifecyclePolicy === ATTACHED_LIFECYCLE_POLICY ? 'attached' : 'lifecyclePolicy',
      ...optional('settings', toSettings(policy)),
    })),
    ...optional('inUse', input.inUse && toInUseSettings(input.inUse)),
    ...optional('targets', toTargetsSetting(input.targets, input.organization)),
    ...(source.file !== undefined ? { source: source.file } : {}),
  };
}

/**
 * `targets:` or `organization:` (the checks refuse both). Neither: undefined, so the rule set and
 * its hash are what they were before targets existed.
 */
function toTargetsSetting(targets: TargetEntryInput[] | undefined, organization: OrganizationInput | undefined): TargetsSetting | undefined {
  if (targets !== undefined) {
    return {
      kind: 'list',
      targets: targets.map(
        (t): TargetEntry => ({
          accountId: t.accountId,
          ...optional('roleName', t.roleName),
          ...optional('roleArn', t.roleArn),
          ...optional('externalId', t.externalId),
          regions: t.regions,
        }),
      ),
    };
  }
  if (organization === undefined) return undefined;
  return {
    kind: 'organization',
    roleName: organization.roleName,
    ...optional('externalId', organization.externalId),
    regions: organization.regions,
    accounts: { include: organization.accounts?.include ?? [], exclude: organization.accounts?.exclude ?? [] },
    ous: { include: organization.ous?.include ?? [], exclude: organization.ous?.exclude ?? [] },
  };
}

/** The rule's conditions in the fixed order of CONDITION_KEYS (count, ages, sizes), whatever order the file wrote. */
function toConditions(when: RuleInput['when']): [Condition, ...Condition[]] {
  const out: Condition[] = [];
  if (when.imageCountMoreThan !== undefined) {
    out.push({ type: 'imageCountMoreThan', count: when.imageCountMoreThan, orderBy: when.orderBy ?? 'pushedAt' });
  }
  if (when.sinceImagePushed !== undefined) out.push({ type: 'sinceImagePushed', ms: parseDuration(when.sinceImagePushed) });
  if (when.sinceImagePulled !== undefined) out.push({ type: 'sinceImagePulled', ms: parseDuration(when.sinceImagePulled) });
  if (when.sinceImageTransitioned !== undefined) out.push({ type: 'sinceImageTransitioned', ms: parseDuration(when.sinceImageTransitioned) });
  if (when.sizeLargerThan !== undefined) out.push({ type: 'sizeLargerThan', bytes: parseSize(when.sizeLargerThan) });
  if (when.totalSizeMoreThan !== undefined) out.push({ type: 'totalSizeMoreThan', bytes: parseSize(when.totalSizeMoreThan) });
  const [first, ...rest] = out;
  // Unreachable: the checks guarantee at least one condition before mapping.
  if (first === undefined) throw new Error('rule has no condition');
  return [first, ...rest];
}

/**
 * The `inUse:` block over the defaults: `true` and `{}` mean a source's defaults, `false` turns
 * it off. Omitted, the rule set has no `inUse` and `inUseSettingsOf` gives the defaults, so
 * files written before the block existed keep their rules hash (checkpoints still resume).
 */
function toInUseSettings(input: InUseInput): InUseSettings {
  const d = DEFAULT_IN_USE_SETTINGS;
  const ecs = sourceSettings(input.ecs, d.ecs !== false);
  const lambda = sourceSettings(input.lambda, d.lambda !== false);
  const files = sourceSettings(input.files, d.files !== null);
  return {
    ecs: ecs && { clusters: ecs.clusters ?? null, taskDefinitionRevisions: ecs.taskDefinitionRevisions ?? DEFAULT_TASK_DEFINITION_REVISIONS },
    lambda: lambda && { versions: lambda.versions ?? DEFAULT_LAMBDA_VERSIONS },
    batch: input.batch ?? d.batch,
    apprunner: input.apprunner ?? d.apprunner,
    files: files
      ? {
          locations: files.locations ?? [],
          maxAgeMs: files.maxAge !== undefined ? parseDuration(files.maxAge) : DEFAULT_IN_USE_FILE_MAX_AGE_MS,
          expect: files.expect ?? [],
        }
      : null,
    rescanAfterMs: input.rescanAfter !== undefined ? parseDuration(input.rescanAfter) : d.rescanAfterMs,
  };
}

/** A source's settings as written (`true` = `{}`, its defaults), or false when it is off. */
function sourceSettings<T extends object>(value: boolean | T | undefined, onByDefault: boolean): T | false {
  if (value === undefined) return onByDefault ? ({} as T) : false;
  return value === true ? ({} as T) : value;
}

function toSettings(policy: RulesFileInput['policies'][number]): PolicySettings | undefined {
  const settings: PolicySettings = {};
  if (policy.mode !== undefined) settings.mode = policy.mode;
  if (policy.minAge !== undefined) settings.minAgeMs = parseDuration(policy.minAge);
  if (policy.maxDeletionsPerRun !== undefined) settings.maxDeletionsPerRun = policy.maxDeletionsPerRun;
  if (policy.maxDeletePercentPerRepository !== undefined) settings.maxDeletePercentPerRepository = policy.maxDeletePercentPerRepository;
  if (policy.protect !== undefined) settings.protect = { tags: policy.protect.tags ?? [], repositories: policy.protect.repositories ?? [] };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

function conditionFields(conditions: [Condition, ...Condition[]]): Pick<Rule, 'condition' | 'conditions'> {
  return conditions.length > 1 ? { condition: conditions[0], conditions } : { condition: conditions[0] };
}

function toRule(rule: RuleInput, source: SourceDocument, path: IssuePath): Rule {
  const pos = source.locate(path);
  return {
    id: rule.id,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    selection: {
      tagStatus: rule.select.tagStatus,
      tagPatterns: rule.select.tagPatterns ?? [],
      excludeTagPatterns: rule.select.excludeTagPatterns ?? [],
      storageClass: rule.select.storageClass ?? 'standard',
    },
    ...conditionFields(toConditions(rule.when)),
    action: rule.action === 'transition' ? { type: 'transition', targetStorageClass: 'archive' } : { type: 'expire' },
    source: { ...(source.file !== undefined ? { file: source.file } : {}), line: pos.line, column: pos.column },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
