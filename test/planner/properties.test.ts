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
import type { Condition, Rule, RuleSet } from '../../lib/core/rules-model.js';
import { compileTagPattern, matchesAllPatterns, matchesAnyTag } from '../../lib/core/tag-pattern.js';
import { DAY, HOUR, NOW } from './builders.js';

const TAGS = ['latest', 'v1.0.0', 'v1.2.0', 'v2.0.0', 'prod-1', 'prod-2', 'beta-1', 'pr-7', 'main', 'x'];
const PATTERNS = ['v*', 'prod*', 'beta*', '/pr-\\d+/', '*', 'ma?n', 'latest'];
const INDEX = 'application/vnd.oci.image.index.v1+json';
const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

/** A raw image before relations are wired: relations pick other images by position. */
const rawImage = fc.record({
  tags: fc.oneof(fc.constant(undefined), fc.array(fc.constantFrom(...TAGS), { maxLength: 3 })),
  ageHours: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 60 * 24 }) }, { weight: 1, arbitrary: fc.constant(-1) }),
  pulledHours: fc.option(fc.integer({ min: 0, max: 60 * 24 })),
  size: fc.option(fc.integer({ min: 0, max: 5000 })),
  status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'ARCHIVED', 'ACTIVATING', undefined),
  archivedHours: fc.option(fc.integer({ min: 0, max: 400 * 24 })),
  kind: fc.constantFrom('plain', 'plain', 'plain', 'index', 'unreadable-index', 'referrer', 'cosign'),
  links: fc.array(fc.nat(), { maxLength: 3 }),
});

// Some records are listed twice (messy input), with other tags and times.
const duplicate = fc.record({ of: fc.nat(), tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 2 }), ageHours: fc.integer({ min: 0, max: 60 * 24 }) });
// Unreadable indexes keep every untagged image, so only some repositories get them.
const repository = fc
  .tuple(fc.array(rawImage, { maxLength: 24, size: 'max' }), fc.integer({ min: 0, max: 4 }), fc.array(duplicate, { maxLength: 2 }))
  .map(([raws, unreadableOdds, duplicates]): ImageRecord[] => {
    const records = raws.map((r, i) => {
      const record: ImageRecord = { imageDigest: digestOf(i) };
      if (r.tags !== undefined) record.imageTags = [...r.tags];
      if (r.ageHours >= 0) record.imagePushedAt = NOW - r.ageHours * HOUR;
      if (r.pulledHours !== null) record.lastRecordedPullTime = NOW - r.pulledHours * HOUR;
      if (r.size !== null) record.imageSizeInBytes = r.size;
      if (r.status !== undefined) record.imageStatus = r.status as ImageRecord['imageStatus'];
      if (r.archivedHours !== null) record.lastArchivedAt = NOW - r.archivedHours * HOUR;
      const others = r.links.map((l) => l % raws.length);
      if (r.kind === 'index') {
        record.imageManifestMediaType = INDEX;
        record.childDigests = others.map(digestOf);
      } else if (r.kind === 'unreadable-index') {
        record.imageManifestMediaType = INDEX;
        if (unreadableOdds > 0) record.childDigests = others.map(digestOf);
      } else if (r.kind === 'referrer' && others.length > 0) {
        record.subjectManifestDigest = digestOf(others[0]!);
      } else if (r.kind === 'cosign' && others.length > 0) {
        record.imageTags = [`sha256-${digestOf(others[0]!).slice(7)}.sig`];
      }
      return record;
    });
    for (const dup of duplicates) {
      if (records.length === 0) break;
      const of = records[dup.of % records.length]!;
      records.push({ ...of, imageTags: dup.tags, imagePushedAt: NOW - dup.ageHours * HOUR });
    }
    return records;
  });

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ type: fc.constant('imageCountMoreThan' as const), count: fc.integer({ min: 0, max: 6 }), orderBy: fc.constantFrom('pushedAt' as const, 'semver' as const) }),
  fc.record({ type: fc.constant('sinceImagePushed' as const), ms: fc.integer({ min: 0, max: 40 }).map((n) => n * DAY) }),
  fc.record({ type: fc.constant('sinceImagePulled' as const), ms: fc.integer({ min: 0, max: 40 }).map((n) => n * DAY) }),
  fc.record({ type: fc.constant('sinceImageTransitioned' as const), ms: fc.integer({ min: 0, max: 400 }).map((n) => n * DAY) }),
  fc.record({ type: fc.constant('sizeLargerThan' as const), bytes: fc.integer({ min: 0, max: 6000 }) }),
  fc.record({ type: fc.constant('totalSizeMoreThan' as const), bytes: fc.integer({ min: 0, max: 20000 }) }),
);

const ruleArb = fc
  .record({
    tagStatus: fc.constantFrom('tagged' as const, 'untagged' as const, 'any' as const),
    tagPatterns: fc.array(fc.constantFrom(...PATTERNS), { maxLength: 2 }),
    excludeTagPatterns: fc.array(fc.constantFrom(...PATTERNS), { maxLength: 1 }),
    storageClass: fc.constantFrom('standard' as const, 'standard' as const, 'archive' as const),
    condition,
    transition: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  })
  .map(
    (r): Omit<Rule, 'id'> => ({
      selection: {
        tagStatus: r.tagStatus,
        tagPatterns: r.tagStatus === 'untagged' ? [] : r.tagPatterns,
        excludeTagPatterns: r.excludeTagPatterns,
        storageClass: r.storageClass,
      },
      condition: r.condition,
      action: r.transition && r.storageClass === 'standard' ? { type: 'transition', targetStorageClass: 'archive' } : { type: 'expire' },
    }),
  );

const ruleSetArb: fc.Arbitrary<RuleSet> = fc
  .record({
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 4, size: 'max' }),
    minAgeHours: fc.integer({ min: 0, max: 72 }),
    protectTags: fc.array(fc.constantFrom('latest', 'main', 'v2*', '/prod-\\d/'), { maxLength: 2 }),
    maxPercent: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 100 }) }),
    budget: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }) }),
  })
  .map((r) => ({
    defaults: { mode: 'dry-run' as const, minAgeMs: r.minAgeHours * HOUR, maxDeletionsPerRun: r.budget, maxDeletePercentPerRepository: r.maxPercent },
    protect: { tags: r.protectTags, repositories: [] },
    policies: [{ name: 'p', repositories: { include: ['**'], exclude: [] }, rules: r.rules.map((x, i) => ({ ...x, id: `r${i}` })), origin: 'rules' as const }],
  }));

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
