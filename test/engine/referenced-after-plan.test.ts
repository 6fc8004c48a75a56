/**
 * An untagged manifest that an index pushed after the plan now references (audit M4): ECR refuses
 * to delete it (ImageReferencedByManifestList) and keeps it, which is a change since the plan,
 * not a failure: it is reported `skipped` with the index named, so a routine push does not fail
 * the Lambda and page someone. A refusal nothing in the registry explains stays `failed`.
 * Real SDK over HTTP against the emulator.
 */
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../lib/core/plan-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { FakeEcr, INDEX_TYPE, digestOf } from './support/fake-ecr.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

let fixture: EmulatorFixture | undefined;
afterEach(async () => {
  fixture?.ecr.destroy();
  await fixture?.emulator.stop();
  fixture = undefined;
});

/** A registry with three untagged 30-day-old manifests (all planned for deletion) and a tagged release. */
async function start(): Promise<EmulatorFixture> {
  fixture = await startFixture({
    state: {
      repositories: [
        {
          name: 'app',
          images: [{ tags: ['v1'], pushedAt: '-30d' }, { pushedAt: '-30d', seed: 'a' }, { pushedAt: '-30d', seed: 'b' }, { pushedAt: '-30d', seed: 'c' }],
        },
      ],
    },
  });
  return fixture;
}

function untagged(f: EmulatorFixture): { imageDigest: string; imageManifestMediaType: string; imageSizeInBytes: number }[] {
  return f.emulator.images('app').filter((i) => i.imageTags.length === 0);
}

/** Pushes (as a developer would, with other credentials) a multi-arch index over `children`. */
async function pushIndex(f: EmulatorFixture, tag: string, children: { imageDigest: string; imageManifestMediaType: string }[]): Promise<string> {
  const dev = new ECRClient({ endpoint: f.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDDEVELOPER', secretAccessKey: 'x' } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: children.map((c, i) => ({
      mediaType: c.imageManifestMediaType,
      digest: c.imageDigest,
      size: 500,
      platform: { os: 'linux', architecture: i === 0 ? 'amd64' : 'arm64' },
    })),
  });
  const out = await dev.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: tag }));
  dev.destroy();
  return out.image?.imageId?.imageDigest as string;
}

describe('an image referenced by an index pushed after the plan', () => {
  it('is skipped as changed since plan, naming the index; the rest is deleted and nothing fails', async () => {
    const f = await start();
    const [reused, other, plain] = untagged(f);
    let indexDigest = '';
    const { plan, result } = await runSweep(
      {
        registry: ecrRegistry(f.ecr),
        // Between planning and deleting, CI pushes a new multi-arch image reusing two old platform manifests.
        planSink: async (p: Plan) => {
          expect(p.summary.delete).toBe(3);
          indexDigest = await pushIndex(f, 'v2', [reused!, other!]);
        },
      },
      { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply' },
    );
    expect(plan.summary.delete).toBe(3);
    const outcomes = new Map(result.repositories[0]?.images.map((i) => [i.imageDigest, i.outcome]));
    for (const digest of [reused!.imageDigest, other!.imageDigest]) {
      expect(outcomes.get(digest)).toEqual({
        status: 'skipped',
        reason: `changed since plan: now referenced by index ${indexDigest} (pushed after the plan)`,
      });
    }
    expect(outcomes.get(plain!.imageDigest)).toEqual({ status: 'deleted' });
    expect(result.totals.failed).toBe(0);
    expect(result.repositories[0]?.status).toBe('completed');
    // ECR (the emulator) kept them; the new index is intact.
    const left = f.emulator.images('app').map((i) => i.imageDigest);
    expect(left).toEqual(expect.arrayContaining([reused!.imageDigest, other!.imageDigest, indexDigest]));
    expect(left).not.toContain(plain!.imageDigest);
  });

  it('an unreadable index the plan did not know is enough to call it changed since plan (scripted registry)', async () => {
    const t = Date.now();
    const fake = new FakeEcr().add('app', { digest: digestOf('a'), pushedAt: t - 30 * DAY }, { digest: digestOf('b'), pushedAt: t - 30 * DAY });
    fake.deleteHook = (_repo, digest) => (digest === digestOf('b') ? 'ImageReferencedByManifestList' : undefined);
    const planSink = async (): Promise<void> => {
      // No children: BatchGetImage cannot read it, so which images it lists is unknown.
      fake.add('app', { digest: digestOf('new-index'), tags: ['v2'], pushedAt: t, mediaType: INDEX_TYPE });
    };
    const { result } = await runSweep({ registry: ecrRegistry(fake.client), planSink }, { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply' });
    const outcomes = new Map(result.repositories[0]?.images.map((i) => [i.imageDigest, i.outcome]));
    expect(outcomes.get(digestOf('b'))).toEqual({ status: 'skipped', reason: 'changed since plan: referenced by a manifest list that was not planned for deletion' });
    expect(outcomes.get(digestOf('a'))).toEqual({ status: 'deleted' });
    expect(result.totals.failed).toBe(0);
  });

  it('stays failed when no index outside the plan explains the refusal, or the repository cannot be listed to check', async () => {
    const t = Date.now();
    for (const listingFails of [false, true]) {
      const fake = new FakeEcr().add('app', { digest: digestOf('a'), pushedAt: t - 30 * DAY }, { digest: digestOf('b'), pushedAt: t - 30 * DAY });
      fake.deleteHook = (_repo, digest, call) => {
        // After the final retry, the check's listing fails (a non-retryable error).
        if (listingFails && call === 2) fake.failNext.set('DescribeImages', { error: () => Object.assign(new Error('denied'), { name: 'AccessDeniedException' }), times: 1 });
        return digest === digestOf('b') ? 'ImageReferencedByManifestList' : undefined;
      };
      const { result } = await runSweep({ registry: ecrRegistry(fake.client) }, { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply' });
      const outcome = result.repositories[0]?.images.find((i) => i.imageDigest === digestOf('b'))?.outcome;
      expect(outcome).toMatchObject({ status: 'failed', code: 'ImageReferencedByManifestList' });
      if (listingFails) expect(outcome).toMatchObject({ message: expect.stringContaining('could not list the repository to find which index references it: denied') });
      expect(result.totals.failed).toBe(1);
    }
  });
});
