/**
 * The shape of an apply run's deletions on the emulator, command by command (issue "Execute"):
 * BatchDeleteImage by digest only (never by tag), at most 100 image ids a call, each call right
 * after a DescribeImages by `imageIds` that re-read exactly those images, and an index before
 * its children.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { recordCommands } from './support/record-commands.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

describe('deletion calls', () => {
  it('deletes by digest only, 100 at most a call, each call just after a re-read of exactly its images, indexes first', async () => {
    const fixture = await startFixture({ now: NOW_ISO });
    fixtures.push(fixture);
    const { emulator, ecr } = fixture;
    emulator.addImages('app/big', [
      ...Array.from({ length: 230 }, () => ({ pushedAt: '-20d', sizeInBytes: 5 })),
      ...Array.from({ length: 6 }, () => ({ pushedAt: '-20d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }, { sizeInBytes: 30 }] })),
      { tags: ['keep-me'], pushedAt: '-20d' },
    ]);
    const indexes = emulator
      .images('app/big')
      .filter((i) => /index|manifest\.list/.test(i.imageManifestMediaType ?? ''))
      .map((i) => i.imageDigest);
    expect(indexes).toHaveLength(6);
    const sent = recordCommands(ecr);

    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([untaggedOlderThan(7)]), now: Date.parse(NOW_ISO), mode: 'apply', concurrency: 1 });
    expect(result.totals.deleted).toBe(230 + 6 + 18);
    expect(emulator.images('app/big').map((i) => i.imageTags)).toEqual([['keep-me']]);

    const deletes = sent.flatMap((s, position) => (s.command === 'BatchDeleteImage' ? [{ s, position }] : []));
    expect(deletes.length).toBe(Math.ceil((230 + 6 + 18) / 100));
    const deletedOrder: string[] = [];
    for (const { s, position } of deletes) {
      const ids = s.input.imageIds as { imageDigest?: string; imageTag?: string }[];
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThanOrEqual(100);
      expect(ids.every((id) => typeof id.imageDigest === 'string' && id.imageTag === undefined)).toBe(true);
      // With one request at a time, the call just before is the re-read of these very images.
      const before = sent[position - 1];
      expect(before?.command).toBe('DescribeImages');
      expect(before?.input.repositoryName).toBe('app/big');
      const reread = (before?.input.imageIds as { imageDigest: string }[]).map((id) => id.imageDigest).sort();
      expect(reread).toEqual(ids.map((id) => id.imageDigest!).sort());
      deletedOrder.push(...ids.map((id) => id.imageDigest!));
    }
    // Every child is sent after each of its indexes (in an earlier call, or earlier in the same one).
    const at = new Map(deletedOrder.map((d, i) => [d, i]));
    const images = result.repositories[0]!.images;
    expect(images.filter((i) => i.role === 'index').map((i) => i.imageDigest).sort()).toEqual([...indexes].sort());
    const children = images.filter((i) => i.role === 'child');
    expect(children).toHaveLength(18);
    for (const child of children) {
      expect(child.parentDigests?.length).toBe(1);
      for (const parent of child.parentDigests ?? []) expect(at.get(parent)!).toBeLessThan(at.get(child.imageDigest)!);
    }
  });
});
