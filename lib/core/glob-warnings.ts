/**
 * "This glob matches nothing": a repository glob in the rules (a policy's include or exclude,
 * `protect.repositories`) or the run's repository filter that matches no repository of the
 * registry is almost always a typo or a `*` that was meant to be `**`. Such a glob governs or
 * protects nothing, silently, so the plan carries a warning that names it and the nearest names.
 */
import { editDistance } from './edit-distance.js';
import type { PlanWarning } from './plan-model.js';
import { checkRepositoryGlob } from './repository-glob.js';
import { firstMatchingGlob } from './repository-match.js';
import type { RuleSet } from './rules-model.js';

/** Warning codes this module produces. */
export const GLOB_WARNING_CODES = {
  policy: 'policy-glob-matches-nothing',
  protect: 'protect-glob-matches-nothing',
  filter: 'repository-filter-matches-nothing',
} as const;

/** What {@link globWarnings} looks at. */
export interface GlobWarningInput {
  ruleSet: Pick<RuleSet, 'policies' | 'protect'>;
  /** The run's repository filter (`--repository`, the event's `repositories`), if any. */
  repositoryFilter?: string;
  /** How messages name the filter; default `the repository filter`. */
  repositoryFilterLabel?: string;
  /** Every repository of the registry (before the filter). Order and duplicates do not matter. */
  repositoryNames: readonly string[];
}

/** A glob that matches no repository, with what may have been meant. */
export interface GlobMiss {
  code: (typeof GLOB_WARNING_CODES)[keyof typeof GLOB_WARNING_CODES];
  /** Where the glob was written, e.g. `policy 'services' include`. */
  where: string;
  glob: string;
  /** How many repositories were looked at. */
  repositories: number;
  /**
   * A wider glob that would match, how many repositories it matches and the first few (sorted):
   * `star` when the glob has a `*` that stops at `/` and the same glob with `**` matches;
   * `namespace` when the glob names a prefix of repository names (`team-a` for `team-a/**`).
   */
  wider?: { why: 'star' | 'namespace'; glob: string; count: number; examples: string[] };
  /** The closest repository names by edit distance (glob-aware), nearest first; at most {@link MAX_NEAREST}. */
  nearest: string[];
}

/** How many names a warning suggests. */
export const MAX_NEAREST = 3;

/**
 * Every glob of the rules and the repository filter that matches none of `repositoryNames`, in
 * rules order (policies in order, include, exclude and the policy's own protect.repositories,
 * then protect, then the filter).
 *
 * @example
 * findGlobMisses({ ruleSet, repositoryFilter: 'gen/*', repositoryNames: ['gen/a/b'] })
 * // [{ code: 'repository-filter-matches-nothing', glob: 'gen/*', wider: { glob: 'gen/**', count: 1, ... }, ... }]
 */
export function findGlobMisses(input: GlobWarningInput): GlobMiss[] {
  const names = [...new Set(input.repositoryNames)].sort();
  const misses: GlobMiss[] = [];
  const check = (code: GlobMiss['code'], where: string, glob: string): void => {
    if (names.some((n) => firstMatchingGlob(n, [glob]) !== undefined)) return;
    misses.push(describeMiss(code, where, glob, names));
  };
  for (const policy of input.ruleSet.policies) {
    for (const glob of policy.repositories.include) check(GLOB_WARNING_CODES.policy, `policy '${policy.name}' include`, glob);
    for (const glob of policy.repositories.exclude) check(GLOB_WARNING_CODES.policy, `policy '${policy.name}' exclude`, glob);
    for (const glob of policy.settings?.protect?.repositories ?? []) {
      check(GLOB_WARNING_CODES.protect, `policy '${policy.name}' protect.repositories`, glob);
    }
  }
  for (const glob of input.ruleSet.protect.repositories) check(GLOB_WARNING_CODES.protect, 'protect.repositories', glob);
  if (input.repositoryFilter !== undefined) {
    check(GLOB_WARNING_CODES.filter, input.repositoryFilterLabel ?? 'the repository filter', input.repositoryFilter);
  }
  return misses;
}

/**
 * {@link findGlobMisses} as plan warnings, one sentence each.
 *
 * @example
 * globWarnings({ ruleSet, repositoryFilter: 'gen/*', repositoryFilterLabel: '--repository', repositoryNames })
 * // [{ code: 'repository-filter-matches-nothing',
 * //    message: "--repository 'gen/*' matches none of the 36 repositories: '*' does not cross '/'; 'gen/**' would match 4 (gen/a/b, ...)" }]
 */
export function globWarnings(input: GlobWarningInput): PlanWarning[] {
  return findGlobMisses(input).map((miss) => ({ code: miss.code, message: globMissMessage(miss) }));
}

/** The sentence for one miss. */
export function globMissMessage(miss: GlobMiss): string {
  const head = `${miss.where} '${miss.glob}' matches none of the ${miss.repositories} repositor${miss.repositories === 1 ? 'y' : 'ies'}`;
  if (miss.wider) {
    const more = miss.wider.count > miss.wider.examples.length ? ', ...' : '';
    const why = miss.wider.why === 'star' ? "'*' does not cross '/' (use '**' for that)" : 'it is a prefix of repository names, not a repository';
    return `${head}: ${why}; '${miss.wider.glob}' would match ${miss.wider.count} (${miss.wider.examples.join(', ')}${more})`;
  }
  if (miss.nearest.length > 0) return `${head}; nearest: ${miss.nearest.join(', ')}`;
  return miss.repositories === 0 ? `${head} (the registry has none)` : `${head}, and no repository name is close to it`;
}

function describeMiss(code: GlobMiss['code'], where: string, glob: string, names: readonly string[]): GlobMiss {
  const miss: GlobMiss = { code, where, glob, repositories: names.length, nearest: [] };
  const candidates: [NonNullable<GlobMiss['wider']>['why'], string | undefined][] = [
    ['star', widerGlob(glob)],
    ['namespace', glob.endsWith('**') ? undefined : `${glob.replace(/\/+$/, '')}/**`],
  ];
  for (const [why, wide] of candidates) {
    if (wide === undefined || checkRepositoryGlob(wide) !== null) continue;
    const matching = names.filter((n) => firstMatchingGlob(n, [wide]) !== undefined);
    if (matching.length > 0) {
      miss.wider = { why, glob: wide, count: matching.length, examples: matching.slice(0, MAX_NEAREST) };
      return miss;
    }
  }
  miss.nearest = nearestNames(glob, names);
  return miss;
}

/**
 * The glob with every `*` that stops at `/` made to cross it: a segment that is `*` becomes `**`,
 * a segment with a `*` among other characters gets `**` before it (`gen/*-svc` → `gen/**\/*-svc`).
 * Undefined when the glob has no such `*`.
 */
export function widerGlob(glob: string): string | undefined {
  const segments = glob.split('/');
  let changed = false;
  const out = segments.map((segment) => {
    if (segment === '*') {
      changed = true;
      return '**';
    }
    if (hasSingleStar(segment)) {
      changed = true;
      return `**/${segment}`;
    }
    return segment;
  });
  return changed ? out.join('/') : undefined;
}

function hasSingleStar(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === '\\') i++;
    else if (segment[i] === '*') {
      if (segment[i + 1] === '*') i++;
      else return true;
    }
  }
  return false;
}

/**
 * Names within reach of the glob: distance at most max(2, a third of its literal characters),
 * nearest first, then by name.
 */
function nearestNames(glob: string, names: readonly string[]): string[] {
  const tokens = tokenize(glob);
  const literal = tokens.filter((t) => typeof t === 'string').length;
  const limit = Math.max(2, Math.floor(literal / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of names) {
    const distance = globDistance(tokens, name);
    if (distance <= limit) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, MAX_NEAREST).map((s) => s.name);
}

/** A glob as a sequence: literal characters, `?` (one character but `/`), `*` (a run without `/`), `**` (any run). */
type Token = string | typeof ONE | typeof STAR | typeof GLOBSTAR;
const ONE = Symbol('?');
const STAR = Symbol('*');
const GLOBSTAR = Symbol('**');

function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) tokens.push(glob[++i]!);
    else if (c === '?') tokens.push(ONE);
    else if (c === '*' && glob[i + 1] === '*') {
      tokens.push(GLOBSTAR);
      i++;
      // `**/` also matches nothing at all (`a/**/b` matches `a/b`): the slash goes with the globstar.
      while (glob[i + 1] === '*') i++;
      if (glob[i + 1] === '/') i++;
      // So does a trailing `/**` (`a/**` and `a/**/**` match `a`): the slash before its globstars goes with them too.
      else if (i + 1 === glob.length) {
        let k = tokens.length - 2;
        while (k >= 0 && tokens[k] === GLOBSTAR) k--;
        if (k >= 0 && tokens[k] === '/') tokens.splice(k, 1);
      }
    } else if (c === '*') tokens.push(STAR);
    // Classes, braces and extglobs count as their literal characters: close enough for a suggestion.
    else tokens.push(c);
  }
  return tokens;
}

/**
 * How many single-character edits of `name` it takes for the glob to match it (case-insensitive):
 * wildcards match what they can for free. For a glob without wildcards this is the edit distance.
 */
export function globEditDistance(glob: string, name: string): number {
  const tokens = tokenize(glob);
  return tokens.every((t) => typeof t === 'string') ? editDistance(glob.replace(/\\(.)/g, '$1'), name) : globDistance(tokens, name);
}

function globDistance(tokens: readonly Token[], name: string): number {
  const lower = name.toLowerCase();
  // prev[j]: cost of the tokens so far against the first j characters of the name.
  let prev = Array.from({ length: lower.length + 1 }, (_, j) => j);
  for (const token of tokens) {
    const cur = new Array<number>(lower.length + 1);
    const wildRun = token === STAR || token === GLOBSTAR;
    cur[0] = wildRun ? prev[0]! : prev[0]! + 1;
    for (let j = 1; j <= lower.length; j++) {
      const c = lower[j - 1]!;
      if (wildRun) {
        // Match nothing, or take one more character (free unless a `*` meets a `/`).
        cur[j] = Math.min(prev[j]!, cur[j - 1]! + (token === STAR && c === '/' ? 1 : 0));
      } else {
        const same = token === ONE ? c !== '/' : (token as string).toLowerCase() === c;
        cur[j] = Math.min(prev[j - 1]! + (same ? 0 : 1), prev[j]! + 1, cur[j - 1]! + 1);
      }
    }
    prev = cur;
  }
  return prev[lower.length]!;
}
