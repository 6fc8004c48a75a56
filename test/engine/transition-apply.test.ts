/**
 * Archive transitions are executed in apply mode with UpdateImageStorageClass (one image per
 * call): re-read first, skipped when changed since the plan (with their index/referrer group),
 * indexes before their children, stopped by the deadline, and reported per image. Dry runs and
 * blocked repositories only report them. On the emulator, through the real SDK over HTTP.
 */
import { BatchGetImageCommand, PutImageCommand, UpdateImageStorageClassCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../lib/core/rules-model.js';
import type { ResultImage } from '../../lib/core/result-model.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { clientFor } from '../emulator/support.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const NOW = Date.parse(NOW_ISO);

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

const archiveTaggedNotPulled: Rule = {
  id: 'archive-stale',
  selection: { tagStatus: 'tagged', tagPatterns: ['*'], excludeTagPatterns: [], storageClass: 'standard' },
  condition: { type: 'sinceImagePulled', ms: 90 * DAY },
  action: { type: 'transition', targetStorageClass: 'archive' },
};

async function fixture(): Promise<EmulatorFixture> {
  const f = await startFixture({ now: NOW_ISO });
  fixtures.push(f);
  return f;
}

function outcomesOf(images: readonly ResultImage[]): Map<string, ResultImage['outcome']> {
  return new Map(images.map((i) => [i.imageDigest, i.outcome]));
}

/** Makes `ecr` answer UpdateImageStorageClass with `error` before it reaches the emulator. */
function denyArchive(ecr: ECRClient, error: Error): void {
  ecr.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateImageStorageClassCommand') throw error;
      return next(args);
    },
    { step: 'initialize', name: 'denyArchiveForTest' },
  );
}

describe('archive transitions in an apply run', () => {
  it('are archived with one UpdateImageStorageClass each, after a re-read, while expiries in the same run are deleted', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [
      { tags: ['old-1'], pushedAt: '-200d', lastPulledAt: '-120d', sizeInBytes: 100 },
      { tags: ['old-2'], pushedAt: '-300d', sizeInBytes: 100 },
      { tags: ['fresh'], pushedAt: '-200d', lastPulledAt: '-1d', sizeInBytes: 100 },
      { pushedAt: '-30d', sizeInBytes: 50 },
    ]);
    const archived = ['old-1', 'old-2'].map((tag) => emulator.findImage('app/svc', { tag })!.imageDigest);
    const untagged = emulator.images('app/svc').find((i) => i.imageTags.length === 0)!.imageDigest;
    emulator.resetStats();

    const { plan, result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([archiveTaggedNotPulled, untaggedOlderThan(7)]), now: NOW, mode: 'apply' });

    expect(plan.summary).toMatchObject({ transition: 2, delete: 1 });
    const outcomes = outcomesOf(result.repositories[0]!.images);
    for (const digest of archived) expect(outcomes.get(digest)).toEqual({ status: 'archived' });
    expect(outcomes.get(untagged)).toEqual({ status: 'deleted' });
    // Archived, not deleted: still in the registry, ARCHIVED since now.
    for (const digest of archived) {
      expect(emulator.findImage('app/svc', { digest })).toMatchObject({ imageStatus: 'ARCHIVED', lastArchivedAt: NOW });
    }
    expect(emulator.findImage('app/svc', { tag: 'fresh' })?.imageStatus).toBe('ACTIVE');
    expect(emulator.findImage('app/svc', { digest: untagged })).toBeUndefined();
    expect(result.totals).toMatchObject({ deleted: 1, archived: 2, kept: 1, failed: 0, skipped: 0 });
    expect(result.repositories[0]!.status).toBe('completed');
    // One call per transition, counted like every other call of the sweep.
    expect(emulator.stats().requests.UpdateImageStorageClass).toBe(2);
    expect(result.apiCalls.UpdateImageStorageClass).toBe(2);
    expect(emulator.stats().requests.BatchDeleteImage).toBe(1);
  });

  it('a dry run only reports them: no UpdateImageStorageClass call, outcome transition-planned', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [{ tags: ['old-1'], pushedAt: '-200d', sizeInBytes: 100 }]);
    emulator.resetStats();
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW });
    expect(result.repositories[0]!.images[0]!.outcome).toMatchObject({ status: 'transition-planned' });
    expect(result.totals.archived).toBe(0);
    expect(emulator.stats().requests.UpdateImageStorageClass).toBeUndefined();
    expect(emulator.findImage('app/svc', { tag: 'old-1' })?.imageStatus).toBe('ACTIVE');
  });

  it('archives a multi-arch index before its children (ECR refuses a child whose index is not archived)', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/multi', [
      { tags: ['v1'], pushedAt: '-200d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }, { sizeInBytes: 30 }] },
    ]);
    const { plan, result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply' });
    expect(plan.summary.transition).toBe(4);
    expect(result.totals).toMatchObject({ archived: 4, failed: 0, skipped: 0 });
    expect(emulator.images('app/multi').map((i) => i.imageStatus)).toEqual(['ARCHIVED', 'ARCHIVED', 'ARCHIVED', 'ARCHIVED']);
  });

  it('skips an image changed since the plan (tagged, pulled), and its index/referrer group with it', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [
      { tags: ['subject'], pushedAt: '-200d' },
      { subject: 'subject', pushedAt: '-200d' },
      { tags: ['pulled-later'], pushedAt: '-200d' },
      { tags: ['untouched'], pushedAt: '-200d' },
    ]);
    const digest = (tag: string) => emulator.findImage('app/svc', { tag })!.imageDigest;
    const subject = digest('subject');
    const signature = emulator.images('app/svc').find((i) => i.subjectManifestDigest === subject)!.imageDigest;
    const someoneElse = clientFor(emulator, { accessKeyId: 'AKIDDEPLOYER' });
    const { result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        planSink: async () => {
          // Between the plan and the execution: a promotion and a pull by a deployment.
          emulator.tagImage('app/svc', subject, 'prod');
          emulator.setNow(NOW + 60_000);
          await someoneElse.send(new BatchGetImageCommand({ repositoryName: 'app/svc', imageIds: [{ imageTag: 'pulled-later' }] }));
        },
      },
      { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply' },
    );
    someoneElse.destroy();
    const outcomes = outcomesOf(result.repositories[0]!.images);
    expect(outcomes.get(subject)).toEqual({ status: 'skipped', reason: "changed since plan: gained tag 'prod'" });
    expect(outcomes.get(signature)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/same index\/referrer group changed/) });
    expect(outcomes.get(digest('pulled-later'))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^changed since plan: pulled at 2026-06-01T00:01:00.000Z/) });
    expect(outcomes.get(digest('untouched'))).toEqual({ status: 'archived' });
    expect(emulator.images('app/svc').map((i) => `${i.imageTags.join(',') || 'signature'}:${i.imageStatus}`)).toEqual([
      'subject,prod:ACTIVE',
      'signature:ACTIVE',
      'pulled-later:ACTIVE',
      'untouched:ARCHIVED',
    ]);
  });

  it('skips (not fails) a child that an index pushed after the plan lists: ECR refuses to archive it, and keeps it ACTIVE', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/multi', [{ tags: ['v1'], pushedAt: '-200d', children: [{ sizeInBytes: 10 }, { sizeInBytes: 20 }] }]);
    const old = emulator.findImage('app/multi', { tag: 'v1' })!;
    let pushed = '';
    const { result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        planSink: async () => {
          // A rebuild reusing the same platform manifests: a new index listing the old children.
          const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'app/multi', imageIds: [{ imageTag: 'v1' }] }));
          const manifest = JSON.parse(got.images![0]!.imageManifest!) as Record<string, unknown>;
          const out = await ecr.send(
            new PutImageCommand({
              repositoryName: 'app/multi',
              imageTag: 'v2',
              imageManifest: JSON.stringify({ ...manifest, annotations: { rebuilt: 'yes' } }),
              imageManifestMediaType: got.images![0]!.imageManifestMediaType!,
            }),
          );
          pushed = out.image!.imageId!.imageDigest!;
        },
      },
      { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply' },
    );
    const outcomes = outcomesOf(result.repositories[0]!.images);
    expect(outcomes.get(old.imageDigest)).toEqual({ status: 'archived' });
    for (const child of old.childDigests!) {
      expect(outcomes.get(child)).toEqual({ status: 'skipped', reason: `changed since plan: now referenced by index ${pushed} (pushed after the plan)` });
      expect(emulator.findImage('app/multi', { digest: child })?.imageStatus).toBe('ACTIVE');
    }
    expect(result.totals).toMatchObject({ archived: 1, failed: 0, skipped: 2 });
  });

  it('reports an image archived by someone else after the plan as already archived, without calling ECR for it', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [{ tags: ['a'], pushedAt: '-200d' }]);
    const digest = emulator.findImage('app/svc', { tag: 'a' })!.imageDigest;
    const { result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        planSink: async () => {
          await ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'app/svc', imageId: { imageDigest: digest }, targetStorageClass: 'ARCHIVE' }));
          emulator.resetStats();
        },
      },
      { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply' },
    );
    expect(result.repositories[0]!.images[0]!.outcome).toEqual({ status: 'archived', alreadyArchived: true });
    expect(result.totals.archived).toBe(1);
    expect(emulator.stats().requests.UpdateImageStorageClass).toBeUndefined();
  });

  it('stops at the deadline between calls: nothing more is archived, the rest is skipped for the next run', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [{ tags: ['a'], pushedAt: '-200d' }, { tags: ['b'], pushedAt: '-200d' }]);
    let clock = NOW;
    const { result } = await runSweep(
      {
        registry: ecrRegistry(ecr),
        clock: () => clock,
        planSink: async () => {
          clock = NOW + 10 * 60_000;
          emulator.resetStats();
        },
      },
      { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply', deadline: NOW + 5 * 60_000 },
    );
    expect(result.stoppedByDeadline).toBe(true);
    expect(result.repositories[0]!.status).toBe('not-started');
    for (const image of result.repositories[0]!.images) expect(image.outcome).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/deadline/) });
    expect(emulator.stats().requests.UpdateImageStorageClass).toBeUndefined();
    expect(emulator.images('app/svc').every((i) => i.imageStatus === 'ACTIVE')).toBe(true);
  });

  it('a call that keeps failing fails the repository with ECR\'s code; its other transitions are skipped, its deletions still done', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [{ tags: ['a'], pushedAt: '-200d' }, { tags: ['b'], pushedAt: '-200d' }, { pushedAt: '-30d' }]);
    denyArchive(ecr, Object.assign(new Error('User is not authorized to perform: ecr:UpdateImageStorageClass'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([archiveTaggedNotPulled, untaggedOlderThan(7)]), now: NOW, mode: 'apply' });
    const repo = result.repositories[0]!;
    expect(repo.status).toBe('failed');
    expect(repo.error).toEqual({ code: 'AccessDeniedException', message: 'User is not authorized to perform: ecr:UpdateImageStorageClass' });
    const statuses = repo.images.map((i) => i.outcome.status).sort();
    expect(statuses).toEqual(['deleted', 'failed', 'skipped']);
    const failed = repo.images.find((i) => i.outcome.status === 'failed')!;
    expect(failed.outcome).toMatchObject({ code: 'AccessDeniedException' });
    expect(repo.images.find((i) => i.outcome.status === 'skipped')!.outcome).toMatchObject({ reason: 'repository failed earlier in this run: AccessDeniedException' });
    expect(result.totals).toMatchObject({ deleted: 1, archived: 0, failed: 1, skipped: 1 });
    expect(emulator.images('app/svc').every((i) => i.imageStatus === 'ACTIVE')).toBe(true);
  });

  it('an unexplained refusal is a per-image failure with ECR\'s code; the repository goes on', async () => {
    const { emulator, ecr } = await fixture();
    emulator.addImages('app/svc', [{ tags: ['a'], pushedAt: '-200d' }, { tags: ['b'], pushedAt: '-200d' }]);
    denyArchive(ecr, Object.assign(new Error('The requested image storage class update is not supported.'), { name: 'ImageStorageClassUpdateNotSupportedException', $metadata: { httpStatusCode: 400 } }));
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply' });
    const repo = result.repositories[0]!;
    expect(repo.status).toBe('completed');
    for (const image of repo.images) {
      expect(image.outcome).toEqual({ status: 'failed', code: 'ImageStorageClassUpdateNotSupportedException', message: 'The requested image storage class update is not supported.' });
    }
    expect(result.totals).toMatchObject({ archived: 0, failed: 2 });
  });

  it('retries a server error after re-reading the image, and archives it', async () => {
    const f = await startFixture({ now: NOW_ISO, seed: 7, serverErrorProbability: { UpdateImageStorageClass: 0.7 } });
    fixtures.push(f);
    f.emulator.addImages('app/svc', [{ tags: ['a'], pushedAt: '-200d' }, { tags: ['b'], pushedAt: '-200d' }]);
    const { result } = await runSweep({ registry: ecrRegistry(f.ecr) }, { ruleSet: ruleSet([archiveTaggedNotPulled]), now: NOW, mode: 'apply', rateControl: { minRate: 200 } });
    expect(result.totals).toMatchObject({ archived: 2, failed: 0 });
    expect(result.apiCalls.UpdateImageStorageClass).toBeGreaterThan(2);
    expect(f.emulator.images('app/svc').every((i) => i.imageStatus === 'ARCHIVED')).toBe(true);
  });
});
