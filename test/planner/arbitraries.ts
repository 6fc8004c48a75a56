/**
 * fast-check arbitraries for planner properties: messy repositories (indexes, referrers, cosign
 * tags, duplicates, archived images, missing times) and rules and rule sets over them.
 */
import fc from 'fast-check';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { Condition, Rule, RuleSet } from '../../lib/core/rules-model.js';
import { DAY, HOUR, NOW } from './builders.js';

export const TAGS = ['latest', 'v1.0.0', 'v1.2.0', 'v2.0.0', 'prod-1', 'prod-2', 'beta-1', 'pr-7', 'main', 'x'];
export const PATTERNS = ['v*', 'prod*', 'beta*', '/pr-\\d+/', '*', 'ma?n', 'latest'];
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
export const repository = fc
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

export const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ type: fc.constant('imageCountMoreThan' as const), count: fc.integer({ min: 0, max: 6 }), orderBy: fc.constantFrom('pushedAt' as const, 'semver' as const) }),
  fc.record({ type: fc.constant('sinceImagePushed' as const), ms: fc.integer({ min: 0, max: 40 }).map((n) => n * DAY) }),
  fc.record({ type: fc.constant('sinceImagePulled' as const), ms: fc.integer({ min: 0, max: 40 }).map((n) => n * DAY) }),
  fc.record({ type: fc.constant('sinceImageTransitioned' as const), ms: fc.integer({ min: 0, max: 400 }).map((n) => n * DAY) }),
  fc.record({ type: fc.constant('sizeLargerThan' as const), bytes: fc.integer({ min: 0, max: 6000 }) }),
  fc.record({ type: fc.constant('totalSizeMoreThan' as const), bytes: fc.integer({ min: 0, max: 20000 }) }),
);

export const ruleArb = fc
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

export const ruleSetArb: fc.Arbitrary<RuleSet> = fc
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

