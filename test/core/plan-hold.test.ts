import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdRepositoryPlan } from '../../lib/core/plan-hold.js';
import { planRepository } from '../../lib/core/planner.js';
import { repository, ruleSetArb } from '../planner/arbitraries.js';
import { NOW, d, img, policy, pushedDays, rule, ruleSet } from '../planner/builders.js';

describe('holdRepositoryPlan', () => {
  it('holds every deletion as a keep that says why and what the rules would do, and the counts say nothing happens', () => {
    const rules = ruleSet([rule('old', { tagStatus: 'untagged' }, pushedDays(7))], { policies: [policy([rule('old', { tagStatus: 'untagged' }, pushedDays(7))])] });
    const plan = planRepository({ repositoryName: 'app', images: [img('a', 9), img('b', 8, ['v1']), img('c', 1)] }, rules, NOW);
    expect(plan.counts.delete).toBe(1);
    const held = holdRepositoryPlan(plan, 'in-use source ECS could not be read (AccessDeniedException)');
    expect(held).toMatchObject({ status: 'blocked', statusReason: 'in-use source ECS could not be read (AccessDeniedException)' });
    expect(held.counts).toEqual({ images: 3, delete: 0, transition: 0, keep: 3, bytesToFree: 0 });
    const a = held.images.find((i) => i.imageDigest === d('a'))!;
    expect(a).toMatchObject({ decision: 'keep', rule: null });
    expect(a.reason).toMatch(/^keep: repository blocked, in-use source ECS could not be read \(AccessDeniedException\); without the block: delete: untagged, pushed 9d/);
    // The plan it was made from is untouched (a checkpoint may hold it).
    expect(plan.status).toBe('planned');
    expect(plan.images.find((i) => i.imageDigest === d('a'))!.decision).toBe('delete');
  });

  it('returns a plan with nothing to delete or archive as it is', () => {
    const plan = planRepository({ repositoryName: 'app', images: [img('c', 1)] }, ruleSet([rule('old', {}, pushedDays(7))]), NOW);
    expect(holdRepositoryPlan(plan, 'why')).toBe(plan);
  });

  it('property: a held plan deletes and archives nothing, keeps every image, and its counts agree with its images', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rules) => {
        const plan = planRepository({ repositoryName: 'app', images }, rules, NOW);
        const held = holdRepositoryPlan(plan, 'held');
        expect(held.images.every((i) => i.decision === 'keep')).toBe(true);
        expect(held.images.map((i) => i.imageDigest)).toEqual(plan.images.map((i) => i.imageDigest));
        expect(held.counts.keep).toBe(held.images.length);
        expect(held.counts).toMatchObject({ delete: 0, transition: 0, bytesToFree: 0, images: plan.counts.images });
      }),
      { numRuns: 200 },
    );
  });
});
