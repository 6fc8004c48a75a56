/** Input the registry may really send: missing fields, duplicates, broken indexes, cycles. */
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionOrder, planRepository } from '../../lib/core/planner.js';
import type { Rule } from '../../lib/core/rules-model.js';
import { count, d, img, NOW, pushedDays, rule, ruleSet } from './builders.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';

function plan(images: ImageRecord[], rules: Rule[]): RepositoryPlan {
  return planRepository({ repositoryName: 'repo', images }, ruleSet(rules), NOW);
}

function byName(p: RepositoryPlan, name: string): PlannedImage {
  return p.images.find((i) => i.imageDigest === d(name))!;
}

const anyOlderThan = (days: number) => [rule('old', {}, pushedDays(days))];

describe('messy input', () => {
  it('tags absent, empty or duplicated: deduplicated and sorted; absent and empty both mean untagged', () => {
    const p = plan(
      [
        { ...img('a', 30), imageTags: undefined },
        img('b', 30, []),
        img('c', 30, ['x', 'b', 'x', 'a']),
      ],
      [rule('untagged', { tagStatus: 'untagged' }, pushedDays(7))],
    );
    expect(byName(p, 'c').imageTags).toEqual(['a', 'b', 'x']);
    expect([byName(p, 'a').decision, byName(p, 'b').decision, byName(p, 'c').decision]).toEqual(['delete', 'delete', 'keep']);
  });

  it('the same digest listed twice is one image: tags united, the later push time (younger) wins', () => {
    const p = plan([img('a', 30, ['x']), img('a', 3, ['y']), img('b', 40)], anyOlderThan(7));
    expect(p.images).toHaveLength(2);
    expect(byName(p, 'a')).toMatchObject({ imageTags: ['x', 'y'], decision: 'keep' });
  });

  it('an image without a push time is never deleted and not ranked by count rules', () => {
    const p = plan([{ ...img('a', 0), imagePushedAt: undefined }, img('b', 3), img('c', 5)], [rule('keep1', {}, count(1))]);
    expect(byName(p, 'a')).toMatchObject({ decision: 'keep', pushedAt: null, reason: "keep: no push time, so 'keep1' cannot rank it (rule keeps 1)" });
    expect([byName(p, 'b').decision, byName(p, 'c').decision]).toEqual(['keep', 'delete']);
    const aged = plan([{ ...img('a', 0), imagePushedAt: undefined }], anyOlderThan(0));
    expect(byName(aged, 'a').decision).toBe('keep');
  });

  it('a child without a push time is kept even when its index is deleted', () => {
    const p = plan(
      [img('I', 30, ['v1'], { imageManifestMediaType: INDEX, childDigests: [d('c')] }), { ...img('c', 0), imagePushedAt: undefined }],
      anyOlderThan(7),
    );
    expect(byName(p, 'I').decision).toBe('delete');
    expect(byName(p, 'c').reason).toBe('keep: no push time recorded, so its age is unknown (rule old would delete it)');
  });

  it('impossible timestamps are treated as missing instead of crashing', () => {
    const p = plan([{ ...img('a', 0), imagePushedAt: 1e300 }, { ...img('b', 30), lastRecordedPullTime: Number.NaN }], anyOlderThan(7));
    expect(byName(p, 'a')).toMatchObject({ pushedAt: null, decision: 'keep' });
    expect(byName(p, 'b')).toMatchObject({ lastPulledAt: null, decision: 'delete' });
  });

  it('a missing size counts 0 bytes to free and is never weighed by size rules', () => {
    const p = plan([{ ...img('a', 30), imageSizeInBytes: undefined }, img('b', 30)], anyOlderThan(7));
    expect(p.counts).toMatchObject({ delete: 2, bytesToFree: 1000 });
    expect(byName(p, 'a').sizeInBytes).toBeNull();
  });

  it('an orphan child (untagged, no index references it) is an ordinary untagged image', () => {
    const p = plan([img('orphan', 30, [], { imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' })], [rule('untagged', { tagStatus: 'untagged' }, pushedDays(7))]);
    expect(byName(p, 'orphan')).toMatchObject({ role: 'image', decision: 'delete', rule: 'untagged' });
  });

  it('an index that lists children missing from the repository still works', () => {
    const p = plan([img('I', 30, ['v1'], { imageManifestMediaType: INDEX, childDigests: [d('gone'), d('c')] }), img('c', 30)], anyOlderThan(7));
    expect([byName(p, 'I').decision, byName(p, 'c').decision]).toEqual(['delete', 'delete']);
  });

  it('an index whose manifest could not be read is kept, and so is every untagged image that may be its child', () => {
    const p = plan(
      [img('I', 30, ['v1'], { imageManifestMediaType: INDEX }), img('u', 30), img('t', 30, ['tagged'])],
      anyOlderThan(7),
    );
    expect(byName(p, 'I')).toMatchObject({ role: 'index', decision: 'keep', reason: 'keep: index manifest could not be read, so its children are unknown (rule old would delete it)' });
    expect(byName(p, 'u').reason).toBe(
      'keep: untagged, and index sha256:490000000000… could not be read, so this may be one of its children (rule old would delete it)',
    );
    expect(byName(p, 't').decision).toBe('delete');
  });

  it('reference cycles (impossible with content digests, possible in bad data) are kept', () => {
    const p = plan(
      [
        img('x', 30, [], { imageManifestMediaType: INDEX, childDigests: [d('y')] }),
        img('y', 30, [], { imageManifestMediaType: INDEX, childDigests: [d('x')] }),
        img('s', 30, [], { subjectManifestDigest: d('s') }),
      ],
      anyOlderThan(7),
    );
    for (const n of ['x', 'y', 's']) {
      expect(byName(p, n)).toMatchObject({ decision: 'keep', reason: 'keep: part of a reference cycle (indexes or referrers that hold each other), never deleted' });
    }
  });

  it('disagreeing storage status on duplicate records keeps the image (no rule selects ACTIVATING)', () => {
    const p = plan([img('a', 30), img('a', 30, [], { imageStatus: 'ARCHIVED' })], anyOlderThan(7));
    expect(byName(p, 'a').decision).toBe('keep');
  });

  it('a referrer that is also a child of its own subject (bad data): deleted after the index, as ECR requires', () => {
    // Found by the deletionOrder property: the two orders conflict and the index order must win.
    const p = plan(
      [img('I', 30, ['v1'], { imageManifestMediaType: INDEX, childDigests: [d('r')] }), img('r', 30, [], { subjectManifestDigest: d('I') })],
      anyOlderThan(7),
    );
    expect(deletionOrder(p).map((i) => i.imageDigest)).toEqual([d('I'), d('r')]);
  });

  it('an empty repository plans to nothing', () => {
    expect(plan([], anyOlderThan(7))).toMatchObject({ status: 'planned', images: [], counts: { images: 0, delete: 0 } });
  });
});
