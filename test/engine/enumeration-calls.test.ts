/**
 * What the sweep asks ECR while enumerating (issue "Enumerate"), recorded command by command on
 * the emulator through the real SDK: DescribeImages pages of 1000 with imageStatus ANY; index
 * manifests read with BatchGetImage only for index media types, at most 100 digests a call,
 * accepting only index media types; repositories no policy governs (or protected ones) are
 * never listed beyond DescribeRepositories.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { recordCommands } from './support/record-commands.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

describe('enumeration calls', () => {
  it('lists only governed repositories, in pages of 1000 with imageStatus ANY, and reads only index manifests, 100 a call', async () => {
    const fixture = await startFixture({ now: NOW_ISO });
    fixtures.push(fixture);
    const { emulator, ecr } = fixture;
    // 150 multi-arch indexes (each with 2 children) and 40 plain images in one governed repository.
    emulator.addImages('app/multi', [
      ...Array.from({ length: 150 }, (_, i) => ({ tags: [`v${i}`], pushedAt: '-20d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }] })),
      ...Array.from({ length: 40 }, () => ({ pushedAt: '-20d', sizeInBytes: 5 })),
    ]);
    emulator.addImages('app/plain', [{ tags: ['x'], pushedAt: '-1d' }, { pushedAt: '-30d' }]);
    emulator.addImages('other/ungoverned', [{ pushedAt: '-30d', children: [{}] }]);
    emulator.addImages('app/frozen', [{ pushedAt: '-30d', children: [{}] }]);
    const indexDigests = new Set(
      emulator.images('app/multi').filter((i) => INDEX_TYPES.includes(i.imageManifestMediaType ?? '')).map((i) => i.imageDigest),
    );
    expect(indexDigests.size).toBe(150);

    const sent = recordCommands(ecr);
    const rules = { ...ruleSet([untaggedOlderThan(7)], {}, ['app/**']), protect: { tags: [], repositories: ['app/frozen'] } };
    const plan = await buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: rules, now: Date.parse(NOW_ISO) });
    expect(plan.summary.images).toBe(150 * 3 + 40 + 2);

    // Repositories no policy governs, and protected ones, get nothing but DescribeRepositories.
    const touched = new Set(sent.filter((s) => s.command !== 'DescribeRepositories').map((s) => s.input.repositoryName));
    expect([...touched].sort()).toEqual(['app/multi', 'app/plain']);
    expect(sent.filter((s) => s.command === 'DescribeRepositories').every((s) => s.input.maxResults === 1000)).toBe(true);

    // Listing: every DescribeImages page asks for 1000 images of any tag and storage status.
    const listings = sent.filter((s) => s.command === 'DescribeImages' && s.input.imageIds === undefined);
    expect(listings.length).toBeGreaterThan(0);
    for (const call of listings) {
      expect(call.input).toMatchObject({ maxResults: 1000, filter: { tagStatus: 'ANY', imageStatus: 'ANY' } });
    }
    // After the index reads, the indexes alone are described again (100 a call) to learn the pull
    // time the sweep's own reads left, so a later pull is told apart from them (issue 12 §1).
    const afterReads = sent.filter((s) => s.command === 'DescribeImages' && s.input.imageIds !== undefined);
    expect(afterReads.map((c) => c.input.imageIds.length)).toEqual([100, 50]);
    expect(afterReads.flatMap((c) => c.input.imageIds.map((id: { imageDigest?: string }) => id.imageDigest)).sort()).toEqual([...indexDigests].sort());
    const lastRead = sent.map((s) => s.command).lastIndexOf('BatchGetImage');
    expect(sent.indexOf(afterReads[0]!)).toBeGreaterThan(lastRead);

    // Index reads: only the index digests, each once, at most 100 per call, index media types only.
    const reads = sent.filter((s) => s.command === 'BatchGetImage');
    expect(reads.map((r) => r.input.repositoryName)).toEqual(['app/multi', 'app/multi']);
    const readDigests = reads.flatMap((r) => r.input.imageIds.map((id: { imageDigest?: string; imageTag?: string }) => id.imageDigest));
    expect(readDigests.sort()).toEqual([...indexDigests].sort());
    for (const call of reads) {
      expect(call.input.imageIds.length).toBeLessThanOrEqual(100);
      expect([...call.input.acceptedMediaTypes].sort()).toEqual([...INDEX_TYPES].sort());
    }
    // Nothing else was sent by a plan.
    expect(new Set(sent.map((s) => s.command))).toEqual(new Set(['DescribeRepositories', 'DescribeImages', 'BatchGetImage']));
  });
});
