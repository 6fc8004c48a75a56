/**
 * Invariants of the planner over generated repositories (fast-check): whatever the images and
 * rules, protection and grace hold, indexes keep their children, subjects keep their referrers,
 * the plan does not depend on input order, and blocked repositories delete nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionOrder, planRepository } from '../../lib/core/planner.js';
import type { Rule, RuleSet } from '../../lib/core/rules-model.js';
import { compileTagPattern, matchesAllPatterns, matchesAnyTag } from '../../lib/core/tag-pattern.js';
import { NOW } from './builders.js';
import { repository, ruleSetArb } from './arbitraries.js';

const plan = (images: ImageRecord[], rs: RuleSet): RepositoryPlan => planRepository({ repositoryName: 'repo', images }, rs, NOW);
const acts = (i: PlannedImage) => i.decision !== 'keep';
const RUNS = { numRuns: 400 };

describe('planner invariants', () => {
  it('nothing with a protected tag, younger than minAge or without a push time is deleted or transitioned', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const protect = rs.protect.tags.map(compileTagPattern);
        for (const i of plan(images, rs).images) {
          if (!acts(i)) continue;
          expect(protect.some((p) => matchesAnyTag(p, i.imageTags))).toBe(false);
          expect(i.pushedAt).not.toBeNull();
          expect(NOW - Date.parse(i.pushedAt!)).toBeGreaterThanOrEqual(rs.defaults.minAgeMs);
        }
      }),
      RUNS,
    );
  });

  it('no kept index loses a child, and no kept subject loses a referrer', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const p = plan(images, rs);
        const decision = new Map(p.images.map((i) => [i.imageDigest, i.decision]));
        for (const i of p.images) {
          if (i.decision !== 'delete') continue;
          for (const parent of i.parentDigests ?? []) expect(decision.get(parent)).toBe('delete');
          if (i.subjectDigest !== undefined) expect(decision.get(i.subjectDigest)).toBe('delete');
        }
      }),
      RUNS,
    );
  });

  it('after the plan is executed, no remaining referrer has lost its subject and no remaining index has lost a child', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const p = plan(images, rs);
        // Executing the plan removes exactly the deleted digests; archived images stay.
        const remaining = new Set(p.images.filter((i) => i.decision !== 'delete').map((i) => i.imageDigest));
        const present = new Set(images.map((i) => i.imageDigest));
        for (const record of images) {
          if (!remaining.has(record.imageDigest)) continue;
          const subject = subjectOf(record, present);
          if (subject !== undefined) expect(remaining.has(subject), `referrer ${record.imageDigest} lost its subject ${subject}`).toBe(true);
          for (const child of record.childDigests ?? []) {
            if (present.has(child)) expect(remaining.has(child), `index ${record.imageDigest} lost its child ${child}`).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('the plan does not depend on the order of the input images', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, fc.infiniteStream(fc.nat()), (images, rs, seeds) => {
        const shuffled = images.map((img) => ({ img, key: seeds.next().value as number })).sort((a, b) => a.key - b.key).map((x) => x.img);
        expect(plan(shuffled, rs)).toEqual(plan(images, rs));
      }),
      RUNS,
    );
  });

  it('a pool image is deleted only by the first rule whose selection contains it', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const rules = rs.policies[0]!.rules;
        const status = new Map(images.map((i) => [i.imageDigest, i.imageStatus ?? 'ACTIVE']));
        for (const i of plan(images, rs).images) {
          if (i.decision !== 'delete' || (i.role !== 'image' && i.role !== 'index')) continue;
          const first = rules.find((r) => selectsForTest(r, i.imageTags, status.get(i.imageDigest)!));
          expect(i.rule).toBe(first?.id);
          expect(first?.action.type).toBe('expire');
        }
      }),
      RUNS,
    );
  });

  it('a blocked repository deletes nothing; a planned one stays within its limits', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const p = plan(images, rs);
        const deletes = p.images.filter((i) => i.decision === 'delete').length;
        expect(p.counts.delete).toBe(deletes);
        if (p.status === 'blocked') expect(deletes).toBe(0);
        const pct = rs.defaults.maxDeletePercentPerRepository;
        if (pct !== null) expect(deletes * 100).toBeLessThanOrEqual(pct * Math.max(1, p.images.length));
        if (rs.defaults.maxDeletionsPerRun !== null) expect(deletes).toBeLessThanOrEqual(rs.defaults.maxDeletionsPerRun);
      }),
      RUNS,
    );
  });

  it('every image has a reason that starts with its decision, and counts add up', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const p = plan(images, rs);
        for (const i of p.images) expect(i.reason.startsWith(`${i.decision}: `)).toBe(true);
        expect(p.counts.delete + p.counts.keep + p.counts.transition).toBe(p.counts.images);
        expect(p.counts.images).toBe(new Set(images.map((i) => i.imageDigest)).size);
        expect(new Set(p.images.map((i) => i.imageDigest)).size).toBe(p.images.length);
      }),
      RUNS,
    );
  });

  it('deletionOrder puts every index before its children, and every referrer that is not a child before its subject', () => {
    fc.assert(
      fc.property(repository, ruleSetArb, (images, rs) => {
        const p = plan(images, rs);
        const order = deletionOrder(p);
        const position = new Map(order.map((i, k) => [i.imageDigest, k]));
        expect(order.length).toBe(p.counts.delete);
        for (const i of order) {
          for (const parent of i.parentDigests ?? []) expect(position.get(parent)!).toBeLessThan(position.get(i.imageDigest)!);
          // A referrer that is also a child (only in bad data) may conflict; the index order wins.
          if (i.subjectDigest !== undefined && !i.parentDigests) expect(position.get(i.imageDigest)!).toBeLessThan(position.get(i.subjectDigest)!);
        }
      }),
      RUNS,
    );
  });
});

/**
 * An independent restatement of what a record refers to: its OCI subject if that is in the
 * repository, else the digest a cosign tag (`sha256-<hex>.sig|.att|.sbom`) names, if present.
 */
function subjectOf(record: ImageRecord, present: ReadonlySet<string>): string | undefined {
  if (record.subjectManifestDigest !== undefined && present.has(record.subjectManifestDigest)) return record.subjectManifestDigest;
  for (const tag of record.imageTags ?? []) {
    const m = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/.exec(tag);
    const digest = m ? `sha256:${m[1]}` : undefined;
    if (digest !== undefined && digest !== record.imageDigest && present.has(digest)) return digest;
  }
  return undefined;
}

/** An independent restatement of a rule's selection, to check the planner's claim logic. */
function selectsForTest(r: Rule, tags: readonly string[], status: string): boolean {
  const s = r.selection;
  if ((s.storageClass === 'standard' ? 'ACTIVE' : 'ARCHIVED') !== status) return false;
  if (s.tagStatus === 'tagged' && tags.length === 0) return false;
  if (s.tagStatus === 'untagged' && tags.length > 0) return false;
  if (!matchesAllPatterns(s.tagPatterns.map(compileTagPattern), tags)) return false;
  return !s.excludeTagPatterns.map(compileTagPattern).some((p) => matchesAnyTag(p, tags));
}
