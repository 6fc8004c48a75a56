/**
 * The in-use closure read from a plan (`inUseTies`) and the figure built on it (`inUseKeptImages`,
 * `runFigures().inUseKept`): table tests of each relation, and properties against the planner,
 * which must keep exactly what the closure names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildImageGraph } from '../../lib/core/image-graph.js';
import { inUseKeptImages, inUseTies, type TiedImage } from '../../lib/core/in-use-ties.js';
import { resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';
import { planRepository } from '../../lib/core/planner.js';
import { runFigures } from '../../lib/core/report-summary.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { repository, ruleSetArb, TAGS } from '../planner/arbitraries.js';
import { NOW, pushedDays, rule, ruleSet } from '../planner/builders.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const REGISTRY = { accountId: '123456789012', region: 'eu-west-1' };

// index I lists children C1, C2; index J lists C2; S is a signature of I; T a signature of C1; P plain; Q signs nothing present.
const GRAPH: TiedImage[] = [
  { imageDigest: 'I' },
  { imageDigest: 'J' },
  { imageDigest: 'C1', parentDigests: ['I'] },
  { imageDigest: 'C2', parentDigests: ['I', 'J'] },
  { imageDigest: 'S', subjectDigest: 'I' },
  { imageDigest: 'T', subjectDigest: 'C1' },
  { imageDigest: 'P' },
  { imageDigest: 'Q', subjectDigest: 'gone' },
];

describe('inUseTies', () => {
  it.each([
    ['nothing in use', [], {}],
    ['a plain image', ['P'], { P: 'P' }],
    ['an index: its children, their referrers and its own', ['I'], { I: 'I', C1: 'I', C2: 'I', S: 'I', T: 'I' }],
    ['a child: the indexes listing it, and what they hold', ['C2'], { C2: 'C2', I: 'C2', J: 'C2', C1: 'C2', S: 'C2', T: 'C2' }],
    ['a referrer: its subject and what the subject holds', ['T'], { T: 'T', C1: 'T' }],
    ['a signature of an index: the index and everything it holds', ['S'], { S: 'S', I: 'S', C1: 'S', C2: 'S', T: 'S' }],
    ['a digest the repository does not hold', ['sha256:none'], {}],
    ['a referrer whose subject is gone', ['Q'], { Q: 'Q' }],
  ])('%s', (_name, inUse, expected) => {
    expect(Object.fromEntries(inUseTies(GRAPH, inUse))).toEqual(expected);
  });

  it('a kept child does not keep its other index: J stays out when only I is in use', () => {
    expect(inUseTies(GRAPH, ['I']).has('J')).toBe(false);
  });

  it('names the smallest in-use digest reached first, whatever the input order', () => {
    const forward = inUseTies(GRAPH, ['C2', 'C1']);
    const backward = inUseTies([...GRAPH].reverse(), ['C1', 'C2']);
    expect(Object.fromEntries(forward)).toEqual(Object.fromEntries(backward));
    expect(forward.get('I')).toBe('C1');
  });

  it('a cycle of indexes ends', () => {
    const cycle: TiedImage[] = [
      { imageDigest: 'A', parentDigests: ['B'] },
      { imageDigest: 'B', parentDigests: ['A'] },
    ];
    expect(Object.fromEntries(inUseTies(cycle, ['A']))).toEqual({ A: 'A', B: 'A' });
  });
});

const inUseArb = fc.record({
  byPosition: fc.array(fc.nat(), { maxLength: 4 }),
  byTag: fc.array(fc.constantFrom(...TAGS), { maxLength: 2 }),
});

describe('inUseTies against the planner (fast-check)', () => {
  it('the closure read from the plan is exactly what the relations hold, and the planner keeps all of it', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, inUseArb, (images, rs, pick) => {
        if (images.length === 0) return;
        const usages: InUseUsage[] = [
          ...pick.byPosition.map((k, n): InUseUsage => ({ consumer: `c${n}`, source: 'ecs', reference: `${HOST}/repo@${images[k % images.length]!.imageDigest}` })),
          ...pick.byTag.map((t, n): InUseUsage => ({ consumer: `t${n}`, source: 'file', reference: `${HOST}/repo:${t}` })),
        ];
        const inUse = resolveInUse(REGISTRY, usages, [{ repositoryName: 'repo', images }]).byRepository.get('repo') ?? new Map<string, InUseUsage[]>();
        const plan = planRepository({ repositoryName: 'repo', images }, rs, NOW, { inUse });
        const tied = inUseTies(plan.images, inUse.keys());

        // The same closure computed independently on the image graph.
        const graph = buildImageGraph(images);
        const must = new Set<number>();
        const queue: number[] = [];
        const add = (i: number): void => {
          if (!must.has(i)) {
            must.add(i);
            queue.push(i);
          }
        };
        for (const digest of inUse.keys()) add(graph.byDigest.get(digest)!.index);
        for (let q = 0; q < queue.length; q++) for (const parent of graph.nodes[queue[q]!]!.parents) add(parent);
        for (let q = 0; q < queue.length; q++) {
          const node = graph.nodes[queue[q]!]!;
          for (const dep of node.dependents) add(dep);
          if (node.subject >= 0) add(node.subject);
        }
        expect([...tied.keys()].sort()).toEqual([...must].map((i) => graph.nodes[i]!.digest).sort());
        for (const image of plan.images) if (tied.has(image.imageDigest)) expect(image.decision, image.reason).toBe('keep');
        // Every tie names an image in use.
        for (const origin of tied.values()) expect(inUse.has(origin)).toBe(true);
        // The figure counts exactly the closure (all kept).
        expect(inUseKeptImages([plan])).toBe(tied.size);
      }),
      { numRuns: 300 },
    );
  });

  it('more images in use never holds fewer (monotone), and every image held is in use or tied to one', () => {
    const anyRules = ruleSet([rule('old', { tagStatus: 'any' }, pushedDays(1))]);
    fc.assert(
      fc.property(repository, fc.array(fc.nat(), { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), (images, a, b) => {
        if (images.length === 0) return;
        const planned = planRepository({ repositoryName: 'repo', images }, anyRules, NOW).images;
        const pick = (ks: number[]) => ks.map((k) => planned[k % planned.length]!.imageDigest);
        const small = inUseTies(planned, pick(a));
        const large = inUseTies(planned, [...pick(a), ...pick(b)]);
        for (const digest of small.keys()) expect(large.has(digest)).toBe(true);
        const held = new Set(planned.map((i) => i.imageDigest));
        for (const [digest, origin] of large) {
          expect([...pick(a), ...pick(b)]).toContain(origin);
          expect(held.has(digest)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('the in-use figure', () => {
  it('runFigures counts images kept by in-use protection, directly or tied, and nothing else', () => {
    const image = (digest: string, decision: 'keep' | 'delete', extra: object = {}) => ({
      imageDigest: digest,
      imageTags: [],
      pushedAt: null,
      lastPulledAt: null,
      sizeInBytes: null,
      role: 'image' as const,
      decision,
      rule: null,
      reason: 'r',
      outcome: decision === 'keep' ? { status: 'kept' as const, reason: 'r' } : { status: 'deleted' as const },
      ...extra,
    });
    const counts = { images: 0, planned: 0, deleted: 0, failed: 0, skipped: 0, wouldDelete: 0, kept: 0, archived: 0, bytesFreed: 0 };
    const result = {
      mode: 'apply',
      totals: { ...counts, repositories: 2, failedRepositories: 0 },
      repositories: [
        {
          repositoryName: 'a',
          images: [
            image('I', 'keep', { role: 'index', usages: [{ consumer: 'x', source: 'ecs', reference: 'r' }] }),
            image('C', 'keep', { role: 'child', parentDigests: ['I'] }),
            image('P', 'keep'),
            image('D', 'delete'),
          ],
        },
        { repositoryName: 'b', images: [image('E', 'keep')] },
      ],
    } as unknown as SweepResult;
    expect(runFigures(result).inUseKept).toBe(2);
    expect(runFigures({ ...result, repositories: [result.repositories[1]!] }).inUseKept).toBe(0);
  });
});
