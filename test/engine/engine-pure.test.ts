/** Pure pieces of the engine: change detection, ordered listing, rules hash, client settings. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlannedImage } from '../../lib/core/plan-model.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { changeSincePlan } from '../../lib/engine/executor.js';
import { orderedMap } from '../../lib/engine/ordered-map.js';
import { hashRules } from '../../lib/engine/sweep.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';

const PUSHED = Date.parse('2026-01-01T00:00:00Z');
const PULLED = Date.parse('2026-02-01T00:00:00Z');
const planned: PlannedImage = {
  imageDigest: 'sha256:x',
  imageTags: ['a'],
  pushedAt: new Date(PUSHED).toISOString(),
  lastPulledAt: new Date(PULLED).toISOString(),
  sizeInBytes: 1,
  role: 'index',
  decision: 'delete',
  rule: 'r',
  reason: 'delete: test',
};

describe('changeSincePlan', () => {
  const same = { imageDigest: 'sha256:x', imageTags: ['a'], imagePushedAt: PUSHED, lastRecordedPullTime: PULLED };
  it.each([
    ['unchanged', same, undefined, null],
    ['lost a tag (still safe to delete)', { ...same, imageTags: [] }, undefined, null],
    ['gained a tag', { ...same, imageTags: ['a', 'prod'] }, undefined, "gained tag 'prod'"],
    ['gained two tags', { ...same, imageTags: ['z', 'a', 'b'] }, undefined, "gained tags 'b', 'z'"],
    ['pushed again', { ...same, imagePushedAt: PUSHED + 1 }, undefined, /^pushed again/],
    ['pulled after the plan', { ...same, lastRecordedPullTime: PULLED + 1 }, undefined, /^pulled at 2026-02-01T00:00:00.001Z/],
    ['pull time went back (not a new pull)', { ...same, lastRecordedPullTime: PULLED - 1 }, undefined, null],
    ['pulled by our own index read', { ...same, lastRecordedPullTime: PULLED + 10_000 }, PULLED + 10_000, null],
    ['pulled 1 ms after our own index read', { ...same, lastRecordedPullTime: PULLED + 10_001 }, PULLED + 10_000, /^pulled at 2026-02-01T00:00:10.001Z, after the plan/],
    ['pulled well after our index read', { ...same, lastRecordedPullTime: PULLED + 60_000 }, PULLED + 10_000, /^pulled at/],
    ['own read older than the planned pull', { ...same, lastRecordedPullTime: PULLED + 1 }, PULLED - 5_000, /^pulled at/],
  ])('%s', (_name, current, ownRead, expected) => {
    const change = changeSincePlan(planned, current, ownRead);
    if (expected === null) expect(change).toBeNull();
    else if (typeof expected === 'string') expect(change).toBe(expected);
    else expect(change).toMatch(expected);
  });

  it('judges a pull the same way whatever the role: a pull is a change exactly when it is later than the plan and our own read', () => {
    const offset = fc.option(fc.integer({ min: -100_000, max: 100_000 }), { nil: undefined });
    fc.assert(
      fc.property(fc.constantFrom('image', 'index', 'child', 'referrer'), offset, offset, (role, pullOffset, ownOffset) => {
        const current = { ...same, lastRecordedPullTime: pullOffset === undefined ? undefined : PULLED + pullOffset };
        const ownRead = ownOffset === undefined ? undefined : PULLED + ownOffset;
        const change = changeSincePlan({ ...planned, role }, current, ownRead);
        const isNewPull = pullOffset !== undefined && pullOffset > 0 && (ownOffset === undefined || pullOffset > ownOffset);
        expect(change !== null).toBe(isNewPull);
        expect(change).toBe(changeSincePlan({ ...planned, role: 'image' }, current, ownRead));
      }),
    );
  });

  it('treats a first pull of a never-pulled image as a change', () => {
    const never = { ...planned, role: 'image' as const, lastPulledAt: null };
    expect(changeSincePlan(never, { imageDigest: 'sha256:x', imageTags: ['a'], imagePushedAt: PUSHED, lastRecordedPullTime: PULLED })).toMatch(/^pulled at/);
  });

  it('names the gained tags exactly as the set comparison does, with or without tags on either side (property)', () => {
    const tags = fc.option(fc.array(fc.constantFrom('a', 'b', 'c', 'v1', 'latest'), { maxLength: 4 }), { nil: undefined });
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }), tags, fc.boolean(), (plannedTags, currentTags, repushed) => {
        const current = { imageDigest: 'sha256:x', imagePushedAt: repushed ? PUSHED + 1 : PUSHED, lastRecordedPullTime: PULLED, ...(currentTags !== undefined ? { imageTags: currentTags } : {}) };
        const was = new Set<string>(plannedTags);
        const gained = [...new Set(currentTags ?? [])].filter((t) => !was.has(t)).sort();
        const expected =
          gained.length > 0
            ? `gained tag${gained.length === 1 ? '' : 's'} ${gained.map((t) => `'${t}'`).join(', ')}`
            : repushed
              ? `pushed again (push time ${new Date(PUSHED).toISOString()} -> ${new Date(PUSHED + 1).toISOString()})`
              : null;
        expect(changeSincePlan({ ...planned, imageTags: plannedTags }, current)).toBe(expected);
      }),
    );
  });
});

describe('orderedMap', () => {
  it('yields results in input order with at most `window` started and unconsumed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), async (delays, window) => {
        let running = 0;
        let peak = 0;
        const out: number[] = [];
        for await (const r of orderedMap(delays, window, async (d, i) => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((res) => setTimeout(res, d));
          return i;
        })) {
          running -= 1;
          out.push(r.value as number);
        }
        expect(out).toEqual(delays.map((_, i) => i));
        expect(peak).toBeLessThanOrEqual(window);
      }),
      { numRuns: 30 },
    );
  });

  it('reports a failed item and goes on; items not started when told to stop', async () => {
    let allow = true;
    const results = [];
    for await (const r of orderedMap([1, 2, 3, 4], 1, async (n) => {
      if (n === 2) throw new Error('boom');
      if (n === 3) allow = false;
      return n;
    }, () => allow)) results.push(r);
    expect(results.map((r) => [r.item, r.started, r.value, (r.error as Error | undefined)?.message])).toEqual([
      [1, true, 1, undefined],
      [2, true, undefined, 'boom'],
      [3, true, 3, undefined],
      [4, false, undefined, undefined],
    ]);
  });
});

describe('hashRules', () => {
  const base = ruleSet([untaggedOlderThan(7)]);
  it('ignores where the rules came from, and nothing else', () => {
    expect(hashRules({ ...base, source: 'elsewhere.yml' })).toBe(hashRules(base));
    expect(hashRules(ruleSet([untaggedOlderThan(8)]))).not.toBe(hashRules(base));
    expect(hashRules(base, 'team/*')).not.toBe(hashRules(base));
    expect(hashRules({ ...base, defaults: { ...base.defaults, maxDeletionsPerRun: 5 } })).not.toBe(hashRules(base));
  });
});

describe('createEcrClient', () => {
  it('takes an explicit Region first; the endpoint is ECR\'s own variable, then the explicit one, then AWS_ENDPOINT_URL', async () => {
    const fromEnv = createEcrClient({ env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:1234' } });
    expect(await fromEnv.config.region()).toBe('eu-west-1');
    expect((await fromEnv.config.endpoint!()).hostname).toBe('127.0.0.1');
    const explicit = createEcrClient({ region: 'ap-south-1', endpoint: 'http://127.0.0.1:9', env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:1234' } });
    expect(await explicit.config.region()).toBe('ap-south-1');
    expect((await explicit.config.endpoint!()).port).toBe(9);
    // A service's own variable overrides the run's one endpoint for that service (docs/cli.md).
    const own = createEcrClient({ endpoint: 'http://127.0.0.1:9', env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:1234' } });
    expect((await own.config.endpoint!()).port).toBe(1234);
    const generic = createEcrClient({ env: { AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://127.0.0.1:7' } });
    expect(await generic.config.region()).toBe('us-west-2');
    expect((await generic.config.endpoint!()).port).toBe(7);
    expect(await createEcrClient({ maxAttempts: 7, region: 'us-east-1', env: {} }).config.maxAttempts()).toBe(7);
  });
});
