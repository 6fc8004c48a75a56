/**
 * Per-policy settings (issue 13 §1): minAge, protect, mode, maxDeletionsPerRun and
 * maxDeletePercentPerRepository on a policy. The policy's value overrides `defaults`; protect
 * lists add to the run-wide ones; every reason says which value applied and where it came from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { RepositoryPlan } from '../../lib/core/plan-model.js';
import { applyScope } from '../../lib/core/plan-summary.js';
import { planRegistry, planRepository } from '../../lib/core/planner.js';
import { appliedSettings, describePolicySettings } from '../../lib/core/policy-settings.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import type { Policy, PolicySettings, RuleSet } from '../../lib/core/rules-model.js';
import { compileTagPattern } from '../../lib/core/tag-pattern.js';
import { repository, ruleSetArb } from './arbitraries.js';
import { DAY, HOUR, NOW, d, img, policy, pushedDays, rule, ruleSet } from './builders.js';

const untaggedOld = rule('old', { tagStatus: 'any' }, pushedDays(1));
const withSettings = (p: Policy, settings: PolicySettings): Policy => ({ ...p, settings });
/** payments/** governed by 'payments' (with `settings`), everything else by 'rest'; defaults minAge 3d. */
const rules = (settings: PolicySettings, over: Parameters<typeof ruleSet>[1] = {}): RuleSet =>
  ruleSet([], {
    minAgeMs: 3 * DAY,
    ...over,
    policies: [withSettings(policy([untaggedOld], 'payments', ['payments/**']), settings), policy([untaggedOld], 'rest', ['**'])],
  });
const planOf = (repositoryName: string, images: ImageRecord[], rs: RuleSet): RepositoryPlan => planRepository({ repositoryName, images }, rs, NOW);
const byName = (p: RepositoryPlan, name: string) => p.images.find((i) => i.imageDigest === d(name))!;

describe('per-policy minAge: "payments keeps 30 days of grace, the rest 3"', () => {
  const rs = rules({ minAgeMs: 30 * DAY });
  const images = [img('a', 10, ['x']), img('b', 40, ['y']), img('c', 2, ['z'])];

  it("overrides defaults.minAge in the policy's repositories and says so", () => {
    const p = planOf('payments/api', images, rs);
    expect(byName(p, 'a')).toMatchObject({ decision: 'keep', reason: "keep: younger than minAge 30d of policy 'payments' (pushed 10d ago) (rule old would delete it)" });
    expect(byName(p, 'b').decision).toBe('delete');
    expect(p.settings).toMatchObject({ policy: 'payments', minAgeMs: { value: 30 * DAY, from: 'policy' } });
  });

  it('leaves the other policies on defaults.minAge, with the reason as before', () => {
    const p = planOf('shop/web', images, rs);
    expect(byName(p, 'a').decision).toBe('delete');
    expect(byName(p, 'c').reason).toBe('keep: younger than minAge 3d (pushed 2d ago) (rule old would delete it)');
    expect(p.settings).toMatchObject({ policy: 'rest', minAgeMs: { value: 3 * DAY, from: 'defaults' } });
  });

  it('can also be shorter than the default (0s turns the grace period off for the policy)', () => {
    expect(planOf('payments/api', images, rules({ minAgeMs: 0 })).counts.delete).toBe(3);
  });

  it('names its source in what a referrer kept by it tells its subject', () => {
    const subject = img('subject', 40, ['v1']);
    const signature = img('sig', 10, [], { subjectManifestDigest: d('subject') });
    const p = planOf('payments/api', [subject, signature], rs);
    expect(byName(p, 'subject').decision).toBe('keep');
    expect(byName(p, 'subject').reason).toContain('pushed 10d ago < minAge 30d (policy payments)');
  });
});

describe('per-policy protect: adds to the run-wide lists, never replaces them', () => {
  const rs = rules({ protect: { tags: ['release-*'], repositories: ['payments/ledger'] } }, { protectTags: ['latest'] });
  const images = [img('latest', 40, ['latest']), img('rel', 40, ['release-7']), img('other', 40, ['build-9'])];

  it('protects both the run-wide and the policy tags in its repositories, naming the policy', () => {
    const p = planOf('payments/api', images, rs);
    expect(byName(p, 'latest')).toMatchObject({ decision: 'keep', reason: "keep: protected tag 'latest' (rule old would delete it)" });
    expect(byName(p, 'rel')).toMatchObject({ decision: 'keep', reason: "keep: protected tag 'release-7' (policy payments) (rule old would delete it)" });
    expect(byName(p, 'other').decision).toBe('delete');
  });

  it("does not protect the policy's tags elsewhere", () => {
    const p = planOf('shop/web', images, rs);
    expect(byName(p, 'latest').decision).toBe('keep');
    expect(byName(p, 'rel').decision).toBe('delete');
  });

  it('protects repositories within the policy', () => {
    const p = planOf('payments/ledger', images, rs);
    expect(p).toMatchObject({ status: 'protected', policy: 'payments', statusReason: "repository matches protect.repositories 'payments/ledger' of policy 'payments'" });
    expect(p.counts.delete).toBe(0);
  });

  it("a policy's protect.repositories cannot reach a repository another policy governs", () => {
    const other = rules({ protect: { tags: [], repositories: ['shop/**'] } });
    expect(planOf('shop/web', images, other).status).toBe('planned');
  });
});

describe('per-policy caps', () => {
  const old = (n: number, prefix: string) => Array.from({ length: n }, (_, k) => img(`${prefix}${k}`, 40, [`${prefix}${k}`]));

  it('maxDeletePercentPerRepository: the policy value overrides the default, and the block says whose it is', () => {
    const images = [...old(3, 'o'), img('n', 1, ['new'])];
    const p = planOf('payments/api', images, rules({ maxDeletePercentPerRepository: 50 }, { maxPercent: 90 }));
    expect(p.status).toBe('blocked');
    expect(p.statusReason).toBe('it would delete 3 of 4 images (75%), more than maxDeletePercentPerRepository 50% (policy payments)');
    expect(planOf('shop/web', images, rules({ maxDeletePercentPerRepository: 50 }, { maxPercent: 90 })).status).toBe('planned');
    // A policy may also allow more than the default.
    expect(planOf('payments/api', images, rules({ maxDeletePercentPerRepository: 100 }, { maxPercent: 50 })).status).toBe('planned');
  });

  it("maxDeletionsPerRun: a budget for the policy's repositories within the run-wide one", () => {
    const rs = rules({ maxDeletionsPerRun: 4 }, { maxRun: 10 });
    const inventories = [
      { repositoryName: 'payments/a', images: old(3, 'a') },
      { repositoryName: 'payments/b', images: old(3, 'b') },
      { repositoryName: 'payments/c', images: old(1, 'c') },
      { repositoryName: 'shop/x', images: old(6, 'x') },
      { repositoryName: 'shop/y', images: old(2, 'y') },
    ];
    const plan = planRegistry(inventories, rs, NOW);
    const status = Object.fromEntries(plan.repositories.map((r) => [r.repositoryName, [r.status, r.counts.delete]]));
    // payments: a (3) fits 4, b (3) does not fit the 1 left, c (1) does; the run: 3 + 1 + 6 = 10, then y is over.
    expect(status).toEqual({
      'payments/a': ['planned', 3],
      'payments/b': ['blocked', 0],
      'payments/c': ['planned', 1],
      'shop/x': ['planned', 6],
      'shop/y': ['blocked', 0],
    });
    expect(plan.repositories.find((r) => r.repositoryName === 'payments/b')!.statusReason).toBe(
      "it would delete 3 images, more than the 1 deletions maxDeletionsPerRun of policy 'payments' still allows",
    );
    expect(plan.repositories.find((r) => r.repositoryName === 'shop/y')!.statusReason).toMatch(/more than the 0 deletions maxDeletionsPerRun still allows$/);
  });
});

describe('per-policy mode', () => {
  it('a dry-run policy plans its deletions, spends none of the run budget, and is left out of what apply would delete', () => {
    const rs = rules({ mode: 'dry-run' }, { maxRun: 2 });
    const images = Array.from({ length: 3 }, (_, k) => img(`o${k}`, 40, [`o${k}`]));
    const plan = planRegistry(
      [
        { repositoryName: 'payments/api', images },
        { repositoryName: 'shop/web', images: images.slice(0, 2) },
      ],
      { ...rs, defaults: { ...rs.defaults, mode: 'apply' } },
      NOW,
    );
    expect(plan.repositories.map((r) => [r.repositoryName, r.status, r.counts.delete])).toEqual([
      ['payments/api', 'planned', 3],
      ['shop/web', 'planned', 2],
    ]);
    expect(applyScope(plan)).toEqual({ delete: 2, bytesToFree: 2000, repositories: 1, transition: 0, archivingRepositories: 0, heldBack: 3 });
  });

  it("a policy's mode apply under dry-run defaults is recorded as the policy's, and validate says it needs an explicit apply run", () => {
    const rs = rules({ mode: 'apply' });
    const settings = appliedSettings(rs.policies[0]!, rs);
    expect(settings.mode).toEqual({ value: 'apply', from: 'policy' });
    expect(describePolicySettings(rs.policies[0]!, rs)).toEqual(['mode apply (deletes only in an explicit apply run: defaults.mode is dry-run)']);
  });
});

describe('per-policy settings from YAML', () => {
  const yaml = (policyLines: string[]) =>
    [
      'version: 1',
      'defaults: { minAge: 3d, maxDeletionsPerRun: 100 }',
      'protect: { tags: [latest] }',
      'policies:',
      '  - name: payments',
      '    repositories: { include: ["payments/**"] }',
      ...policyLines.map((l) => `    ${l}`),
      '    rules:',
      '      - { id: old, select: { tagStatus: any }, when: { sinceImagePushed: 1d } }',
    ].join('\n');

  it('parses every setting into the policy', () => {
    const rs = parseRules(
      yaml(['mode: dry-run', 'minAge: 30d', 'maxDeletionsPerRun: 5', 'maxDeletePercentPerRepository: 20', 'protect: { tags: ["release-*"], repositories: [payments/ledger] }']),
    );
    expect(rs.policies[0]!.settings).toEqual({
      mode: 'dry-run',
      minAgeMs: 30 * DAY,
      maxDeletionsPerRun: 5,
      maxDeletePercentPerRepository: 20,
      protect: { tags: ['release-*'], repositories: ['payments/ledger'] },
    });
    expect(rs.protect.tags).toEqual(['latest']);
    expect(rs.defaults.minAgeMs).toBe(3 * DAY);
  });

  it('a policy without settings has none', () => {
    expect(parseRules(yaml([])).policies[0]).not.toHaveProperty('settings');
  });

  it.each([
    [['minAge: 30days'], 6, /policies\[0\]\.minAge: expected a duration such as 30m/],
    [['minage: 30d'], 6, /unknown key "minage".*did you mean "minAge"\?/],
    [['mode: aply'], 6, /expected one of "dry-run", "apply"/],
    [['maxDeletionsPerRun: 0'], 6, /maxDeletionsPerRun must be at least 1/],
    [['maxDeletionsPerRun: null'], 6, /policies\[0\]\.maxDeletionsPerRun/],
    [['maxDeletePercentPerRepository: 120'], 6, /at most 100/],
    [['protect: { tag: [x] }'], 6, /unknown key "tag".*did you mean "tags"\?/],
    [['protect: { tags: ["/(/"] }'], 6, /policies\[0\]\.protect\.tags\[0\]/],
  ])('rejects %j with a positioned message', (lines, line, message) => {
    let error: Error | undefined;
    try {
      parseRules(yaml(lines), { file: 'rules.yml' });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(`rules.yml:${line + 1}:`);
  });
});

describe('per-policy settings: properties', () => {
  const asPolicy = (rs: RuleSet, settings: PolicySettings): RuleSet => ({ ...rs, policies: [{ ...rs.policies[0]!, settings }] });
  const acted = (p: RepositoryPlan) => new Set(p.images.filter((i) => i.decision !== 'keep').map((i) => i.imageDigest));

  it('a policy minAge equal to the default changes no decision; nothing younger than the policy minAge is acted on', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, fc.integer({ min: 0, max: 72 }), (images, rs, hours) => {
        const same = planOf('repo', images, asPolicy(rs, { minAgeMs: rs.defaults.minAgeMs }));
        expect(same.images.map((i) => i.decision)).toEqual(planOf('repo', images, rs).images.map((i) => i.decision));
        const own = planOf('repo', images, asPolicy(rs, { minAgeMs: hours * HOUR }));
        for (const i of own.images) {
          if (i.decision !== 'keep' && own.status === 'planned') expect(NOW - Date.parse(i.pushedAt!)).toBeGreaterThanOrEqual(hours * HOUR);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('policy protect tags only add: with caps off, nothing acted on is protected by either list, and the policy never acts on more', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, fc.array(fc.constantFrom('v*', 'prod*', 'main', '/pr-\\d+/'), { minLength: 1, maxLength: 2 }), (images, raw, tags) => {
        const rs = { ...raw, defaults: { ...raw.defaults, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null } };
        const base = planOf('repo', images, rs);
        const withOwn = planOf('repo', images, asPolicy(rs, { protect: { tags, repositories: [] } }));
        const baseActs = acted(base);
        for (const digest of acted(withOwn)) expect(baseActs.has(digest)).toBe(true);
        const patterns = [...rs.protect.tags, ...tags].map(compileTagPattern);
        for (const i of withOwn.images) if (i.decision !== 'keep') expect(i.imageTags.some((t) => patterns.some((p) => p.test(t)))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
