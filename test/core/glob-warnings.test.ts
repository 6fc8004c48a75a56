/**
 * Globs that match no repository: which ones are reported, with which hint, and the properties
 * that hold for any registry and any glob.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { editDistance } from '../../lib/core/edit-distance.js';
import { findGlobMisses, globEditDistance, globWarnings, MAX_NEAREST, widerGlob, type GlobWarningInput } from '../../lib/core/glob-warnings.js';
import type { Policy } from '../../lib/core/rules-model.js';
import { ruleSet } from '../planner/builders.js';

const REGISTRY = ['gen/a/api', 'gen/a/worker', 'gen/b/api', 'team-a/api', 'team-a/app', 'team-b/api', 'legacy/old'];

function pol(name: string, include: string[], exclude: string[] = []): Policy {
  return { name, repositories: { include, exclude }, rules: [], origin: 'rules' };
}

function input(policies: Policy[], extra: Partial<GlobWarningInput> = {}): GlobWarningInput {
  return { ruleSet: ruleSet([], { policies }), repositoryNames: REGISTRY, ...extra };
}

describe('globWarnings', () => {
  it.each<[string, GlobWarningInput, { code: string; message: string }[]]>([
    ['every glob matches: no warning', input([pol('all', ['**'], ['legacy/*'])], { repositoryFilter: 'team-*/**' }), []],
    [
      "'gen/*' stops at '/': the '**' hint with the repositories it would match",
      input([pol('gen', ['gen/*'])]),
      [
        {
          code: 'policy-glob-matches-nothing',
          message:
            "policy 'gen' include 'gen/*' matches none of the 7 repositories: '*' does not cross '/' (use '**' for that); 'gen/**' would match 3 (gen/a/api, gen/a/worker, gen/b/api)",
        },
      ],
    ],
    [
      'a typo: the nearest names, nearest first',
      input([pol('teams', ['team-a/ap'])]),
      [{ code: 'policy-glob-matches-nothing', message: "policy 'teams' include 'team-a/ap' matches none of the 7 repositories; nearest: team-a/api, team-a/app, team-b/api" }],
    ],
    [
      'a wildcard typo is measured with the wildcard matching for free',
      input([pol('teams', ['taem-b/*'])]),
      [{ code: 'policy-glob-matches-nothing', message: "policy 'teams' include 'taem-b/*' matches none of the 7 repositories; nearest: team-b/api" }],
    ],
    [
      'nothing close: said so',
      input([pol('x', ['payments/**'])]),
      [{ code: 'policy-glob-matches-nothing', message: "policy 'x' include 'payments/**' matches none of the 7 repositories, and no repository name is close to it" }],
    ],
    [
      'an exclude, protect.repositories and the filter are checked too, in that order, with their own codes',
      {
        ruleSet: ruleSet([], { policies: [pol('all', ['**'], ['legacy/olt'])], protectRepos: ['team-c/api'] }),
        repositoryFilter: 'gen/*/apj',
        repositoryFilterLabel: '--repository',
        repositoryNames: REGISTRY,
      },
      [
        { code: 'policy-glob-matches-nothing', message: "policy 'all' exclude 'legacy/olt' matches none of the 7 repositories; nearest: legacy/old" },
        { code: 'protect-glob-matches-nothing', message: "protect.repositories 'team-c/api' matches none of the 7 repositories; nearest: team-a/api, team-b/api, team-a/app" },
        // '**' would match nothing more here, so the nearest names are the hint.
        { code: 'repository-filter-matches-nothing', message: "--repository 'gen/*/apj' matches none of the 7 repositories; nearest: gen/a/api, gen/b/api" },
      ],
    ],
    [
      "a namespace instead of a glob: the '/**' glob that would match",
      input([pol('gen', ['gen/a', 'team-a/'])]),
      [
        {
          code: 'policy-glob-matches-nothing',
          message: "policy 'gen' include 'gen/a' matches none of the 7 repositories: it is a prefix of repository names, not a repository; 'gen/a/**' would match 2 (gen/a/api, gen/a/worker)",
        },
        {
          code: 'policy-glob-matches-nothing',
          message: "policy 'gen' include 'team-a/' matches none of the 7 repositories: it is a prefix of repository names, not a repository; 'team-a/**' would match 2 (team-a/api, team-a/app)",
        },
      ],
    ],
    [
      'an empty registry',
      { ruleSet: ruleSet([], { policies: [pol('all', ['**'])] }), repositoryNames: [], repositoryFilter: 'x' },
      [
        { code: 'policy-glob-matches-nothing', message: "policy 'all' include '**' matches none of the 0 repositories (the registry has none)" },
        { code: 'repository-filter-matches-nothing', message: "the repository filter 'x' matches none of the 0 repositories (the registry has none)" },
      ],
    ],
    [
      'a filter with many wider matches lists the first three and says there are more',
      input([pol('all', ['**'])], { repositoryFilter: '*', repositoryFilterLabel: '--repository' }),
      [
        {
          code: 'repository-filter-matches-nothing',
          message: "--repository '*' matches none of the 7 repositories: '*' does not cross '/' (use '**' for that); '**' would match 7 (gen/a/api, gen/a/worker, gen/b/api, ...)",
        },
      ],
    ],
  ])('%s', (_, given, expected) => {
    expect(globWarnings(given)).toEqual(expected);
  });

  it("suggests '**' for a '*' inside a segment too", () => {
    expect(widerGlob('gen/*-api')).toBe('gen/**/*-api');
    expect(widerGlob('gen/**')).toBeUndefined();
    expect(widerGlob('gen/\\*')).toBeUndefined();
    const [miss] = findGlobMisses({ ruleSet: ruleSet([], { policies: [] }), repositoryFilter: 'gen/*-api', repositoryNames: ['gen/a/svc-api', 'gen/b'] });
    expect(miss?.wider).toEqual({ why: 'star', glob: 'gen/**/*-api', count: 1, examples: ['gen/a/svc-api'] });
  });

  it("checks a policy's own protect.repositories, after its include and exclude", () => {
    const payments: Policy = { ...pol('payments', ['team-a/**']), settings: { protect: { tags: [], repositories: ['team-a/ap', 'team-a/api'] } } };
    expect(globWarnings(input([payments]))).toEqual([
      { code: 'protect-glob-matches-nothing', message: "policy 'payments' protect.repositories 'team-a/ap' matches none of the 7 repositories; nearest: team-a/api, team-a/app, team-b/api" },
    ]);
  });

  it('ignores the order and duplicates of the names', () => {
    const a = globWarnings(input([pol('teams', ['team-a/ap', 'gen/*'])]));
    const b = globWarnings({ ...input([pol('teams', ['team-a/ap', 'gen/*'])]), repositoryNames: [...REGISTRY].reverse().concat(REGISTRY) });
    expect(b).toEqual(a);
  });
});

describe('globEditDistance', () => {
  it.each<[string, string, number]>([
    ['team-a/api', 'team-a/api', 0],
    ['team-a/ap', 'team-a/api', 1],
    ['TEAM-A/API', 'team-a/api', 0],
    ['team-*/api', 'team-b/api', 0],
    ['taem-b/*', 'team-b/api', 2],
    ['gen/*', 'gen/a/api', 1],
    ['gen/**', 'gen/a/api', 0],
    ['gen/**/api', 'gen/api', 0],
    ['gen/**', 'gen', 0],
    ['?/**', 'a', 0],
    ['?/**/**', 'a', 0],
    ['gen/**/**', 'gen', 0],
    ['gen/?', 'gen/a', 0],
    ['gen/?', 'gen//', 1],
  ])("'%s' vs '%s' is %i", (glob, name, expected) => {
    expect(globEditDistance(glob, name)).toBe(expected);
  });
});

const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,5}$/);
const repoName = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const names = fc.uniqueArray(repoName, { maxLength: 12 });
/** Globs built from repository-like pieces and wildcards, so some match and some do not. */
const globArb = fc
  .array(fc.oneof(segment, fc.constant('*'), fc.constant('**'), segment.map((s) => `${s}*`), segment.map((s) => `${s.slice(0, -1)}?`)), { minLength: 1, maxLength: 3 })
  .map((s) => s.join('/'));

describe('glob warnings: properties', () => {
  it('a glob is reported exactly when it matches no repository; every suggestion is a real name; a wider glob matches', () => {
    fc.assert(
      fc.property(names, fc.array(globArb, { maxLength: 4 }), fc.option(globArb, { nil: undefined }), (repositoryNames, includes, filter) => {
        const given: GlobWarningInput = { ruleSet: ruleSet([], { policies: [pol('p', includes)] }), repositoryNames };
        if (filter !== undefined) given.repositoryFilter = filter;
        const misses = findGlobMisses(given);
        const globs = [...includes, ...(filter !== undefined ? [filter] : [])];
        const expected = globs.filter((g) => !repositoryNames.some((n) => picomatch(g, { dot: true })(n)));
        expect(misses.map((m) => m.glob)).toEqual(expected);
        expect(globWarnings(given)).toHaveLength(misses.length);
        for (const miss of misses) {
          expect(miss.nearest.length).toBeLessThanOrEqual(MAX_NEAREST);
          for (const n of miss.nearest) expect(repositoryNames).toContain(n);
          const distances = miss.nearest.map((n) => globEditDistance(miss.glob, n));
          expect(distances).toEqual([...distances].sort((x, y) => x - y));
          if (miss.wider) {
            expect(miss.wider.count).toBeGreaterThan(0);
            for (const n of miss.wider.examples) expect(picomatch(miss.wider.glob, { dot: true })(n)).toBe(true);
          }
        }
      }),
    );
  });

  it('for a glob without wildcards the distance is the edit distance, and 0 exactly when it matches', () => {
    fc.assert(
      fc.property(repoName, repoName, (glob, name) => {
        expect(globEditDistance(glob, name)).toBe(editDistance(glob, name));
        expect(globEditDistance(glob, name) === 0).toBe(glob === name);
      }),
    );
  });

  it('a name a glob matches is at distance 0 from it', () => {
    fc.assert(
      fc.property(globArb, names, (glob, repositoryNames) => {
        const matcher = picomatch(glob, { dot: true });
        for (const n of repositoryNames.filter((x) => matcher(x))) expect(globEditDistance(glob, n)).toBe(0);
      }),
    );
  });
});
