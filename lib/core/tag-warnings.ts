/**
 * "This tag selector matches nothing": a policy that selects repositories by resource tag and
 * governs none of the repositories whose tags were read is most likely a misspelt key or value
 * (`team: Data` for `team=data`), since tags match exactly. Such a policy governs nothing,
 * silently, so the plan carries a warning that names it.
 */
import type { PlanWarning } from './plan-model.js';
import { formatTags } from './repository-match.js';
import type { RuleSet } from './rules-model.js';

/** The warning code this module produces. */
export const TAG_WARNING_CODE = 'policy-tags-match-nothing';

/** What {@link tagSelectorWarnings} looks at. */
export interface TagWarningInput {
  ruleSet: Pick<RuleSet, 'policies'>;
  /** Names of the policies that govern at least one repository of the run. */
  governingPolicies: ReadonlySet<string>;
  /** Repositories whose tags were read. */
  tagsRead: number;
  /** Tag reads that failed: then a policy may match a repository whose tags are unknown, so no warning. */
  tagReadFailures: number;
}

/**
 * One warning per tag-selecting policy that governs no repository, when every tag read succeeded.
 *
 * @example
 * tagSelectorWarnings({ ruleSet, governingPolicies: new Set(), tagsRead: 12, tagReadFailures: 0 })
 * // [{ code: 'policy-tags-match-nothing', message: "policy 'data' selects repositories tagged team=data, ..." }]
 */
export function tagSelectorWarnings(input: TagWarningInput): PlanWarning[] {
  if (input.tagReadFailures > 0) return [];
  const warnings: PlanWarning[] = [];
  for (const policy of input.ruleSet.policies) {
    const tags = policy.repositories.tags;
    if (tags === undefined || input.governingPolicies.has(policy.name)) continue;
    const read = `${input.tagsRead} ${input.tagsRead === 1 ? 'repository' : 'repositories'}`;
    warnings.push({
      code: TAG_WARNING_CODE,
      message: `policy '${policy.name}' selects repositories tagged ${formatTags(tags)}, and none of the ${read} whose tags were read has them all (tags match exactly, case-sensitive), so it governs nothing`,
    });
  }
  return warnings;
}
