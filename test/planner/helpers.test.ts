/** The planner's small modules: tag patterns, policy selection, reason formatting, summary. */
import { RE2JSSyntaxException } from 're2js';
import { describe, expect, it } from 'vitest';
import { countImages, summarizePlan } from '../../lib/core/plan-summary.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { formatAgeAgainst, formatBytes, formatSpan, ordinal, quoteList, shortDigest } from '../../lib/core/plan-reasons.js';
import { selectPolicy } from '../../lib/core/planner.js';
import { compileTagPattern, matchesAllPatterns, TagPatternError } from '../../lib/core/tag-pattern.js';
import { EcrSweeperError } from '../../lib/errors.js';
import { DAY, HOUR, NOW, policy, ruleSet } from './builders.js';

describe('compileTagPattern', () => {
  it.each([
    ['prod*', 'prod', true],
    ['prod*', 'production-team1', true],
    ['prod*', 'my-prod', false],
    ['*prod*', 'repo-production', true],
    ['v?', 'v1', true],
    ['v?', 'v10', false],
    ['v1.2', 'v1.2', true],
    ['v1.2', 'v1x2', false],
    ['main', 'main-2', false],
    ['/pr-\\d+/', 'pr-12', true],
    ['/pr-\\d+/', 'pr-12-fix', false],
    ['/PR-\\d+/i', 'pr-3', true],
    ['/a|b/', 'ab', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
  ])('%s against %s → %s', (pattern, tag, expected) => {
    expect(compileTagPattern(pattern).test(tag)).toBe(expected);
  });

  it('rejects an invalid regular expression and an empty pattern with a TagPatternError naming the pattern', () => {
    expect(() => compileTagPattern('/(unclosed/')).toThrow(TagPatternError);
    expect(() => compileTagPattern('/(unclosed/')).toThrow(/invalid tag pattern "\/\(unclosed\/"/);
    expect(() => compileTagPattern('')).toThrow(/must not be empty/);
    let caught: unknown;
    try {
      compileTagPattern('/[/');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EcrSweeperError);
    expect((caught as Error).cause).toBeInstanceOf(RE2JSSyntaxException);
  });

  it('matchesAllPatterns ANDs patterns, each against any tag; no patterns match everything', () => {
    const ps = ['alpha*', 'beta*'].map(compileTagPattern);
    expect(matchesAllPatterns(ps, ['alpha-1', 'beta-1'])).toBe(true);
    expect(matchesAllPatterns(ps, ['alpha-1'])).toBe(false);
    expect(matchesAllPatterns([], [])).toBe(true);
  });
});

describe('selectPolicy', () => {
  const rs = ruleSet([], {
    protectRepos: ['prod/**'],
    policies: [
      { ...policy([], 'apps', ['apps/*', 'prod/*']), repositories: { include: ['apps/*', 'prod/*'], exclude: ['apps/legacy'] } },
      policy([], 'fallback', ['**']),
    ],
  });

  it.each([
    ['apps/web', 'apps', false, "governed by policy 'apps' (include 'apps/*')"],
    ['apps/legacy', 'fallback', false, "governed by policy 'fallback' (include '**')"],
    ['apps/team/web', 'fallback', false, "governed by policy 'fallback' (include '**')"],
    ['prod/api', 'apps', true, "repository matches protect.repositories 'prod/**'"],
  ])('%s → policy %s, protected %s', (name, policyName, isProtected, reason) => {
    const s = selectPolicy(name, rs);
    expect(s.policy?.name).toBe(policyName);
    expect(s.protected).toBe(isProtected);
    expect(s.reason).toBe(reason);
  });

  it('no matching policy → unmanaged', () => {
    const s = selectPolicy('other', ruleSet([], { policies: [policy([], 'apps', ['apps/*'])] }));
    expect(s).toEqual({ policy: null, protected: false, reason: 'no policy matches this repository' });
  });
});

describe('reason formatting', () => {
  it.each([
    [1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [11, '11th'], [12, '12th'], [13, '13th'], [21, '21st'], [22, '22nd'], [101, '101st'], [112, '112th'],
  ])('ordinal(%i) = %s', (n, s) => expect(ordinal(n)).toBe(s));

  it.each([
    [9 * DAY, '9d'], [14 * DAY, '14d'], [36 * HOUR, '1d 12h'], [DAY + 30 * 60_000, '1d 0h 30m'], [5 * HOUR, '5h'], [90 * 60_000, '1h 30m'],
    [45_000, '45s'], [250, '0.25s'], [DAY + 1, '1d 0h 0m 0.001s'], [0, '0s'], [-2 * DAY, '-2d'],
  ])('formatSpan(%d) = %s (exact)', (ms, s) => expect(formatSpan(ms)).toBe(s));

  it.each([
    // [age, threshold, printed age, printed threshold]
    [14 * DAY + 9_000, 14 * DAY, '14d 0h 0m 9s', '14d'],
    [14 * DAY + 300, 14 * DAY, '14d 0h 0m 0.3s', '14d'],
    [14 * DAY + 1, 14 * DAY, '14d 0h 0m 0.001s', '14d'],
    [15 * DAY + 5 * HOUR, 14 * DAY, '15d', '14d'],
    [9.97 * DAY, 7 * DAY, '9d', '7d'],
    [25.5 * HOUR, 25 * HOUR, '1d 1h 30m', '1d 1h'],
    [14 * DAY, 14 * DAY, '14d', '14d'],
    [14 * DAY - 1, 14 * DAY, '13d', '14d'],
    [12 * HOUR, DAY, '12h', '1d'],
    [23.9 * HOUR, DAY, '23h', '1d'],
    [3 * DAY - 1_000, 3 * DAY, '2d', '3d'],
    [0, DAY, '0s', '1d'],
    [-2.5 * DAY, DAY, '-2d', '1d'],
  ])('formatAgeAgainst(%d, %d) = %s against %s', (age, threshold, a, t) => {
    expect(formatAgeAgainst(age, threshold)).toEqual({ age: a, threshold: t });
  });

  it.each([
    [0, '0 B'], [1023, '1023 B'], [1536, '1.5 KiB'], [500 * 1024 * 1024, '500 MiB'], [20 * 1024 ** 3, '20 GiB'],
  ])('formatBytes(%d) = %s', (b, s) => expect(formatBytes(b)).toBe(s));

  it('shortDigest keeps the algorithm and 12 hex characters; quoteList caps long lists', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab…');
    expect(shortDigest('sha256:abc')).toBe('sha256:abc');
    expect(quoteList(['a', 'b', 'c', 'd', 'e'])).toBe("'a', 'b', 'c' and 2 more");
  });
});

describe('summary', () => {
  let serial = 0;
  const image = (decision: PlannedImage['decision'], size: number | null, role: PlannedImage['role'] = 'image'): PlannedImage => ({
    imageDigest: `sha256:${++serial}`,
    imageTags: [],
    pushedAt: null,
    lastPulledAt: null,
    sizeInBytes: size,
    role,
    decision,
    rule: null,
    reason: `${decision}: x`,
  });

  it('countImages: bytes to free skip indexes and unknown sizes', () => {
    const images = [image('delete', 100), image('delete', 700, 'index'), image('delete', null), image('keep', 5), image('transition', 9)];
    expect(countImages(images, (i) => i.role === 'index')).toEqual({ images: 5, delete: 3, keep: 1, transition: 1, bytesToFree: 100 });
  });

  it('summarizePlan sorts repositories by name and sums their counts', () => {
    const repo = (name: string, status: RepositoryPlan['status'], del: number): RepositoryPlan => ({
      repositoryName: name,
      policy: null,
      status,
      images: [],
      counts: { images: del + 1, delete: del, keep: 1, transition: 0, bytesToFree: del * 10 },
    });
    const plan = summarizePlan([repo('b', 'planned', 2), repo('a', 'blocked', 0)], NOW, 'apply');
    expect(plan.repositories.map((r) => r.repositoryName)).toEqual(['a', 'b']);
    expect(plan).toMatchObject({ version: 1, now: '2026-06-01T00:00:00.000Z', mode: 'apply' });
    expect(plan.summary).toEqual({ repositories: 2, blockedRepositories: 1, images: 4, delete: 2, keep: 2, transition: 0, bytesToFree: 20 });
  });
});
