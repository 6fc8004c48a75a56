/**
 * Issue 12 §1: a multi-arch index pulled by someone else after the plan, before its batch is
 * re-read, is kept as "changed since plan" with its whole group (children), exactly like a plain
 * image pulled the same way. Real SDK over HTTP against the emulator, whose clock follows wall
 * time (as ECR's does), so the pull lands seconds after the sweep's own index reads.
 */
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import type { Outcome } from '../../lib/core/result-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
const PULL_TYPES = [INDEX_TYPE, 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];

let fixture: EmulatorFixture | undefined;
afterEach(async () => {
  fixture?.ecr.destroy();
  await fixture?.emulator.stop();
  fixture = undefined;
});

/**
 * Two untagged 30-day-old multi-arch indexes (last pulled 20 days ago) with two children each,
 * and two plain untagged images: everything is planned for deletion.
 */
async function start(excludeSweeper: boolean): Promise<EmulatorFixture> {
  const child = (seed: string) => ({ pushedAt: '-30d', lastPulledAt: '-20d', sizeInBytes: 1000, seed });
  fixture = await startFixture(
    {
      state: {
        repositories: [
          {
            name: 'app',
            images: [
              { pushedAt: '-30d', lastPulledAt: '-20d', seed: 'index-a', children: [child('a1'), child('a2')] },
              { pushedAt: '-30d', lastPulledAt: '-20d', seed: 'index-b', children: [child('b1'), child('b2')] },
              { pushedAt: '-30d', lastPulledAt: '-20d', sizeInBytes: 500, seed: 'plain-p' },
              { pushedAt: '-30d', lastPulledAt: '-20d', sizeInBytes: 500, seed: 'plain-q' },
            ],
          },
        ],
      },
    },
    excludeSweeper,
  );
  return fixture;
}

/** Pulls one manifest the way `docker pull` asks for it, as another principal (a deploy). */
async function pullAsDeployer(f: EmulatorFixture, digest: string): Promise<void> {
  const deployer = new ECRClient({ endpoint: f.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDDEPLOYER', secretAccessKey: 'x' } });
  const out = await deployer.send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digest }], acceptedMediaTypes: PULL_TYPES }));
  deployer.destroy();
  expect(out.failures ?? []).toEqual([]);
  expect(out.images?.[0]?.imageId?.imageDigest).toBe(digest);
}

describe.each([
  ['the sweeper is a pull-time update exclusion', true],
  ['the sweeper is not excluded (its own index reads move pull times)', false],
])('an index pulled after the plan, when %s', (_, excludeSweeper) => {
  it('is kept with its children as changed since plan, like a plain image pulled the same way', async () => {
    const f = await start(excludeSweeper);
    const images = f.emulator.images('app');
    const indexes = images.filter((i) => i.imageManifestMediaType === INDEX_TYPE);
    const [pulledIndex, otherIndex] = indexes;
    const plains = images.filter((i) => i.imageManifestMediaType !== INDEX_TYPE && !indexes.some((x) => x.childDigests?.includes(i.imageDigest)));
    const [pulledPlain, otherPlain] = plains;
    expect(pulledIndex?.childDigests).toHaveLength(2);

    const { plan, result } = await runSweep(
      {
        registry: ecrRegistry(f.ecr),
        // After the plan is recorded, before any batch is re-read: a deploy pulls one index and one image.
        planSink: async (p: Plan) => {
          expect(p.summary.delete).toBe(8);
          await pullAsDeployer(f, pulledIndex!.imageDigest);
          await pullAsDeployer(f, pulledPlain!.imageDigest);
        },
      },
      { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply' },
    );
    expect(plan.summary.delete).toBe(8);
    const outcomes = new Map<string, Outcome>(result.repositories[0]?.images.map((i) => [i.imageDigest, i.outcome]));

    expect(outcomes.get(pulledIndex!.imageDigest)).toEqual({ status: 'skipped', reason: expect.stringMatching(/^changed since plan: pulled at \S+, after the plan/) });
    expect(outcomes.get(pulledPlain!.imageDigest)).toEqual({ status: 'skipped', reason: expect.stringMatching(/^changed since plan: pulled at \S+, after the plan/) });
    for (const childDigest of pulledIndex!.childDigests!) {
      expect(outcomes.get(childDigest)).toEqual({
        status: 'skipped',
        reason: `changed since plan: ${pulledIndex!.imageDigest} in the same index/referrer group changed, so the group is kept`,
      });
    }
    const kept = [pulledIndex!.imageDigest, ...pulledIndex!.childDigests!, pulledPlain!.imageDigest].sort();
    expect(f.emulator.images('app').map((i) => i.imageDigest).sort()).toEqual(kept);

    // The untouched index (read by the sweep itself) and its children, and the other image, are deleted.
    for (const digest of [otherIndex!.imageDigest, ...otherIndex!.childDigests!, otherPlain!.imageDigest]) {
      expect(outcomes.get(digest)).toEqual({ status: 'deleted' });
    }
    expect(result.totals).toMatchObject({ deleted: 4, skipped: 4, failed: 0 });
    expect(result.repositories[0]?.status).toBe('completed');
  });
});
