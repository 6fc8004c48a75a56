/**
 * The protections ECR's lifecycle policies lack: multi-arch indexes and their children,
 * referrers (OCI subject and cosign tags), grace minAge, protect lists and safety limits.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import type { PlannedImage, RepositoryPlan } from '../../lib/core/plan-model.js';
import { deletionLayers, deletionOrder, planRegistry, planRepository } from '../../lib/core/planner.js';
import type { Rule, RuleSet } from '../../lib/core/rules-model.js';
import { count, d, DAY, HOUR, img, NOW, policy, pushedDays, rule, ruleSet } from './builders.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

function index(name: string, daysAgo: number, tags: string[], children: string[], extra: Partial<ImageRecord> = {}): ImageRecord {
  return img(name, daysAgo, tags, { imageManifestMediaType: INDEX, childDigests: children.map(d), ...extra });
}

function plan(images: ImageRecord[], rs: RuleSet, repositoryName = 'repo'): RepositoryPlan {
  return planRepository({ repositoryName, images }, rs, NOW);
}

function byName(p: RepositoryPlan, name: string): PlannedImage {
  const found = p.images.find((i) => i.imageDigest === d(name));
  if (!found) throw new Error(`no image ${name} in plan`);
  return found;
}

function decisions(p: RepositoryPlan, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, byName(p, n).decision]));
}

const keepNewestTagged = (n: number): Rule[] => [rule('keep-n', { tagStatus: 'any' }, count(n))];

describe('multi-arch images', () => {
  // Two indexes, each with two platform children; the older index shares child "s" with the newer.
  const images = (): ImageRecord[] => [
    index('I1', 10, ['v1'], ['a1', 'a2', 's']),
    img('a1', 10),
    img('a2', 10),
    img('s', 10),
    index('I2', 5, ['v2'], ['b1', 's'], { imageManifestMediaType: LIST }),
    img('b1', 5),
  ];

  it('count rules rank indexes, not their children: keep 1 keeps the newest index and deletes the older', () => {
    const p = plan(images(), ruleSet(keepNewestTagged(1)));
    expect(decisions(p, ['I1', 'a1', 'a2', 's', 'I2', 'b1'])).toEqual({
      I1: 'delete',
      a1: 'delete',
      a2: 'delete',
      s: 'keep',
      I2: 'keep',
      b1: 'keep',
    });
    expect(byName(p, 'I1').role).toBe('index');
    expect(byName(p, 'a1')).toMatchObject({ role: 'child', parentDigests: [d('I1')], rule: 'keep-n' });
    expect(byName(p, 'a1').reason).toBe(`delete: child of deleted index sha256:493100000000… (rule keep-n)`);
  });

  it('a child shared by a kept and a deleted index is kept (reference counting)', () => {
    const p = plan(images(), ruleSet(keepNewestTagged(1)));
    expect(byName(p, 's')).toMatchObject({ decision: 'keep', rule: null, parentDigests: [d('I1'), d('I2')] });
    expect(byName(p, 's').reason).toBe('keep: child of kept index sha256:493200000000…');
  });

  it('children are never candidates on their own: an untagged rule does not touch them while their index is kept', () => {
    const p = plan(images(), ruleSet([rule('untagged', { tagStatus: 'untagged' }, pushedDays(1))]));
    expect(p.counts.delete).toBe(0);
    expect(byName(p, 'a1').reason).toBe('keep: child of kept index sha256:493100000000…');
  });

  it('children are not counted by count rules: keep 2 keeps both indexes though children are older', () => {
    const p = plan(images(), ruleSet(keepNewestTagged(2)));
    expect(p.counts.delete).toBe(0);
  });

  it('a nested index is a child: deleted only with its outer index, and its own children follow it', () => {
    const nested = [index('O', 10, ['v1'], ['N']), index('N', 10, [], ['c']), img('c', 10), img('new', 1, ['v2'])];
    const p = plan(nested, ruleSet(keepNewestTagged(1)));
    expect(decisions(p, ['O', 'N', 'c', 'new'])).toEqual({ O: 'delete', N: 'delete', c: 'delete', new: 'keep' });
    expect(deletionOrder(p).map((i) => i.imageDigest)).toEqual([d('O'), d('N'), d('c')]);
  });

  it('a tagged child whose index is deleted is kept: someone may pull its tag; it is ranked on its own next run', () => {
    const p = plan([index('I', 10, ['v1'], ['amd']), img('amd', 10, ['v1-amd64']), img('new', 1, ['v2'])], ruleSet(keepNewestTagged(1)));
    expect(decisions(p, ['I', 'amd'])).toEqual({ I: 'delete', amd: 'keep' });
    expect(byName(p, 'amd').reason).toContain("own tags 'v1-amd64'");
  });

  it('bytes to free count children, not the index (its reported size is its largest child)', () => {
    const imgs = [
      index('I', 10, ['v1'], ['a', 'b'], { imageSizeInBytes: 700 }),
      img('a', 10, [], { imageSizeInBytes: 700 }),
      img('b', 10, [], { imageSizeInBytes: 300 }),
      img('new', 1, ['v2'], { imageSizeInBytes: 50 }),
    ];
    expect(plan(imgs, ruleSet(keepNewestTagged(1))).counts).toMatchObject({ delete: 3, bytesToFree: 1000 });
  });

  it('size rules weigh an index by the sum of its children', () => {
    const imgs = [
      index('I', 10, ['v1'], ['a', 'b'], { imageSizeInBytes: 700 }),
      img('a', 10, [], { imageSizeInBytes: 700 }),
      img('b', 10, [], { imageSizeInBytes: 300 }),
    ];
    const large = (bytes: number) => ruleSet([rule('big', {}, { type: 'sizeLargerThan', bytes })]);
    expect(byName(plan(imgs, large(999)), 'I').decision).toBe('delete');
    expect(byName(plan(imgs, large(1000)), 'I').reason).toBe('keep: 1000 B is not more than 1000 B (rule big)');
  });
});

describe('referrers', () => {
  const hexOf = (name: string) => d(name).slice('sha256:'.length);
  const images = (): ImageRecord[] => [
    img('old', 10, ['v1']),
    img('sig', 1, [], { subjectManifestDigest: d('old'), artifactMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json' }),
    img('cosig', 9, [`sha256-${hexOf('old')}.sig`]),
    img('att', 9, [`sha256-${hexOf('old')}.att`]),
    img('sbom', 9, [`sha256-${hexOf('new')}.sbom`]),
    img('new', 2, ['v2']),
  ];

  it('follow their subject: deleted with a deleted subject, kept with a kept one, never counted as images', () => {
    const p = plan(images(), ruleSet(keepNewestTagged(1)));
    expect(decisions(p, ['old', 'sig', 'cosig', 'att', 'sbom', 'new'])).toEqual({
      old: 'delete',
      sig: 'delete',
      cosig: 'delete',
      att: 'delete',
      sbom: 'keep',
      new: 'keep',
    });
    expect(byName(p, 'cosig')).toMatchObject({ role: 'referrer', subjectDigest: d('old') });
    expect(byName(p, 'sbom').reason).toBe('keep: referrer of kept subject sha256:6e6577000000…');
    expect(byName(p, 'sig').reason).toBe('delete: referrer of deleted subject sha256:6f6c64000000… (rule keep-n)');
  });

  it('are deleted before their subject', () => {
    const p = plan(images(), ruleSet(keepNewestTagged(1)));
    const layers = deletionLayers(p).map((layer) => layer.map((i) => i.imageDigest));
    expect(layers).toEqual([[d('att'), d('cosig'), d('sig')].sort(), [d('old')]]);
  });

  it('a referrer whose subject is not in the repository is an ordinary image', () => {
    const p = plan([img('lone', 30, ['sha256-' + 'ab'.repeat(32) + '.sig']), img('x', 1, ['v'])], ruleSet(keepNewestTagged(1)));
    expect(byName(p, 'lone')).toMatchObject({ role: 'image', decision: 'delete', rule: 'keep-n' });
  });

  it('a referrer of a child follows the child', () => {
    const p = plan(
      [index('I', 10, ['v1'], ['c']), img('c', 10), img('sig', 10, [], { subjectManifestDigest: d('c') }), img('n', 1, ['v2'])],
      ruleSet(keepNewestTagged(1)),
    );
    expect(decisions(p, ['I', 'c', 'sig'])).toEqual({ I: 'delete', c: 'delete', sig: 'delete' });
    expect(deletionOrder(p).map((i) => i.imageDigest)).toEqual([d('I'), d('sig'), d('c')]);
  });
});

describe('grace minAge', () => {
  it('nothing pushed less than minAge ago is deleted, whatever the rule says', () => {
    const p = plan([img('a', 2), img('b', 0.5), img('c', 0.1)], ruleSet([rule('all', {}, pushedDays(0))], { minAgeMs: DAY }));
    expect(decisions(p, ['a', 'b', 'c'])).toEqual({ a: 'delete', b: 'keep', c: 'keep' });
    expect(byName(p, 'b')).toMatchObject({ rule: null, reason: 'keep: younger than minAge 1d (pushed 12h ago) (rule all would delete it)' });
  });

  it('a young index keeps its children and its referrers', () => {
    const imgs = [index('I', 0.5, [], ['c']), img('c', 30), img('sig', 30, [], { subjectManifestDigest: d('I') })];
    const p = plan(imgs, ruleSet([rule('untagged', { tagStatus: 'untagged' }, pushedDays(1))], { minAgeMs: DAY }));
    expect(decisions(p, ['I', 'c', 'sig'])).toEqual({ I: 'keep', c: 'keep', sig: 'keep' });
  });

  it('a young referrer keeps its subject (grace applies to every manifest; a subject and its referrers share one fate)', () => {
    const p = plan(
      [img('old', 30, ['v1']), img('sig', 0.1, [], { subjectManifestDigest: d('old') }), img('n', 2, ['v2'])],
      ruleSet(keepNewestTagged(1), { minAgeMs: DAY }),
    );
    expect(decisions(p, ['old', 'sig'])).toEqual({ old: 'keep', sig: 'keep' });
    expect(byName(p, 'sig').reason).toMatch(/^keep: younger than minAge 1d/);
    expect(byName(p, 'old').reason).toMatch(/^keep: referrer sha256:736967000000… of this image is kept \(pushed 2h ago < minAge 1d\)/);
  });
});

describe('protect lists', () => {
  it("protect.tags beats every rule, with the rule's verdict in the reason", () => {
    const p = plan([img('a', 30, ['latest']), img('b', 20, ['v1']), img('c', 1, ['v2'])], ruleSet(keepNewestTagged(1), { protectTags: ['latest', '/release-.*/'] }));
    expect(decisions(p, ['a', 'b', 'c'])).toEqual({ a: 'keep', b: 'delete', c: 'keep' });
    expect(byName(p, 'a')).toMatchObject({ rule: null, reason: "keep: protected tag 'latest' (rule keep-n would delete it)" });
  });

  it('a protected index keeps its children; a protected subject keeps its referrers', () => {
    const imgs = [
      index('I', 30, ['stable'], ['c']),
      img('c', 30),
      img('s', 30, ['stable-db']),
      img('sig', 30, [], { subjectManifestDigest: d('s') }),
      img('n', 1, ['v9']),
    ];
    const p = plan(imgs, ruleSet(keepNewestTagged(1), { protectTags: ['stable*'] }));
    expect(decisions(p, ['I', 'c', 's', 'sig', 'n'])).toEqual({ I: 'keep', c: 'keep', s: 'keep', sig: 'keep', n: 'keep' });
  });

  it('protect.repositories keeps a whole repository, and says which pattern protected it', () => {
    const p = plan([img('a', 300, ['x'])], ruleSet(keepNewestTagged(0), { protectRepos: ['prod/**'] }), 'prod/api');
    expect(p).toMatchObject({ status: 'protected', policy: 'main', statusReason: "repository matches protect.repositories 'prod/**'" });
    expect(p.images[0]!.decision).toBe('keep');
  });

  it('a repository no policy governs is unmanaged and untouched', () => {
    const rs = ruleSet([], { policies: [policy(keepNewestTagged(0), 'apps', ['apps/*'])] });
    const p = plan([img('a', 300, ['x'])], rs, 'tools/x');
    expect(p).toMatchObject({ status: 'unmanaged', policy: null });
    expect(p.counts.delete).toBe(0);
  });
});

describe('safety limits', () => {
  const ten = (): ImageRecord[] => Array.from({ length: 10 }, (_, i) => img(`i${i}`, 10 + i, [`t${i}`]));

  it('a repository whose deletions exceed maxDeletePercentPerRepository is blocked and deletes nothing', () => {
    const p = plan(ten(), ruleSet(keepNewestTagged(4), { maxPercent: 50 }));
    expect(p.status).toBe('blocked');
    expect(p.statusReason).toBe('it would delete 6 of 10 images (60%), more than maxDeletePercentPerRepository 50%');
    expect(p.counts.delete).toBe(0);
    expect(byName(p, 'i9').reason).toBe(
      "keep: repository blocked, it would delete 6 of 10 images (60%), more than maxDeletePercentPerRepository 50%; without the limit: delete: 10th newest of 'keep-n' (rule keeps 4)",
    );
  });

  it('exactly at the percentage is allowed', () => {
    expect(plan(ten(), ruleSet(keepNewestTagged(5), { maxPercent: 50 })).status).toBe('planned');
  });

  it('the run budget is threaded through repositories: the one that would exceed it is blocked, later ones still fit', () => {
    const repo = (name: string, n: number) => ({ repositoryName: name, images: Array.from({ length: n }, (_, i) => img(`${name}${i}`, 10 + i, ['t'])) });
    const rs = ruleSet(keepNewestTagged(1), { maxRun: 5 });
    const p = planRegistry([repo('a', 4), repo('b', 4), repo('c', 3)], rs, NOW);
    expect(p.repositories.map((r) => [r.repositoryName, r.status, r.counts.delete])).toEqual([
      ['a', 'planned', 3],
      ['b', 'blocked', 0],
      ['c', 'planned', 2],
    ]);
    expect(p.repositories[1]!.statusReason).toBe('it would delete 3 images, more than the 2 deletions maxDeletionsPerRun still allows');
    expect(p.summary).toMatchObject({ repositories: 3, blockedRepositories: 1, delete: 5, images: 11 });
  });

  it('planRepository honours an explicit deletionBudget', () => {
    expect(planRepository({ repositoryName: 'r', images: ten() }, ruleSet(keepNewestTagged(8)), NOW, { deletionBudget: 1 }).status).toBe('blocked');
    expect(planRepository({ repositoryName: 'r', images: ten() }, ruleSet(keepNewestTagged(8)), NOW, { deletionBudget: 2 }).status).toBe('planned');
  });

  it('transitions are not deletions and never block', () => {
    const rs = ruleSet([rule('arch', {}, pushedDays(1), { type: 'transition', targetStorageClass: 'archive' })], { maxPercent: 10, maxRun: 0 });
    const p = plan(ten(), rs);
    expect(p.status).toBe('planned');
    expect(p.counts.transition).toBe(10);
  });
});

describe('young images by hours', () => {
  it('minAge in hours reads in hours', () => {
    const p = plan([img('a', 0.25)], ruleSet([rule('all', {}, pushedDays(0))], { minAgeMs: 12 * HOUR }));
    expect(byName(p, 'a').reason).toBe('keep: younger than minAge 12h (pushed 6h ago) (rule all would delete it)');
  });
});
