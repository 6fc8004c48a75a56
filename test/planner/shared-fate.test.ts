/**
 * Shared fate: a subject and its referrers (transitively) stay or go together. A referrer kept
 * for a reason of its own (grace, a protected tag, no push time, a kept index) keeps its subject,
 * and everything the subject holds follows it. Issue 11 §3: a signature pushed an hour ago was
 * kept by minAge while its subject pr-5 was deleted, leaving a signature of nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { planRegistry, planRepository } from '../../lib/core/planner.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import { count, d, DAY, HOUR, img, NOW, pushedDays, rule, ruleSet } from './builders.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const hexOf = (name: string) => d(name).slice('sha256:'.length);
const cosignTag = (subject: string, kind = 'sig') => `sha256-${hexOf(subject)}.${kind}`;
const short = (name: string) => `${d(name).slice(0, 19)}…`;
const hoursAgo = (h: number) => h / 24;

function plan(images: ImageRecord[], rs: RuleSet): RepositoryPlan {
  return planRepository({ repositoryName: 'repo', images }, rs, NOW);
}

function byName(p: RepositoryPlan, name: string): PlannedImage {
  const found = p.images.find((i) => i.imageDigest === d(name));
  if (!found) throw new Error(`no image ${name} in plan`);
  return found;
}

function decisions(p: RepositoryPlan, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, byName(p, n).decision]));
}

const prBuilds = [rule('pr', { tagStatus: 'tagged', tagPatterns: ['pr-*'] }, pushedDays(14))];
const keepNewest = (n: number) => [rule('keep-n', {}, count(n))];

describe('shared fate of a subject and its referrers', () => {
  it("the issue's case: pr-5 deleted by a rule, its signature pushed 1h ago, minAge 3d → both kept", () => {
    const images = [img('pr5', 20, ['pr-5']), img('sig', hoursAgo(1), [cosignTag('pr5')])];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: 3 * DAY }));
    expect(decisions(p, ['pr5', 'sig'])).toEqual({ pr5: 'keep', sig: 'keep' });
    expect(byName(p, 'pr5')).toMatchObject({ rule: null, role: 'image' });
    expect(byName(p, 'pr5').reason).toBe(
      `keep: referrer ${short('sig')} of this image is kept (pushed 1h ago < minAge 3d); without it: delete: pushed 20d ago > 14d (rule pr)`,
    );
    expect(byName(p, 'sig').reason).toBe('keep: younger than minAge 3d (pushed 1h ago) (rule pr would delete it)');
    expect(p.counts).toMatchObject({ delete: 0, keep: 2 });
  });

  it('the same with an OCI referrer (subjectManifestDigest), and its older siblings stay with the subject', () => {
    const images = [
      img('pr5', 20, ['pr-5']),
      img('sbom', hoursAgo(2), [], { subjectManifestDigest: d('pr5') }),
      img('att', 19, [cosignTag('pr5', 'att')]),
    ];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: 3 * DAY }));
    expect(decisions(p, ['pr5', 'sbom', 'att'])).toEqual({ pr5: 'keep', sbom: 'keep', att: 'keep' });
    expect(byName(p, 'att').reason).toBe(`keep: referrer of kept subject ${short('pr5')}`);
  });

  it('transitively: a young signature of an SBOM keeps the SBOM, which keeps the image', () => {
    const images = [
      img('app', 30, ['pr-1']),
      img('sbom', 30, [], { subjectManifestDigest: d('app') }),
      img('sig', hoursAgo(5), [], { subjectManifestDigest: d('sbom') }),
    ];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: DAY }));
    expect(decisions(p, ['app', 'sbom', 'sig'])).toEqual({ app: 'keep', sbom: 'keep', sig: 'keep' });
    expect(byName(p, 'sbom').reason).toBe(
      `keep: referrer ${short('sig')} of this image is kept (pushed 5h ago < minAge 1d); without it: delete: referrer of deleted subject ${short('app')} (rule pr)`,
    );
    expect(byName(p, 'app').reason).toBe(
      `keep: referrer ${short('sbom')} of this image is kept (its referrer ${short('sig')} is kept, pushed 5h ago < minAge 1d); without it: delete: pushed 30d ago > 14d (rule pr)`,
    );
  });

  it('a referrer kept by a protected tag keeps its subject', () => {
    const images = [img('pr5', 20, ['pr-5']), img('sig', 20, ['audit-2026'], { subjectManifestDigest: d('pr5') })];
    const p = plan(images, ruleSet(prBuilds, { protectTags: ['audit-*'] }));
    expect(decisions(p, ['pr5', 'sig'])).toEqual({ pr5: 'keep', sig: 'keep' });
    expect(byName(p, 'pr5').reason).toMatch(/^keep: referrer sha256:\S+ of this image is kept \(protected tag 'audit-2026'\); without it: delete: /);
  });

  it('a referrer without a push time (age unknown) keeps its subject', () => {
    const images = [img('pr5', 20, ['pr-5']), { ...img('sig', 0, [cosignTag('pr5')]), imagePushedAt: undefined }];
    const p = plan(images, ruleSet(prBuilds));
    expect(decisions(p, ['pr5', 'sig'])).toEqual({ pr5: 'keep', sig: 'keep' });
    expect(byName(p, 'pr5').reason).toContain('is kept (no push time recorded)');
  });

  it('an index whose referrer is kept is kept, and so are its children', () => {
    const images = [
      img('I', 20, ['pr-9'], { imageManifestMediaType: INDEX, childDigests: [d('amd'), d('arm')] }),
      img('amd', 20),
      img('arm', 20),
      img('sig', hoursAgo(1), [cosignTag('I')]),
    ];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: DAY }));
    expect(decisions(p, ['I', 'amd', 'arm', 'sig'])).toEqual({ I: 'keep', amd: 'keep', arm: 'keep', sig: 'keep' });
    expect(byName(p, 'amd').reason).toBe(`keep: child of kept index ${short('I')}`);
  });

  it('a kept referrer of a platform child keeps the child; the index itself may go (a child outlives its index like a tagged child)', () => {
    const images = [
      img('I', 20, ['pr-9'], { imageManifestMediaType: INDEX, childDigests: [d('amd'), d('arm')] }),
      img('amd', 20),
      img('arm', 20),
      img('sig', hoursAgo(1), [], { subjectManifestDigest: d('amd') }),
    ];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: DAY }));
    expect(decisions(p, ['I', 'amd', 'arm', 'sig'])).toEqual({ I: 'delete', amd: 'keep', arm: 'delete', sig: 'keep' });
    expect(byName(p, 'amd').reason).toBe(
      `keep: referrer ${short('sig')} of this image is kept (pushed 1h ago < minAge 1d); without it: delete: child of deleted index ${short('I')} (rule pr)`,
    );
  });

  it('an archived subject with a young referrer is kept, not archived: one fate', () => {
    const archive = [rule('arch', {}, pushedDays(7), { type: 'transition', targetStorageClass: 'archive' })];
    const images = [img('app', 30, ['v1']), img('sig', hoursAgo(3), [cosignTag('app')]), img('att', 30, [cosignTag('app', 'att')])];
    const p = plan(images, ruleSet(archive, { minAgeMs: DAY }));
    expect(decisions(p, ['app', 'sig', 'att'])).toEqual({ app: 'keep', sig: 'keep', att: 'keep' });
    expect(byName(p, 'app').reason).toContain('without it: transition: pushed 30d ago > 7d (rule arch)');
  });

  it('bad data: a referrer that is also a child of an archived index stays, so its subject is kept (and the referrer with it)', () => {
    const rules = [
      rule('arch', { tagStatus: 'tagged', tagPatterns: ['arch-*'] }, pushedDays(7), { type: 'transition', targetStorageClass: 'archive' }),
      ...prBuilds,
    ];
    const images = [
      img('I', 30, ['arch-1'], { imageManifestMediaType: INDEX, childDigests: [d('X')] }),
      img('X', 30, [], { subjectManifestDigest: d('S') }),
      img('S', 30, ['pr-1']),
    ];
    const p = plan(images, ruleSet(rules));
    expect(decisions(p, ['I', 'X', 'S'])).toEqual({ I: 'transition', X: 'keep', S: 'keep' });
    expect(byName(p, 'S').reason).toBe(
      `keep: referrer ${short('X')} of this image stays (child of archived index ${short('I')} (rule arch)); without it: delete: pushed 30d ago > 14d (rule pr)`,
    );
  });

  it('a referrer whose subject is kept stays kept, whatever would have deleted it', () => {
    const images = [img('v2', 1, ['v2']), img('sig', 30, [cosignTag('v2')])];
    const p = plan(images, ruleSet(keepNewest(1)));
    expect(decisions(p, ['v2', 'sig'])).toEqual({ v2: 'keep', sig: 'keep' });
  });

  it('the reason names the same referrer whatever the input order (smallest digest among several)', () => {
    const images = [img('app', 30, ['pr-1']), img('s2', hoursAgo(1), [cosignTag('app')]), img('s1', hoursAgo(2), [], { subjectManifestDigest: d('app') })];
    const rs = ruleSet(prBuilds, { minAgeMs: DAY });
    const forward = plan(images, rs);
    expect(byName(forward, 'app').reason).toContain(`referrer ${short('s1')} of this image`);
    expect(plan([...images].reverse(), rs)).toEqual(forward);
  });

  it('safety limits count deletions after shared fate: kept subjects neither block the repository nor use the budget', () => {
    const images = [
      img('a', 30, ['pr-1']),
      img('sig', hoursAgo(1), [cosignTag('a')]),
      img('b', 30, ['pr-2']),
      img('c', 1, ['main']),
    ];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: DAY, maxPercent: 25 }));
    expect(p.status).toBe('planned');
    expect(decisions(p, ['a', 'sig', 'b', 'c'])).toEqual({ a: 'keep', sig: 'keep', b: 'delete', c: 'keep' });
    const run = planRegistry(
      [
        { repositoryName: 'one', images },
        { repositoryName: 'two', images: [img('x', 30, ['pr-3'])] },
      ],
      ruleSet(prBuilds, { minAgeMs: DAY, maxRun: 2 }),
      NOW,
    );
    expect(run.repositories.map((r) => [r.repositoryName, r.status, r.counts.delete])).toEqual([
      ['one', 'planned', 1],
      ['two', 'planned', 1],
    ]);
  });

  it('a blocked repository keeps everything, with the shared-fate reasons underneath', () => {
    const images = [img('a', 30, ['pr-1']), img('sig', HOUR / DAY, [cosignTag('a')]), img('b', 30, ['pr-2'])];
    const p = plan(images, ruleSet(prBuilds, { minAgeMs: DAY, maxPercent: 10 }));
    expect(p.status).toBe('blocked');
    expect(p.counts.delete).toBe(0);
    expect(byName(p, 'a').reason).toMatch(/^keep: referrer /);
    expect(byName(p, 'b').reason).toMatch(/^keep: repository blocked, it would delete 1 of 3 images/);
  });
});
