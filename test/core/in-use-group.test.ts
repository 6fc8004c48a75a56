/** Grouping a scan's usages by repository once, and adding the run's in-use counts from the parts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupUsagesByRepository, inUseCountsOf } from '../../lib/core/in-use-group.js';
import { resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';

const REGISTRY = { accountId: '123456789012', region: 'eu-west-1' };
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const use = (reference: string, consumer = 'c'): InUseUsage => ({ consumer, source: 'ecs', reference });

describe('groupUsagesByRepository', () => {
  it('groups this registry by repository in every host form, counts other registries and malformed references', () => {
    const grouped = groupUsagesByRepository(REGISTRY, [
      use(`${HOST}/api:v1`),
      use(`123456789012.dkr-ecr.eu-west-1.on.aws/api@sha256:${'a'.repeat(64)}`),
      use(`123456789012.dkr.ecr-fips.eu-west-1.amazonaws.com/team/web`),
      use('api:v1'), // Docker Hub: never matched by name alone
      use('999999999999.dkr.ecr.eu-west-1.amazonaws.com/api:v1'),
      use('123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1'),
      use(`${HOST}/API:v1`),
      use(''),
    ]);
    expect([...grouped.byRepository.keys()].sort()).toEqual(['api', 'team/web']);
    expect(grouped.byRepository.get('api')).toHaveLength(2);
    expect(grouped.otherRegistry).toBe(3);
    expect(grouped.malformed.map((m) => m.usage.reference)).toEqual([`${HOST}/API:v1`, '']);
  });

  it('inUseCountsOf: unknown repositories are only those absent from the listing; the rest adds up from the parts', () => {
    const grouped = groupUsagesByRepository(REGISTRY, [use(`${HOST}/api:v1`), use(`${HOST}/gone:v1`), use(`${HOST}/gone:v2`), use(`${HOST}/unmanaged:v1`), use('nginx')]);
    const part = { resolved: 1, otherRegistry: 0, unknownRepository: 0, unknownTag: 2, unknownDigest: 3, malformed: 0 };
    expect(inUseCountsOf(grouped, new Set(['api', 'unmanaged']), [part, part])).toEqual({
      resolved: 2,
      otherRegistry: 1,
      unknownRepository: 2,
      unknownTag: 4,
      unknownDigest: 6,
      malformed: 0,
    });
  });

  it('grouping then resolving each repository on its own gives the counts of one resolution over all (fast-check)', () => {
    const repos = ['api', 'web', 'gone'];
    const digests = ['a', 'b', 'c'].map((c) => `sha256:${c.repeat(64)}`);
    const inventories = ['api', 'web'].map((name) => ({
      repositoryName: name,
      images: [
        { imageDigest: digests[0]!, imageTags: ['v1', 'latest'] },
        { imageDigest: digests[1]!, imageTags: ['v2'] },
      ],
    }));
    const reference = fc.oneof(
      fc.tuple(fc.constantFrom(...repos), fc.constantFrom('v1', 'v2', 'v3', '')).map(([r, t]) => `${HOST}/${r}${t ? `:${t}` : ''}`),
      fc.tuple(fc.constantFrom(...repos), fc.constantFrom(...digests)).map(([r, d]) => `${HOST}/${r}@${d}`),
      fc.constantFrom('nginx:1', '999999999999.dkr.ecr.eu-west-1.amazonaws.com/api:v1', 'Bad Ref', `${HOST}/api:v1@sha256:${'c'.repeat(64)}`),
    );
    fc.assert(
      fc.property(fc.array(reference, { maxLength: 12 }), (refs) => {
        const usages = refs.map((r, i) => use(r, `c${i}`));
        const whole = resolveInUse(REGISTRY, usages, inventories);
        const grouped = groupUsagesByRepository(REGISTRY, usages);
        const parts = inventories.map((inv) => resolveInUse(REGISTRY, grouped.byRepository.get(inv.repositoryName) ?? [], [inv]));
        expect(inUseCountsOf(grouped, new Set(['api', 'web']), parts.map((p) => p.counts))).toEqual(whole.counts);
        for (const [i, inv] of inventories.entries()) expect(parts[i]!.byRepository.get(inv.repositoryName)).toEqual(whole.byRepository.get(inv.repositoryName));
      }),
      { numRuns: 200 },
    );
  });
});
