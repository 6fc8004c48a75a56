/**
 * The way back from ecr-sweeper rules to native ECR lifecycle policies, and from native policies
 * to YAML rules text. Export never weakens silently: every rule (or part of one) the native
 * format cannot express is left out and named, with the reason.
 */
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { ruleConditions, type Policy, type Rule } from './rules-model.js';
import { DAY_MS, formatDuration } from './duration.js';
import { formatSize } from './size.js';
import { countStars, isRegexPattern } from './rules-pattern.js';
import { LIFECYCLE_POLICY_LIMITS, validateLifecyclePolicy, type NativeLifecyclePolicy, type NativeRule } from './lifecycle-policy.js';
import { parseSourceDocument } from './rules-source.js';

/** Something of a rules policy that the native lifecycle policy could not carry. */
export interface NotExpressible {
  ruleId: string;
  reason: string;
}

/** Result of {@link exportLifecyclePolicy}. */
export interface ExportedLifecyclePolicy {
  /** The native policy object (only the expressible rules). */
  policy: NativeLifecyclePolicy;
  /** The same, as the JSON text PutLifecyclePolicy takes (2-space indented). */
  text: string;
  /** Every rule left out, or problem ECR would raise with what is left, and why. */
  notExpressible: NotExpressible[];
}

const IMPORTED_ID = /^priority-\d+$/;

/** Why a rule cannot be written natively; empty when it can. */
function inexpressibleParts(rule: Rule): string[] {
  const out: string[] = [];
  const { selection: sel, condition: cond, action } = rule;
  for (const p of sel.tagPatterns) {
    if (isRegexPattern(p)) out.push(`tag pattern ${p} is a regular expression (native patterns are globs with * only)`);
    else if (p.includes('?')) out.push(`tag pattern "${p}" uses "?" (native patterns support * only)`);
    else if (countStars(p) > LIFECYCLE_POLICY_LIMITS.maxStarsPerPattern) {
      out.push(`tag pattern "${p}" has ${countStars(p)} wildcards (native allows at most ${LIFECYCLE_POLICY_LIMITS.maxStarsPerPattern})`);
    }
  }
  if (sel.excludeTagPatterns.length) out.push(`excludeTagPatterns (${sel.excludeTagPatterns.join(', ')}) have no native equivalent`);
  const conditions = ruleConditions(rule);
  if (conditions.length > 1) {
    // Dropping either condition would expire more than the rule does, so the whole rule stays out.
    out.push(`its ${conditions.length} conditions (${conditions.map((c) => c.type).join(' and ')}) must all hold; a native rule has exactly one countType, so ECR cannot express a compound rule`);
    return out;
  }
  switch (cond.type) {
    case 'imageCountMoreThan':
      if (cond.orderBy === 'semver') out.push('orderBy: semver has no native equivalent (ECR always ranks by push time)');
      break;
    case 'sizeLargerThan':
      out.push(`sizeLargerThan ${formatSize(cond.bytes)} has no native equivalent (ECR has no size rules)`);
      break;
    case 'totalSizeMoreThan':
      out.push(`totalSizeMoreThan ${formatSize(cond.bytes)} has no native equivalent (ECR has no size rules)`);
      break;
    default:
      if (cond.ms % DAY_MS !== 0) out.push(`${cond.type} ${formatDuration(cond.ms)} is not a whole number of days (native countUnit is days)`);
      if (cond.type === 'sinceImagePulled' && action.type === 'expire') {
        out.push('sinceImagePulled with action expire: ECR only archives on pull time (transition, then expire with sinceImageTransitioned)');
      }
  }
  if (sel.storageClass === 'archive' && cond.type !== 'sinceImageTransitioned') {
    out.push(`storageClass archive with ${cond.type} (native archive rules only take sinceImageTransitioned)`);
  }
  return out;
}

function toNativeRule(rule: Rule, rulePriority: number): NativeRule {
  const { selection: sel, condition: cond } = rule;
  const description = IMPORTED_ID.test(rule.id)
    ? rule.description
    : rule.description !== undefined
      ? `${rule.id}: ${rule.description}`
      : rule.id;
  const count =
    cond.type === 'imageCountMoreThan'
      ? { countType: cond.type, countNumber: cond.count }
      : cond.type === 'sizeLargerThan' || cond.type === 'totalSizeMoreThan'
        ? undefined
        : { countType: cond.type, countUnit: 'days', countNumber: cond.ms / DAY_MS };
  if (!count) throw new Error(`rule ${rule.id} is not expressible`); // filtered out by the caller
  return {
    rulePriority,
    ...(description !== undefined ? { description } : {}),
    selection: {
      tagStatus: sel.tagStatus,
      ...(sel.tagStatus === 'tagged' ? { tagPatternList: [...sel.tagPatterns] } : {}),
      ...(sel.storageClass === 'archive' ? { storageClass: 'archive' as const } : {}),
      ...count,
    },
    action: rule.action.type === 'transition' ? { type: 'transition', targetStorageClass: 'archive' } : { type: 'expire' },
  };
}

/**
 * Exports a policy's rules as a native ECR lifecycle policy. Priorities are the rules' own
 * `rulePriority` when every rule has one (imported policies keep their numbers), else 1, 2, 3...
 * in list order. Rules that cannot be expressed are left out and listed in `notExpressible`;
 * so are problems ECR would reject in what remains. Settings (run-wide or the policy's own:
 * minAge, protect, limits, mode) are not part of a native policy; callers report those.
 *
 * @example
 * const { text, notExpressible } = exportLifecyclePolicy(ruleSet.policies[0]);
 */
export function exportLifecyclePolicy(policy: Policy): ExportedLifecyclePolicy {
  const keepNumbers =
    policy.rules.every((r) => r.rulePriority !== undefined) &&
    policy.rules.every((r, i) => i === 0 || (r.rulePriority ?? 0) > (policy.rules[i - 1]?.rulePriority ?? 0));
  const notExpressible: NotExpressible[] = [];
  const rules: NativeRule[] = [];
  const ruleIds: string[] = [];
  policy.rules.forEach((rule, i) => {
    const parts = inexpressibleParts(rule);
    if (parts.length) {
      const lower = i < policy.rules.length - 1;
      const consequence = lower
        ? 'left out of the native policy; lower-priority rules there may expire images this rule\'s selection would have protected'
        : 'left out of the native policy';
      notExpressible.push({ ruleId: rule.id, reason: `${parts.join('; ')}; ${consequence}` });
      return;
    }
    rules.push(toNativeRule(rule, keepNumbers ? (rule.rulePriority as number) : i + 1));
    ruleIds.push(rule.id);
  });
  const native: NativeLifecyclePolicy = { rules };
  const text = JSON.stringify(native, null, 2);

  // What remains must pass ECR's own validation; say what it would reject, per rule.
  const check = validateLifecyclePolicy(native, parseSourceDocument(text), [], text.length);
  for (const issue of check.issues) {
    const m = /^rules\[(\d+)\]/.exec(issue.path);
    const ruleId = m ? (ruleIds[Number(m[1])] ?? policy.name) : policy.name;
    notExpressible.push({ ruleId, reason: `ECR would reject the exported policy: ${issue.message.replace(/^rule priority \d+: /, '')}` });
  }
  return { policy: native, text, notExpressible };
}

/** Options for {@link renderLifecyclePolicyYaml}. */
export interface RenderYamlOptions {
  /** The repository the policy came from; becomes the policy name and its include glob. */
  repositoryName?: string;
  /** Where the policy came from, for the header comment. */
  source?: string;
}

/** One rule as the YAML rules format writes it. */
export function ruleToYamlObject(rule: Rule): Record<string, unknown> {
  const { selection: sel } = rule;
  const select: Record<string, unknown> = { tagStatus: sel.tagStatus };
  if (sel.tagPatterns.length) select.tagPatterns = [...sel.tagPatterns];
  if (sel.excludeTagPatterns.length) select.excludeTagPatterns = [...sel.excludeTagPatterns];
  if (sel.storageClass !== 'standard') select.storageClass = sel.storageClass;
  const when: Record<string, unknown> = {};
  for (const cond of ruleConditions(rule)) {
    switch (cond.type) {
      case 'imageCountMoreThan':
        when.imageCountMoreThan = cond.count;
        if (cond.orderBy !== 'pushedAt') when.orderBy = cond.orderBy;
        break;
      case 'sizeLargerThan':
      case 'totalSizeMoreThan':
        when[cond.type] = formatSize(cond.bytes);
        break;
      default:
        when[cond.type] = formatDuration(cond.ms);
    }
  }
  return {
    id: rule.id,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    select,
    when,
    ...(rule.action.type === 'transition' ? { action: 'transition' } : {}),
  };
}

/**
 * Renders imported native rules as a complete, commented ecr-sweeper rules file (for the CLI's
 * `import-policy`). The result parses back to the same rules, in dry-run mode.
 *
 * @example renderLifecyclePolicyYaml(parseLifecyclePolicy(text), { repositoryName: 'app' })
 */
export function renderLifecyclePolicyYaml(rules: readonly Rule[], options: RenderYamlOptions = {}): string {
  const include = options.repositoryName ?? 'CHANGE-ME/**';
  const doc = new Document({
    version: 1,
    defaults: { mode: 'dry-run', minAge: '0s' },
    policies: [
      {
        name: options.repositoryName ?? 'imported',
        repositories: { include: [include] },
        rules: rules.map(ruleToYamlObject),
      },
    ],
  });
  doc.commentBefore = [
    ` ecr-sweeper rules imported from ${options.source ?? 'a native ECR lifecycle policy'}.`,
    ' Same rules, same priority order (first = highest), evaluated the way ECR evaluates them.',
    ' minAge 0s reproduces native behaviour; consider a grace period (e.g. 3d) and a protect list.',
    ' Unlike the native policy, images in use (ECS, Lambda by default) are kept: see inUse in the docs.',
    ' Docs: docs/rules.md',
  ].join('\n');
  const top = doc.contents as YAMLMap;
  const policies = top.get('policies', true);
  if (isSeq(policies)) {
    const policy = policies.items[0];
    if (isMap(policy)) {
      if (options.repositoryName === undefined) {
        const repos = policy.get('repositories', true);
        if (isMap(repos)) repos.commentBefore = ' CHANGE-ME: which repositories this policy governs (globs, ** spans "/")';
      }
      const ruleNodes = policy.get('rules', true);
      if (isSeq(ruleNodes)) {
        ruleNodes.items.forEach((node, i) => {
          const rule = rules[i];
          if (rule?.rulePriority !== undefined && isMap(node)) node.commentBefore = ` native rulePriority ${rule.rulePriority}`;
        });
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}
