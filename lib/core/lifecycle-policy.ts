/**
 * Native ECR lifecycle policies: parsed with ECR's own validation (every rule of the lifecycle
 * policy parameters page and the evaluation rules that constrain a policy), then normalised into
 * the same `Rule[]` the YAML rules produce, so one planner evaluates both.
 */
import * as z from 'zod';
import { RulesValidationError, type RuleIssue } from '../errors.js';
import type { Condition, Rule, StorageClass } from './rules-model.js';
import { DAY_MS } from './duration.js';
import { countStars } from './rules-pattern.js';
import { parseJsonSourceDocument, parseSourceDocument, sortIssues, type IssuePath, type SourceDocument } from './rules-source.js';
import { zodIssueToRuleIssues } from './rules-zod-issues.js';

/** ECR limits (service quotas page and the API model's LifecyclePolicyText bounds). */
export const LIFECYCLE_POLICY_LIMITS = {
  minTextLength: 100,
  maxTextLength: 30_720,
  maxRules: 50,
  maxStarsPerPattern: 4,
  /** Archived images have a 90-day minimum storage duration; ECR refuses rules that expire them sooner. */
  minArchiveDaysBeforeExpire: 90,
} as const;

/**
 * ECR's refusal of a rule that deletes archived images before their 90-day minimum storage
 * duration, in ECR's words (archive-image documentation), for the YAML and native validators.
 */
export function archiveMinimumMessage(given: string): string {
  const days = LIFECYCLE_POLICY_LIMITS.minArchiveDaysBeforeExpire;
  return `sinceImageTransitioned ${given} is too soon: you cannot configure lifecycle policies that delete images that have been in archive for less than ${days} days (archived images have a ${days}-day minimum storage duration); use ${days} days or more`;
}

/**
 * The message for a policy text over ECR's 30,720 characters, or undefined when within it.
 * Checked before the text is parsed: parsing is the work the limit bounds.
 */
export function lifecyclePolicyTooLong(length: number): string | undefined {
  if (length <= LIFECYCLE_POLICY_LIMITS.maxTextLength) return undefined;
  return `lifecycle policy text is ${length} characters; ECR allows at most ${LIFECYCLE_POLICY_LIMITS.maxTextLength}`;
}

const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'] as const;

/** Shape of a native policy (strict: unknown fields are errors, as in ECR). Cross-field rules are checked separately. */
export const nativeSelectionSchema = z
  .strictObject({
    tagStatus: z.enum(['tagged', 'untagged', 'any']),
    tagPatternList: z.array(z.string()).optional(),
    tagPrefixList: z.array(z.string()).optional(),
    storageClass: z.enum(['standard', 'archive']).optional(),
    countType: z.enum(COUNT_TYPES),
    countUnit: z.string().optional(),
    countNumber: z
      .int({ error: 'countNumber must be a positive integer' })
      .min(1, { error: 'countNumber must be a positive integer (0 is not accepted)' }),
  })
  .describe('Which images the rule selects and its count condition.');

export const nativeActionSchema = z.strictObject({
  type: z.enum(['expire', 'transition']),
  targetStorageClass: z.literal('archive', { error: 'targetStorageClass must be "archive"' }).optional(),
});

export const nativeRuleSchema = z.strictObject({
  rulePriority: z
    .int({ error: 'rulePriority must be an integer' })
    .min(1, { error: 'rulePriority must be a positive integer' }),
  description: z.string().optional(),
  selection: nativeSelectionSchema,
  action: nativeActionSchema,
});

export const nativeLifecyclePolicySchema = z
  .strictObject({
    rules: z
      .array(nativeRuleSchema)
      .min(1, { error: 'a lifecycle policy needs at least 1 rule' })
      .max(LIFECYCLE_POLICY_LIMITS.maxRules, { error: `a lifecycle policy has at most ${LIFECYCLE_POLICY_LIMITS.maxRules} rules` }),
  })
  .describe('A native Amazon ECR lifecycle policy (PutLifecyclePolicy JSON).');

export type NativeLifecyclePolicy = z.infer<typeof nativeLifecyclePolicySchema>;
export type NativeRule = z.infer<typeof nativeRuleSchema>;

/** Characters of a Docker tag; prefixes take only these, patterns add `*`. */
const TAG_CHARS = /^[A-Za-z0-9_.-]+$/;
const PATTERN_CHARS = /^[A-Za-z0-9_.\-*]+$/;

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Options for {@link parseLifecyclePolicy}. */
export interface LifecyclePolicyOptions {
  /** File name for error messages and `Rule.source`. */
  file?: string;
}

/** Result of validating a policy value that came from a larger document. */
export interface LifecyclePolicyValidation {
  rules: Rule[];
  issues: RuleIssue[];
}

/**
 * Parses a native ECR lifecycle policy (JSON text or an already-parsed object) with ECR's own
 * validation and returns its rules in priority order, ids `priority-<n>`.
 *
 * @example
 * parseLifecyclePolicy('{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}')
 * // [{ id: 'priority-1', condition: { type: 'sinceImagePushed', ms: 1209600000 }, ... }]
 * @throws RulesValidationError listing every problem, each naming the rule priority and field.
 */
export function parseLifecyclePolicy(input: string | object, options: LifecyclePolicyOptions = {}): Rule[] {
  let result: LifecyclePolicyValidation;
  if (typeof input === 'string') {
    const tooLong = lifecyclePolicyTooLong(input.length);
    if (tooLong) throw new RulesValidationError([{ ...(options.file !== undefined ? { file: options.file } : {}), path: '', message: tooLong }]);
    const source = parseJsonSourceDocument(input, options.file);
    if (source.isYamlNotJson) {
      throw new RulesValidationError([{ ...(options.file !== undefined ? { file: options.file } : {}), line: 1, column: 1, path: '', message: 'a lifecycle policy must be JSON (ECR rejects YAML syntax here)' }]);
    }
    if (source.syntaxIssues.length) throw new RulesValidationError(source.syntaxIssues);
    result = validateLifecyclePolicy(source.value, source, [], input.length);
  } else {
    // An object has no text, so issues carry the field path but no line or column.
    const positioned = parseSourceDocument(JSON.stringify(input) ?? 'null', options.file);
    const source: SourceDocument = {
      ...positioned,
      issue: (path, message, opts) => {
        const { line: _l, column: _c, ...rest } = positioned.issue(path, message, opts);
        return rest;
      },
    };
    result = validateLifecyclePolicy(input, source, [], undefined);
    result.rules = result.rules.map(({ source: _s, ...rule }) => (options.file !== undefined ? { ...rule, source: { file: options.file } } : rule));
  }
  if (result.issues.length) throw new RulesValidationError(sortIssues(result.issues));
  return result.rules;
}

/**
 * Validates a policy value located at `base` inside `source` and normalises it. Never throws;
 * `textLength` is checked against ECR's 100..30720 bounds when the policy was given as text.
 */
export function validateLifecyclePolicy(
  value: unknown,
  source: SourceDocument,
  base: IssuePath,
  textLength: number | undefined,
): LifecyclePolicyValidation {
  const issues: RuleIssue[] = [];
  const rawRules = isObj(value) && Array.isArray(value.rules) ? value.rules : [];
  const label = (i: number): string => {
    const r = rawRules[i];
    return isObj(r) && Number.isInteger(r.rulePriority) ? `rule priority ${String(r.rulePriority)}` : `rule #${i + 1}`;
  };
  const decorate = (path: IssuePath, message: string): string => {
    const i = path[base.length + 1];
    return path[base.length] === 'rules' && typeof i === 'number' ? `${label(i)}: ${message}` : message;
  };
  const add = (rel: IssuePath, message: string, key = false) => {
    const path = [...base, ...rel];
    issues.push(source.issue(path, decorate(path, message), { key }));
  };

  if (textLength !== undefined) {
    if (textLength < LIFECYCLE_POLICY_LIMITS.minTextLength) {
      add([], `lifecycle policy text is ${textLength} characters; ECR requires at least ${LIFECYCLE_POLICY_LIMITS.minTextLength}`);
    } else {
      const tooLong = lifecyclePolicyTooLong(textLength);
      if (tooLong) add([], tooLong);
    }
  } else {
    const length = JSON.stringify(value ?? null).length;
    if (length > LIFECYCLE_POLICY_LIMITS.maxTextLength) {
      add([], `lifecycle policy is ${length} characters as compact JSON; ECR allows at most ${LIFECYCLE_POLICY_LIMITS.maxTextLength}`);
    }
  }

  const parsed = nativeLifecyclePolicySchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push(...zodIssueToRuleIssues(issue, source, nativeLifecyclePolicySchema, base, value, decorate));
    }
  }

  rawRules.forEach((rule, i) => {
    if (isObj(rule)) checkRule(rule, (rel, message, key) => add(['rules', i, ...rel], message, key));
  });
  checkAcrossRules(rawRules, add);

  if (!parsed.success || issues.length) return { rules: [], issues };
  const rules = parsed.data.rules
    .map((rule, i) => toRule(rule, source.locate([...base, 'rules', i]), source.file))
    .sort((a, b) => (a.rulePriority ?? 0) - (b.rulePriority ?? 0));
  return { rules, issues };
}

type Add = (rel: IssuePath, message: string, key?: boolean) => void;

/** Checks one rule's field combinations (the zod schema has already checked each field's shape). */
function checkRule(rule: Raw, add: Add): void {
  const sel = isObj(rule.selection) ? rule.selection : undefined;
  const action = isObj(rule.action) ? rule.action : undefined;
  if (sel) {
    const hasPatterns = sel.tagPatternList !== undefined;
    const hasPrefixes = sel.tagPrefixList !== undefined;
    if (sel.tagStatus === 'tagged') {
      if (!hasPatterns && !hasPrefixes) add(['selection', 'tagStatus'], 'tagStatus "tagged" requires tagPatternList or tagPrefixList');
      if (hasPatterns && hasPrefixes) add(['selection', 'tagPrefixList'], 'give tagPatternList or tagPrefixList, not both', true);
    } else if (sel.tagStatus === 'untagged' || sel.tagStatus === 'any') {
      for (const list of ['tagPatternList', 'tagPrefixList'] as const) {
        if (sel[list] !== undefined) add(['selection', list], `tagStatus "${sel.tagStatus}" must omit ${list} (tag lists are only valid with "tagged")`, true);
      }
    }
    for (const list of ['tagPatternList', 'tagPrefixList'] as const) {
      const entries = sel[list];
      if (!Array.isArray(entries)) continue;
      if (entries.length === 0 && sel.tagStatus === 'tagged') add(['selection', list], `${list} must not be empty`);
      entries.forEach((entry, j) => {
        if (typeof entry !== 'string') return;
        const at = ['selection', list, j];
        if (entry.length === 0) add(at, `${list} entries must not be empty`);
        else if (list === 'tagPrefixList' && !TAG_CHARS.test(entry)) {
          add(at, `tagPrefixList entry ${JSON.stringify(entry)} is a plain prefix: letters, digits, "_", "." and "-" only (use tagPatternList for wildcards)`);
        } else if (list === 'tagPatternList' && !PATTERN_CHARS.test(entry)) {
          add(at, `tagPatternList entry ${JSON.stringify(entry)} may contain tag characters and "*" only`);
        } else if (list === 'tagPatternList' && countStars(entry) > LIFECYCLE_POLICY_LIMITS.maxStarsPerPattern) {
          add(at, `tagPatternList entry ${JSON.stringify(entry)} has ${countStars(entry)} wildcards; ECR allows at most ${LIFECYCLE_POLICY_LIMITS.maxStarsPerPattern}`);
        }
      });
    }
    const countType = sel.countType;
    const isSince = typeof countType === 'string' && countType.startsWith('since');
    if (countType === 'imageCountMoreThan' && sel.countUnit !== undefined) {
      add(['selection', 'countUnit'], 'countUnit is not allowed with countType "imageCountMoreThan"', true);
    }
    if (isSince && sel.countUnit === undefined) add(['selection'], `countType "${countType}" requires countUnit "days"`);
    if (sel.countUnit !== undefined && sel.countUnit !== 'days' && (isSince || countType === undefined)) {
      add(['selection', 'countUnit'], `countUnit must be "days", got ${JSON.stringify(sel.countUnit)}`);
    }
    const storage = sel.storageClass ?? 'standard';
    if (countType === 'sinceImageTransitioned' && sel.storageClass !== 'archive') {
      add(['selection', sel.storageClass === undefined ? 'countType' : 'storageClass'], 'countType "sinceImageTransitioned" requires storageClass "archive"');
    }
    if (storage === 'archive' && typeof countType === 'string' && countType !== 'sinceImageTransitioned' && COUNT_TYPES.includes(countType as never)) {
      add(['selection', 'storageClass'], `storageClass "archive" is only valid with countType "sinceImageTransitioned" (${countType} supports "standard" only)`);
    }
    if (countType === 'sinceImageTransitioned' && Number.isInteger(sel.countNumber) && (sel.countNumber as number) >= 1 && (sel.countNumber as number) < LIFECYCLE_POLICY_LIMITS.minArchiveDaysBeforeExpire) {
      add(['selection', 'countNumber'], archiveMinimumMessage(`${String(sel.countNumber)} days`));
    }
    if (action) {
      if (countType === 'sinceImagePulled' && action.type === 'expire') {
        add(['action', 'type'], 'countType "sinceImagePulled" must be used with action "transition" (archive first, then expire with sinceImageTransitioned)');
      }
      if (countType === 'sinceImageTransitioned' && action.type === 'transition') {
        add(['action', 'type'], 'countType "sinceImageTransitioned" must be used with action "expire"');
      }
    }
  }
  if (action) {
    if (action.type === 'transition' && action.targetStorageClass === undefined) {
      add(['action'], 'action "transition" requires targetStorageClass "archive"');
    }
    if (action.type === 'expire' && action.targetStorageClass !== undefined) {
      add(['action', 'targetStorageClass'], 'targetStorageClass is only valid with action "transition"', true);
    }
  }
}

function storageOf(rule: Raw): StorageClass {
  const sel = isObj(rule.selection) ? rule.selection : {};
  return sel.storageClass === 'archive' ? 'archive' : 'standard';
}

/** Checks that need all rules: unique priorities, `any` last, one untagged rule and unique tag lists per storage class. */
function checkAcrossRules(rawRules: unknown[], add: Add): void {
  const byPriority = new Map<number, number>();
  rawRules.forEach((rule, i) => {
    if (!isObj(rule) || !Number.isInteger(rule.rulePriority)) return;
    const p = rule.rulePriority as number;
    const first = byPriority.get(p);
    if (first !== undefined) add(['rules', i, 'rulePriority'], `rulePriority ${p} is already used by rule #${first + 1}; each rule needs a unique rulePriority`);
    else byPriority.set(p, i);
  });

  for (const storage of ['standard', 'archive'] as const) {
    const inClass = rawRules
      .map((rule, i) => ({ rule, i }))
      .filter((x): x is { rule: Raw; i: number } => isObj(x.rule) && Number.isInteger(x.rule.rulePriority) && isObj(x.rule.selection) && storageOf(x.rule) === storage);
    const highest = Math.max(...inClass.map((x) => x.rule.rulePriority as number));
    for (const { rule, i } of inClass) {
      const sel = rule.selection as Raw;
      if (sel.tagStatus === 'any' && (rule.rulePriority as number) !== highest) {
        add(['rules', i, 'rulePriority'], `a rule with tagStatus "any" must have the highest rulePriority of the ${storage} rules (highest is ${highest})`);
      }
    }
    const untagged = inClass.filter((x) => (x.rule.selection as Raw).tagStatus === 'untagged');
    for (const { i } of untagged.slice(1)) {
      add(['rules', i, 'selection', 'tagStatus'], `only one rule selecting ${storage} images may select untagged images (rule #${untagged[0]!.i + 1} already does)`);
    }
    const seen = new Map<string, number>();
    for (const { rule, i } of inClass) {
      const sel = rule.selection as Raw;
      if (sel.tagStatus !== 'tagged') continue;
      const list = Array.isArray(sel.tagPatternList) ? sel.tagPatternList : Array.isArray(sel.tagPrefixList) ? (sel.tagPrefixList as unknown[]).map((p) => `${String(p)}*`) : undefined;
      if (!list || list.length === 0) continue;
      const key = JSON.stringify([...new Set(list.map(String))].sort());
      const first = seen.get(key);
      if (first !== undefined) add(['rules', i, 'selection'], `the ${storage} rules must have unique tag lists; rule #${first + 1} already selects the same tags`);
      else seen.set(key, i);
    }
  }
}

function toRule(rule: NativeRule, pos: { line: number; column: number }, file: string | undefined): Rule {
  const sel = rule.selection;
  const tagPatterns = sel.tagPatternList ?? (sel.tagPrefixList ?? []).map((p) => `${p}*`);
  const days = sel.countNumber * DAY_MS;
  const condition: Condition =
    sel.countType === 'imageCountMoreThan'
      ? { type: 'imageCountMoreThan', count: sel.countNumber, orderBy: 'pushedAt' }
      : { type: sel.countType, ms: days };
  return {
    id: `priority-${rule.rulePriority}`,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    selection: {
      tagStatus: sel.tagStatus,
      tagPatterns,
      excludeTagPatterns: [],
      storageClass: sel.storageClass ?? 'standard',
    },
    condition,
    action: rule.action.type === 'transition' ? { type: 'transition', targetStorageClass: 'archive' } : { type: 'expire' },
    rulePriority: rule.rulePriority,
    source: { ...(file !== undefined ? { file } : {}), line: pos.line, column: pos.column },
  };
}

export {
  exportLifecyclePolicy,
  renderLifecyclePolicyYaml,
  ruleToYamlObject,
  type ExportedLifecyclePolicy,
  type NotExpressible,
  type RenderYamlOptions,
} from './lifecycle-policy-export.js';
