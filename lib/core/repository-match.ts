/**
 * Which policy governs a repository, and whether it is protected. Repository patterns are globs
 * (`repository-glob.ts`): `*` stops at `/`, `**` crosses it (`team/*` matches `team/app`, `*`
 * does not), matched in time linear in the name; resource tags match exactly (`{ team: data }`
 * selects repositories tagged team=data).
 */
import { compileRepositoryGlob } from './repository-glob.js';
import type { Policy, RepositoryTags, RuleSet } from './rules-model.js';

/** The policy that governs a repository, as {@link selectPolicy} decides it. */
export interface PolicySelection {
  /** The first policy whose selector matches; null when none does (or, with `needsTags`, none can be named yet). */
  policy: Policy | null;
  /** True when the repository matches `protect.repositories`: nothing in it is ever deleted. */
  protected: boolean;
  /** Why, in words: which pattern protected it, which policy governs it, or that none does. */
  reason: string;
  /**
   * True when the decision depends on the repository's resource tags and none were given: a policy
   * that selects by tag matches its name and comes before any policy that matches without tags.
   * `policy` is then null; read the tags and ask again. Never set for a protected repository.
   */
  needsTags?: true;
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
 * Whether a repository has every tag of `wanted`, each with exactly that value (keys and values
 * are compared as written: case-sensitive, no wildcards, as ECR stores them).
 */
export function hasAllTags(tags: RepositoryTags, wanted: RepositoryTags): boolean {
  for (const [key, value] of Object.entries(wanted)) {
    if (!Object.hasOwn(tags, key) || tags[key] !== value) return false;
  }
  return true;
}

/** `team=data, env=prod`: a tag selector as plans and messages show it. */
export function formatTags(tags: RepositoryTags): string {
  return Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** True when some policy of the rule set selects repositories by resource tag. */
export function usesRepositoryTags(ruleSet: Pick<RuleSet, 'policies'>): boolean {
  return ruleSet.policies.some((p) => p.repositories.tags !== undefined);
}

/**
 * Decides how a repository is governed. `protect.repositories` (run-wide, then the governing
 * policy's own) wins over the policy's rules; the governing policy is still reported so plans
 * can show it.
 * Policies are tried in order; a policy matches when the name matches its include (or it has no
 * include), does not match its exclude, and the repository has all of its tags. Pure: the
 * repository's resource tags come from the caller; without them a tag-selected policy that could
 * govern the repository leaves the decision open (`needsTags`).
 *
 * @example selectPolicy('team/app', ruleSet) // { policy: <first matching>, protected: false, reason: "governed by policy 'apps' (include 'team/*')" }
 * @example selectPolicy('etl', ruleSet, { team: 'data' }) // { policy: <'data'>, protected: false, reason: "governed by policy 'data' (tags team=data)" }
 */
export function selectPolicy(repositoryName: string, ruleSet: RuleSet, repositoryTags?: RepositoryTags): PolicySelection {
  let policy: Policy | null = null;
  let why = '';
  let openOn: Policy | undefined;
  for (const candidate of ruleSet.policies) {
    const { include, exclude, tags } = candidate.repositories;
    const inc = include.length === 0 ? undefined : firstMatchingGlob(repositoryName, include);
    const nameMatches = include.length === 0 ? tags !== undefined : inc !== undefined;
    if (!nameMatches || firstMatchingGlob(repositoryName, exclude) !== undefined) continue;
    if (tags !== undefined) {
      if (repositoryTags === undefined) {
        openOn = candidate;
        break;
      }
      if (!hasAllTags(repositoryTags, tags)) continue;
    }
    policy = candidate;
    why = [inc !== undefined ? `include '${inc}'` : '', tags !== undefined ? `tags ${formatTags(tags)}` : ''].filter(Boolean).join(', ');
    break;
  }
  const protectedBy = firstMatchingGlob(repositoryName, ruleSet.protect.repositories);
  if (protectedBy !== undefined) {
    return { policy, protected: true, reason: `repository matches protect.repositories '${protectedBy}'` };
  }
  if (openOn) {
    return {
      policy: null,
      protected: false,
      reason: `its resource tags were not read, and policy '${openOn.name}' selects by tags ${formatTags(openOn.repositories.tags ?? {})}`,
      needsTags: true,
    };
  }
  const policyProtectedBy = policy ? firstMatchingGlob(repositoryName, policy.settings?.protect?.repositories ?? []) : undefined;
  if (policy && policyProtectedBy !== undefined) {
    return { policy, protected: true, reason: `repository matches protect.repositories '${policyProtectedBy}' of policy '${policy.name}'` };
  }
  if (policy) return { policy, protected: false, reason: `governed by policy '${policy.name}' (${why})` };
  return { policy: null, protected: false, reason: 'no policy matches this repository' };
}
