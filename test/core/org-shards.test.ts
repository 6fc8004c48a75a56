/**
 * Cutting an organization run for the Step Functions fan-out (lib/core/org-shards.ts): every
 * repository in exactly one shard of its target, a capped target never split, every shard in
 * exactly one lane of its own target, at most `lanesPerTarget` lanes per target.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../lib/core/rules-parser.js';
import { laneBudget, laneShards, rulesCapDeletions, shardTarget, type Shard } from '../../lib/core/org-shards.js';
import { applyLanes, hasActions, targetsWithFailedShards, type PlanPart } from '../../lib/core/org-run.js';
import { targetKey, type Target } from '../../lib/core/targets.js';
import { ConfigError } from '../../lib/errors.js';
import type { Plan } from '../../lib/core/plan-model.js';

const A: Target = { accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/EcrSweeperTarget' };
const B: Target = { accountId: '222222222222', region: 'us-east-1' };

const RULES = 'version: 1\npolicies:\n  - name: p\n    repositories: { include: ["**"] }\n    rules:\n      - { id: a, select: { tagStatus: untagged }, when: { sinceImagePushed: 7d } }\n';

describe('shardTarget', () => {
  it.each([
    { names: ['c', 'a', 'b', 'd', 'e'], size: 2, capped: false, expected: [['a', 'b'], ['c', 'd'], ['e']] },
    { names: ['a', 'b'], size: 2, capped: false, expected: [['a', 'b']] },
    { names: ['b', 'a', 'a'], size: 1, capped: false, expected: [['a'], ['b']] },
    // A capped target is one shard whatever the size: the cap's order is the planner's over the target.
    { names: ['c', 'a', 'b', 'd', 'e'], size: 2, capped: true, expected: [['a', 'b', 'c', 'd', 'e']] },
    // A target without repositories is still planned and reported: one empty shard.
    { names: [], size: 3, capped: false, expected: [[]] },
  ])('$names by $size (capped $capped)', ({ names, size, capped, expected }) => {
    const shards = shardTarget(A, names, { maxRepositoriesPerShard: size, lanesPerTarget: 1 }, capped);
    expect(shards.map((s) => s.repositories)).toEqual(expected);
    expect(shards.map((s) => s.shardId)).toEqual(expected.map((_, i) => `111111111111-eu-west-1-${i}`));
    for (const s of shards) expect(s.target).toBe(A);
  });

  it('refuses a shard size or lane count that is not a positive integer', () => {
    expect(() => shardTarget(A, ['a'], { maxRepositoriesPerShard: 0, lanesPerTarget: 1 }, false)).toThrow(ConfigError);
    expect(() => shardTarget(A, ['a'], { maxRepositoriesPerShard: 1.5, lanesPerTarget: 1 }, false)).toThrow(/maxRepositoriesPerShard must be a positive integer/);
    expect(() => laneShards([], { maxRepositoriesPerShard: 1, lanesPerTarget: 0 })).toThrow(/lanesPerTarget/);
  });

  it('puts every repository in exactly one shard of at most the size, in name order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z][a-z0-9/-]{0,12}$/), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), fc.boolean(), (names, size, capped) => {
        const shards = shardTarget(A, names, { maxRepositoriesPerShard: size, lanesPerTarget: 1 }, capped);
        const flat = shards.flatMap((s) => s.repositories);
        expect(flat).toEqual([...new Set(names)].sort());
        if (capped) expect(shards).toHaveLength(1);
        else for (const s of shards) expect(s.repositories.length).toBeLessThanOrEqual(size);
        expect(new Set(shards.map((s) => s.shardId)).size).toBe(shards.length);
      }),
    );
  });
});

describe('laneShards', () => {
  it('deals each target into at most lanesPerTarget lanes of that target only', () => {
    const shards = [...shardTarget(A, ['a', 'b', 'c', 'd', 'e'], { maxRepositoriesPerShard: 1, lanesPerTarget: 2 }, false), ...shardTarget(B, ['x'], { maxRepositoriesPerShard: 1, lanesPerTarget: 2 }, false)];
    const lanes = laneShards(shards, { maxRepositoriesPerShard: 1, lanesPerTarget: 2 });
    expect(lanes.map((l) => [l.laneId, l.targetKey, l.shards.map((s) => s.shardId)])).toEqual([
      ['111111111111-eu-west-1-lane-0', '111111111111/eu-west-1', ['111111111111-eu-west-1-0', '111111111111-eu-west-1-2', '111111111111-eu-west-1-4']],
      ['111111111111-eu-west-1-lane-1', '111111111111/eu-west-1', ['111111111111-eu-west-1-1', '111111111111-eu-west-1-3']],
      // One shard: one lane, never an empty one.
      ['222222222222-us-east-1-lane-0', '222222222222/us-east-1', ['222222222222-us-east-1-0']],
    ]);
  });

  it('every shard in exactly one lane of its own target; no target has more than lanesPerTarget lanes (property)', () => {
    const target = fc.record({ accountId: fc.constantFrom('111111111111', '222222222222', '333333333333'), region: fc.constantFrom('eu-west-1', 'us-east-1') });
    fc.assert(
      fc.property(fc.array(fc.tuple(target, fc.integer({ min: 0, max: 30 })), { maxLength: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (targets, size, lanesPerTarget) => {
        const settings = { maxRepositoriesPerShard: size, lanesPerTarget };
        const unique = new Map(targets.map(([t, n]) => [targetKey(t), [t, n] as const]));
        const shards: Shard[] = [...unique.values()].flatMap(([t, n]) => shardTarget(t, Array.from({ length: n }, (_, i) => `r${i}`), settings, false));
        const lanes = laneShards(shards, settings);
        const seen = lanes.flatMap((l) => l.shards.map((s) => s.shardId));
        expect(seen.sort()).toEqual(shards.map((s) => s.shardId).sort());
        for (const lane of lanes) {
          expect(lane.shards.length).toBeGreaterThan(0);
          for (const s of lane.shards) expect(s.targetKey).toBe(lane.targetKey);
        }
        for (const key of unique.keys()) expect(lanes.filter((l) => l.targetKey === key).length).toBeLessThanOrEqual(lanesPerTarget);
      }),
    );
  });
});

describe('laneBudget', () => {
  it.each([
    { concurrency: 8, lanes: 2, rate: undefined, expected: { concurrency: 4 } },
    { concurrency: 4, lanes: 3, rate: 30, expected: { concurrency: 1, maxRate: 10 } },
    // Never below one request in flight, even with more lanes than the target's concurrency.
    { concurrency: 2, lanes: 4, rate: 20, expected: { concurrency: 1, maxRate: 5 } },
  ])('$concurrency in flight, $rate/s over $lanes lanes', ({ concurrency, lanes, rate, expected }) => {
    expect(laneBudget({ maxRepositoriesPerShard: 1, lanesPerTarget: lanes }, concurrency, rate)).toEqual(expected);
  });
});

describe('rulesCapDeletions', () => {
  it('is true for a run-wide or a policy cap, false for neither', () => {
    expect(rulesCapDeletions(parseRules(RULES))).toBe(false);
    expect(rulesCapDeletions(parseRules(RULES.replace('version: 1\n', 'version: 1\ndefaults: { maxDeletionsPerRun: 10 }\n')))).toBe(true);
    expect(rulesCapDeletions(parseRules(RULES.replace('    rules:', '    maxDeletionsPerRun: 3\n    rules:')))).toBe(true);
  });
});

describe('applyLanes', () => {
  const lanes = laneShards(shardTarget(A, ['a', 'b', 'c'], { maxRepositoriesPerShard: 1, lanesPerTarget: 2 }, false), { maxRepositoriesPerShard: 1, lanesPerTarget: 2 });
  const plan = (decision: 'delete' | 'keep'): Plan =>
    ({ version: 1, now: '', mode: 'apply', repositories: [{ repositoryName: 'a', policy: 'p', status: 'planned', images: [{ imageDigest: 'sha256:1', decision }], counts: {} }], summary: {}, warnings: [] }) as unknown as Plan;
  const part = (shardId: string, status: 'planned' | 'failed', decision: 'delete' | 'keep' = 'delete'): PlanPart => ({
    shardId, targetKey: '111111111111/eu-west-1', target: A, status, ...(status === 'planned' ? { plan: plan(decision) } : {}),
  });

  it('keeps only planned shards with something to delete, each in its own lane', () => {
    const parts = new Map<string, PlanPart | null>([
      ['111111111111-eu-west-1-0', part('111111111111-eu-west-1-0', 'planned')],
      ['111111111111-eu-west-1-1', part('111111111111-eu-west-1-1', 'planned', 'keep')],
      ['111111111111-eu-west-1-2', part('111111111111-eu-west-1-2', 'planned')],
    ]);
    expect(applyLanes(lanes, parts, false)).toEqual([
      { laneId: '111111111111-eu-west-1-lane-0', targetKey: '111111111111/eu-west-1', shards: [{ shardId: '111111111111-eu-west-1-0', targetKey: '111111111111/eu-west-1' }, { shardId: '111111111111-eu-west-1-2', targetKey: '111111111111/eu-west-1' }] },
    ]);
    expect(hasActions(plan('keep'))).toBe(false);
  });

  it('applies nothing of a target one of whose shards did not plan (missing or failed part): the target is failed', () => {
    const other = laneShards(shardTarget(B, ['x'], { maxRepositoriesPerShard: 1, lanesPerTarget: 1 }, false), { maxRepositoriesPerShard: 1, lanesPerTarget: 1 });
    const all = [...lanes, ...other];
    for (const broken of [null, part('111111111111-eu-west-1-2', 'failed')]) {
      const parts = new Map<string, PlanPart | null>([
        ['111111111111-eu-west-1-0', part('111111111111-eu-west-1-0', 'planned')],
        ['111111111111-eu-west-1-1', part('111111111111-eu-west-1-1', 'planned')],
        ['111111111111-eu-west-1-2', broken],
        ['222222222222-us-east-1-0', { ...part('222222222222-us-east-1-0', 'planned'), targetKey: '222222222222/us-east-1', target: B }],
      ]);
      expect(targetsWithFailedShards(all, parts)).toEqual(new Set(['111111111111/eu-west-1']));
      expect(applyLanes(all, parts, false).map((l) => l.targetKey)).toEqual(['222222222222/us-east-1']);
    }
  });

  it('applies nothing when the planning Map gave up', () => {
    const parts = new Map<string, PlanPart | null>(lanes.flatMap((l) => l.shards).map((s) => [s.shardId, part(s.shardId, 'planned')]));
    expect(applyLanes(lanes, parts, false).flatMap((l) => l.shards)).toHaveLength(3);
    expect(applyLanes(lanes, parts, true)).toEqual([]);
  });
});
