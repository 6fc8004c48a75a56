/**
 * Which policy governs a repository, and whether it is protected. Repository patterns are globs
 * (`repository-glob.ts`): `*` stops at `/`, `**` crosses it (`team/*` matches `team/app`, `*`
 * does not), matched in time linear in the name.
 */
import { compileRepositoryGlob } from './repository-glob.js';
import type { Policy, RuleSet } from './rules-model.js';

/** The policy that governs a repository, as {@link selectPolicy} decides it. */
export interface PolicySelection {
  /** The first policy whose include matches and whose exclude does not; null when none does. */
  policy: Policy | null;
  /** True when the repository matches `protect.repositories`: nothing in it is ever deleted. */
  protected: boolean;
  /** Why, in words: which pattern protected it, which policy governs it, or that none does. */
  reason: string;
}

/**
 * The first of `patterns` that matches the repository name, or undefined.
 *
 * @throws RepositoryGlobError for a glob outside the supported syntax (the loader refuses those first).
 */
export function firstMatchingGlob(repositoryName: string, patterns: readonly string[]): string | undefined {
  return patterns.find((p) => compileRepositoryGlob(p)(repositoryName));
}

/**
 * Decides how a repository is governed. `protect.repositories` (run-wide, then the governing
 * policy's own) wins over the policy's rules; the governing policy is still reported so plans
 * can show it.
 *
 * @example selectPolicy('team/app', ruleSet) // { policy: <first matching>, protected: false, reason: "governed by policy 'apps' (include 'team/*')" }
 */
export function selectPolicy(repositoryName: string, ruleSet: RuleSet): PolicySelection {
  let policy: Policy | null = null;
  let include: string | undefined;
  for (const candidate of ruleSet.policies) {
    const inc = firstMatchingGlob(repositoryName, candidate.repositories.include);
    if (inc !== undefined && firstMatchingGlob(repositoryName, candidate.repositories.exclude) === undefined) {
      policy = candidate;
      include = inc;
      break;
    }
  }
  const protectedBy = firstMatchingGlob(repositoryName, ruleSet.protect.repositories);
  if (protectedBy !== undefined) {
    return { policy, protected: true, reason: `repository matches protect.repositories '${protectedBy}'` };
  }
  const policyProtectedBy = policy ? firstMatchingGlob(repositoryName, policy.settings?.protect?.repositories ?? []) : undefined;
  if (policy && policyProtectedBy !== undefined) {
    return { policy, protected: true, reason: `repository matches protect.repositories '${policyProtectedBy}' of policy '${policy.name}'` };
  }
  if (policy) return { policy, protected: false, reason: `governed by policy '${policy.name}' (include '${include}')` };
  return { policy: null, protected: false, reason: 'no policy matches this repository' };
}
