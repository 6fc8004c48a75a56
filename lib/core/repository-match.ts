/**
 * Which policy governs a repository, and whether it is protected. Repository patterns are
 * picomatch globs: `*` stops at `/`, `**` crosses it (`team/*` matches `team/app`, `*` does not).
 */
import picomatch from 'picomatch';
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

// Globs are compiled once per distinct text (rule sets hold a handful).
const compiled = new Map<string, (name: string) => boolean>();

function glob(pattern: string): (name: string) => boolean {
  let m = compiled.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    compiled.set(pattern, m);
  }
  return m;
}

/** The first of `patterns` that matches the repository name, or undefined. */
export function firstMatchingGlob(repositoryName: string, patterns: readonly string[]): string | undefined {
  return patterns.find((p) => glob(p)(repositoryName));
}

/**
 * Decides how a repository is governed. `protect.repositories` is checked first because
 * protection beats every policy; the governing policy is still reported so plans can show it.
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
  if (policy) return { policy, protected: false, reason: `governed by policy '${policy.name}' (include '${include}')` };
  return { policy: null, protected: false, reason: 'no policy matches this repository' };
}
