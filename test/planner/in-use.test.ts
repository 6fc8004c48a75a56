/**
 * In-use protection in the planner: an image a consumer runs or can roll back to is kept whatever
 * the rules, with a reason naming the consumer, and so is what it needs (its children, referrers,
 * subject and the indexes that list it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildImageGraph } from '../../lib/core/image-graph.js';
import { resolveInUse, type InUseUsage } from '../../lib/core/in-use.js';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { planRepository } from '../../lib/core/planner.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { count, d, img, NOW, pushedDays, rule, ruleSet } from './builders.js';
import { repository, ruleSetArb, TAGS } from './arbitraries.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const ECS: InUseUsage = { consumer: 'ECS service prod/payments-api (task definition payments-api:42)', source: 'ecs', reference: 'x' };
const LAMBDA: InUseUsage = { consumer: 'Lambda function resize, alias live', source: 'lambda', reference: 'y' };
const deleteAll = ruleSet([rule('old', { tagStatus: 'any' }, pushedDays(1))]);

function plan(images: ImageRecord[], rs: RuleSet, inUse?: Map<string, InUseUsage[]>, repositoryName = 'repo'): RepositoryPlan {
  return planRepository({ repositoryName, images }, rs, NOW, inUse ? { inUse } : {});
}

function byName(p: RepositoryPlan, name: string): PlannedImage {
  const found = p.images.find((i) => i.imageDigest === d(name));
  if (!found) throw new Error(`no image ${name} in plan`);
  return found;
}

describe('in-use images in the planner', () => {
  it('an in-use image is kept whatever the rules, its reason names the consumer and its usages are in the plan', () => {
    const images = [img('A', 30, ['v1']), img('B', 30, ['v2'])];
    const p = plan(images, deleteAll, new Map([[d('A'), [ECS]]]));
    expect(byName(p, 'A')).toMatchObject({
      decision: 'keep',
      rule: null,
      reason: `keep: in use by ${ECS.consumer} (rule old would delete it)`,
      usages: [ECS],
    });
    expect(byName(p, 'B').decision).toBe('delete');
    expect(byName(p, 'B').usages).toBeUndefined();
    expect(p.counts).toMatchObject({ delete: 1, keep: 1 });
  });

  it('several consumers: the first, and how many more', () => {
    const p = plan([img('A', 30)], deleteAll, new Map([[d('A'), [LAMBDA, ECS]]]));
    expect(byName(p, 'A').reason).toBe(`keep: in use by ${LAMBDA.consumer} and 1 more (rule old would delete it)`);
    expect(byName(p, 'A').usages).toEqual([LAMBDA, ECS]);
  });

  it('beats protect.tags and transitions: the reason is the usage, and an in-use image is never archived', () => {
    const rs = ruleSet([rule('arch', { tagStatus: 'any' }, pushedDays(1), { type: 'transition', targetStorageClass: 'archive' })], { protectTags: ['v*'] });
    const p = plan([img('A', 30, ['v1']), img('B', 30)], rs, new Map([[d('A'), [ECS]], [d('B'), [LAMBDA]]]));
    expect(byName(p, 'A').reason).toBe(`keep: in use by ${ECS.consumer} (rule arch would transition it)`);
    expect(byName(p, 'B').decision).toBe('keep');
  });

  it('an in-use index keeps its children and its referrers', () => {
    const images = [
      img('I', 30, ['v1'], { imageManifestMediaType: INDEX, childDigests: [d('c1'), d('c2')] }),
      img('c1', 30),
      img('c2', 30),
      img('S', 30, [], { subjectManifestDigest: d('I') }),
    ];
    const p = plan(images, deleteAll, new Map([[d('I'), [ECS]]]));
    for (const name of ['I', 'c1', 'c2', 'S']) expect(byName(p, name).decision, name).toBe('keep');
    expect(byName(p, 'c1').reason).toMatch(/^keep: child of kept index/);
    expect(p.counts.delete).toBe(0);
  });

  it('an in-use child keeps its index (and so the index keeps its other children)', () => {
    const images = [
      img('I', 30, ['v1'], { imageManifestMediaType: INDEX, childDigests: [d('c1'), d('c2')] }),
      img('c1', 30),
      img('c2', 30),
      img('X', 30),
    ];
    const p = plan(images, deleteAll, new Map([[d('c1'), [ECS]]]));
    expect(byName(p, 'I')).toMatchObject({ decision: 'keep', reason: expect.stringMatching(new RegExp(`^keep: index of in-use child sha256:6331\\S* \\(in use by ${ECS.consumer.replace(/[()]/g, '\\$&')}\\)`)) });
    expect(byName(p, 'c1').reason).toMatch(/^keep: in use by ECS service/);
    expect(byName(p, 'c2').decision).toBe('keep');
    expect(byName(p, 'X').decision).toBe('delete');
  });

  it('an in-use referrer keeps its subject (shared fate)', () => {
    const images = [img('S', 30, ['v1']), img('sig', 30, [], { subjectManifestDigest: d('S') })];
    const p = plan(images, deleteAll, new Map([[d('sig'), [ECS]]]));
    expect(byName(p, 'S').decision).toBe('keep');
    expect(byName(p, 'sig').reason).toMatch(/^keep: in use by/);
  });

  it('a protected or unmanaged repository still carries the usages', () => {
    const rs = ruleSet([rule('old', { tagStatus: 'any' }, count(0))], { protectRepos: ['repo'] });
    const p = plan([img('A', 30)], rs, new Map([[d('A'), [ECS]]]));
    expect(p.status).toBe('protected');
    expect(byName(p, 'A').usages).toEqual([ECS]);
  });

  it('usages of digests the repository does not hold, or an empty map, change nothing', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const without = plan(images, rs);
        expect(plan(images, rs, new Map())).toEqual(without);
        expect(plan(images, rs, new Map([[d('not-here'), [ECS]]]))).toEqual(without);
      }),
      { numRuns: 200 },
    );
  });
});

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const inUseArb = fc.record({
  byPosition: fc.array(fc.nat(), { maxLength: 4 }),
  byTag: fc.array(fc.constantFrom(...TAGS), { maxLength: 2 }),
});

describe('in-use invariants (fast-check)', () => {
  it('nothing in use, nor what it needs, is deleted or archived, and executing the plan leaves all of it present', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, inUseArb, (images, rs, pick) => {
        if (images.length === 0) return;
        const usages: InUseUsage[] = [
          ...pick.byPosition.map((k, n): InUseUsage => ({ consumer: `c${n}`, source: 'ecs', reference: `${HOST}/repo@${images[k % images.length]!.imageDigest}` })),
          ...pick.byTag.map((t, n): InUseUsage => ({ consumer: `t${n}`, source: 'file', reference: `${HOST}/repo:${t}` })),
        ];
        const resolved = resolveInUse({ accountId: '123456789012', region: 'eu-west-1' }, usages, [{ repositoryName: 'repo', images }]);
        const inUse = resolved.byRepository.get('repo') ?? new Map<string, InUseUsage[]>();
        const p = plan(images, rs, inUse);

        // What must stay, from the relations: in-use images and the indexes above them; then
        // whatever a kept manifest holds (children, referrers) and the subject of a kept referrer.
        const graph = buildImageGraph(images);
        const must = new Set<number>();
        const queue: number[] = [];
        const add = (i: number) => {
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
        const decision = new Map(p.images.map((i) => [i.imageDigest, i]));
        for (const i of must) {
          const planned = decision.get(graph.nodes[i]!.digest)!;
          expect(planned.decision, `${planned.imageDigest}: ${planned.reason}`).toBe('keep');
        }
        // Executing the plan removes exactly the deleted digests: every in-use image remains.
        const remaining = new Set(p.images.filter((i) => i.decision !== 'delete').map((i) => i.imageDigest));
        for (const digest of inUse.keys()) expect(remaining.has(digest)).toBe(true);
        // The plan carries the usages of exactly the in-use images.
        for (const i of p.images) expect(i.usages).toEqual(inUse.get(i.imageDigest));
        for (const [digest, list] of inUse) expect(decision.get(digest)!.reason).toContain(`in use by ${list[0]!.consumer}`);
      }),
      { numRuns: 400 },
    );
  });
});
