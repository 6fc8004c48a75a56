/**
 * What the ECR registry adapter remembers of the index manifests it reads, on the emulator
 * through the real SDK: kept compactly while a sweep lists, it gives back every index's exact
 * children, repository and read window; given reads (the index store's) come back as given; and
 * once told to forget, it holds nothing and reads each index again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';
import type { IndexReadRecord } from '../../lib/core/index-memory.js';
import { RateController } from '../../lib/engine/rate-controller.js';
import { recordCommands } from '../engine/support/record-commands.js';
import { startFixture, type EmulatorFixture } from '../engine/support/emulator.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);
const LATER = NOW + 3_600_000;

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

async function listed(fixture: EmulatorFixture, clock: () => number = Date.now) {
  const connection = ecrRegistry(fixture.ecr)({ rate: new RateController({}), maxInFlight: 2, clock });
  const repositories = (await connection.registry.listRepositories()).map((r) => r.name);
  const listings = new Map<string, Awaited<ReturnType<typeof connection.registry.listImages>>>();
  for (const name of repositories) listings.set(name, await connection.registry.listImages(name));
  return { registry: connection.registry, repositories, listings };
}

describe('EcrRegistry index reads', () => {
  it('gives back each index read exactly: its children as the registry has them, its repository and read window', async () => {
    const fixture = await startFixture({ now: NOW_ISO, generate: { seed: 5, repositories: 5, imagesPerRepository: [20, 40] } });
    fixtures.push(fixture);
    let clock = NOW;
    const { registry, repositories } = await listed(fixture, () => (clock += 10));
    const seen = registry.indexesSeen(LATER);
    const expected = new Map<string, { children: string[]; repository: string }>();
    for (const repository of repositories) {
      for (const image of fixture.emulator.images(repository)) {
        if (image.childDigests !== undefined) expected.set(image.imageDigest, { children: image.childDigests, repository });
      }
    }
    expect(expected.size).toBeGreaterThan(5);
    expect([...seen.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [digest, read] of seen) {
      expect(read.childDigests, digest).toEqual(expected.get(digest)!.children);
      expect(read.repositoryName).toBe(expected.get(digest)!.repository);
      expect(read.readStartedAt).toBeGreaterThan(NOW);
      expect(read.readAt).toBeGreaterThan(read.readStartedAt);
      expect(read.seenAt).toBe(LATER);
    }
  });

  it('gives back a given read as it was given, and does not read that index', async () => {
    const fixture = await startFixture({ now: NOW_ISO, generate: { seed: 5, repositories: 2, imagesPerRepository: [20, 30] } });
    fixtures.push(fixture);
    const first = await listed(fixture);
    const given = first.registry.indexesSeen(NOW);
    // Odd children (not sha256) are kept as they are too.
    const [digest, record] = [...given][0]!;
    const odd: IndexReadRecord = { ...record, childDigests: ['sha512:abc', ...record.childDigests] };
    given.set(digest, odd);
    const sent = recordCommands(fixture.ecr);
    const connection = ecrRegistry(fixture.ecr)({ rate: new RateController({}), maxInFlight: 2, clock: Date.now });
    connection.registry.remember(given);
    await connection.registry.listRepositories();
    for (const name of first.repositories) await connection.registry.listImages(name);
    expect(sent.filter((c) => c.command === 'BatchGetImage')).toHaveLength(0);
    expect(sent.filter((c) => c.command === 'DescribeImages').length).toBeGreaterThan(0);
    expect(connection.registry.indexesSeen(LATER).get(digest)).toEqual({ ...odd, seenAt: LATER });
  });

  it('forgets every read once told to, and reads each index again on a later listing', async () => {
    const fixture = await startFixture({ now: NOW_ISO, generate: { seed: 5, repositories: 2, imagesPerRepository: [20, 30] } });
    fixtures.push(fixture);
    const sent = recordCommands(fixture.ecr);
    const { registry, repositories } = await listed(fixture);
    const indexReads = (): number => sent.filter((c) => c.command === 'BatchGetImage').flatMap((c) => c.input.imageIds as unknown[]).length;
    const indexes = registry.indexesSeen(NOW).size;
    expect(indexes).toBeGreaterThan(0);
    expect(indexReads()).toBe(indexes);
    registry.forgetIndexReads();
    expect(registry.indexesSeen(NOW).size).toBe(0);
    for (const name of repositories) await registry.listImages(name);
    expect(indexReads()).toBe(2 * indexes);
    expect(registry.indexesSeen(NOW).size).toBe(indexes);
  });
});
