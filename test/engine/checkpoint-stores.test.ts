/**
 * Both checkpoint stores pass the same contract: absent -> null, save/load round trip, clear,
 * and a damaged checkpoint is a CheckpointError naming where it is. The S3 store runs against
 * s3rver through the real S3 client.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { S3CheckpointStore } from '../../lib/adapters/checkpoint-s3.js';
import { encodeCheckpoint } from '../../lib/adapters/checkpoint-codec.js';
import { CheckpointError } from '../../lib/engine/errors.js';
import type { RepositoryPlan } from '../../lib/core/plan-model.js';
import type { Checkpoint, CheckpointStore } from '../../lib/engine/types.js';
import { startFakeS3, type FakeS3 } from '../reports/helpers/s3rver-server.js';

const CHECKPOINT: Checkpoint = {
  version: 1,
  runId: 'run-42',
  rulesHash: 'abc123',
  finishedRepositories: ['team/api', 'team/web'],
  updatedAt: '2026-06-01T00:00:00.000Z',
};

const PLAN: RepositoryPlan = {
  repositoryName: 'team/api',
  policy: 'apps',
  status: 'planned',
  images: [
    { imageDigest: 'sha256:aa', imageTags: [], pushedAt: '2026-05-01T00:00:00.000Z', lastPulledAt: null, sizeInBytes: 10, role: 'image', decision: 'delete', rule: 'untagged', reason: 'delete: untagged' },
    { imageDigest: 'sha256:bb', imageTags: ['v1'], pushedAt: '2026-05-01T00:00:00.000Z', lastPulledAt: null, sizeInBytes: 10, role: 'image', decision: 'keep', rule: null, reason: 'keep: no rule' },
  ],
  counts: { images: 2, delete: 1, keep: 1, transition: 0, bytesToFree: 10 },
};

/** A version 2 checkpoint: the stored plan of a run stopped while listing. */
const STORED: Checkpoint = {
  ...CHECKPOINT,
  version: 2,
  planNow: '2026-06-01T00:00:00.000Z',
  plannedRepositories: [{ plan: PLAN, ownIndexReads: { 'sha256:aa': 1 } }],
  deletionsSent: 7,
};

interface Harness {
  store: CheckpointStore;
  /** Writes raw text where the store reads from. */
  corrupt(text: string): Promise<void>;
  where: string;
}

let s3: FakeS3;
let dir: string;
let counter = 0;
beforeAll(async () => {
  s3 = await startFakeS3(['reports']);
  dir = await mkdtemp(join(tmpdir(), 'ckpt-store-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const harnesses: [string, () => Harness][] = [
  [
    'FileCheckpointStore',
    () => {
      const path = join(dir, `nested-${++counter}`, 'checkpoint.json');
      return { store: new FileCheckpointStore(path), corrupt: (text) => writeFile(path, text), where: path };
    },
  ],
  [
    'S3CheckpointStore',
    () => {
      const key = `sweeps/checkpoint-${++counter}.json`;
      return {
        store: new S3CheckpointStore(s3.client, 'reports', key),
        corrupt: async (text) => {
          await s3.client.send(new PutObjectCommand({ Bucket: 'reports', Key: key, Body: text }));
        },
        where: `s3://reports/${key}`,
      };
    },
  ],
];

describe.each(harnesses)('%s', (_name, make) => {
  it('loads null when there is no checkpoint, and clearing nothing is fine', async () => {
    const { store } = make();
    expect(await store.load()).toBeNull();
    await expect(store.clear()).resolves.toBeUndefined();
  });

  it('round-trips a checkpoint, replaces it, and clears it', async () => {
    const { store } = make();
    await store.save(CHECKPOINT);
    expect(await store.load()).toEqual(CHECKPOINT);
    const later = { ...CHECKPOINT, finishedRepositories: [...CHECKPOINT.finishedRepositories, 'team/worker'] };
    await store.save(later);
    expect(await store.load()).toEqual(later);
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('round-trips a version 2 checkpoint with its stored plans', async () => {
    const { store } = make();
    await store.save(STORED);
    expect(await store.load()).toEqual(STORED);
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['wrong version', JSON.stringify({ ...CHECKPOINT, version: 4 }), /version must be 1, 2 or 3/],
    ['parted without its parts list', JSON.stringify({ ...CHECKPOINT, version: 3, planNow: '2026-06-01T00:00:00.000Z' }), /planParts must be an array/],
    ['parted, a part name outside the parts folder', JSON.stringify({ ...CHECKPOINT, version: 3, planNow: '2026-06-01T00:00:00.000Z', planParts: [{ repositoryName: 'team/api', part: '../../etc/passwd' }] }), /planParts\[0\].part must be a part name/],
    ['parted, a part that is not there', JSON.stringify({ ...CHECKPOINT, version: 3, planNow: '2026-06-01T00:00:00.000Z', planParts: [{ repositoryName: 'team/api', part: `${'0'.repeat(40)}.json` }] }), /planParts\[0\] \(team\/api\): its part .* cannot be read/],
    ['stored plan without its time', JSON.stringify({ ...STORED, planNow: undefined }), /planNow is required/],
    ['stored plan whose counts disagree', JSON.stringify({ ...STORED, plannedRepositories: [{ plan: { ...PLAN, counts: { ...PLAN.counts, delete: 2 } } }] }), /counts.delete is 2 but 1 image/],
    ['stored image without a decision', JSON.stringify({ ...STORED, plannedRepositories: [{ plan: { ...PLAN, images: [{ ...PLAN.images[0], decision: 'maybe' }] } }] }), /images\[0\].decision/],
    ['negative deletions', JSON.stringify({ ...STORED, deletionsSent: -1 }), /deletionsSent must be a non-negative integer/],
    ['bad repository list', JSON.stringify({ ...CHECKPOINT, finishedRepositories: 'team/api' }), /finishedRepositories must be an array/],
  ])('rejects a damaged checkpoint (%s) naming where it is', async (_case, text, message) => {
    const { store, corrupt, where } = make();
    await store.save(CHECKPOINT);
    await corrupt(text);
    const error = await store.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(where);
  });
});

/** A checkpoint of `n` stored plans, each of `images` images, as a run stopped while listing keeps it. */
function storedPlans(n: number, images: number, finished: string[] = []): Checkpoint {
  const plans = Array.from({ length: n }, (_, r) => {
    const name = `team/repo-${String(r).padStart(3, '0')}`;
    const planImages = Array.from({ length: images }, (_, i) => ({
      imageDigest: `sha256:${r}-${i}`,
      imageTags: i % 2 === 0 ? [] : [`v${i}`],
      pushedAt: '2026-05-01T00:00:00.000Z',
      lastPulledAt: null,
      sizeInBytes: 10,
      role: 'image' as const,
      decision: i % 2 === 0 ? ('delete' as const) : ('keep' as const),
      rule: i % 2 === 0 ? 'untagged' : null,
      reason: i % 2 === 0 ? 'delete: untagged' : 'keep: no rule',
    }));
    const deletes = planImages.filter((i) => i.decision === 'delete').length;
    const plan: RepositoryPlan = { repositoryName: name, policy: 'apps', status: 'planned', images: planImages, counts: { images, delete: deletes, keep: images - deletes, transition: 0, bytesToFree: deletes * 10 } };
    return { plan };
  });
  return { ...STORED, finishedRepositories: finished, plannedRepositories: plans };
}

describe('a parted checkpoint (file): the index stays small, each plan is written once', () => {
  it('keeps no stored plan in the checkpoint file itself, one part per repository beside it, and loads them back', async () => {
    const path = join(dir, `parted-${++counter}`, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    const checkpoint = storedPlans(20, 50);
    await store.save(checkpoint);
    const index = await readFile(path, 'utf8');
    // The index names the parts; not one image digest is in it.
    expect(index).not.toContain('sha256:');
    expect(JSON.parse(index)).toMatchObject({ version: 3, runId: 'run-42', planParts: expect.any(Array) });
    expect(index.length).toBeLessThan(JSON.stringify(checkpoint).length / 20);
    expect(await readdir(`${path}.plans`)).toHaveLength(20);
    expect(await new FileCheckpointStore(path).load()).toEqual(checkpoint);
  });

  it('rewrites only the index on later saves: a part written once is not written again', async () => {
    const path = join(dir, `parted-${++counter}`, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    const first = storedPlans(10, 20);
    await store.save(first);
    const parts = await readdir(`${path}.plans`);
    const before = new Map(await Promise.all(parts.map(async (p) => [p, (await stat(join(`${path}.plans`, p))).mtimeMs] as const)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = storedPlans(12, 20, ['team/repo-000']);
    await store.save({ ...later, deletionsSent: 9 });
    const after = await readdir(`${path}.plans`);
    expect(after).toHaveLength(12);
    for (const [part, mtime] of before) expect((await stat(join(`${path}.plans`, part))).mtimeMs, part).toBe(mtime);
    expect(await new FileCheckpointStore(path).load()).toEqual({ ...later, deletionsSent: 9 });
  });

  it('clear removes the index and every part', async () => {
    const path = join(dir, `parted-${++counter}`, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.save(storedPlans(3, 4));
    await store.clear();
    expect(await store.load()).toBeNull();
    await expect(readdir(`${path}.plans`)).rejects.toThrow(/ENOENT/);
  });

  it('still reads a checkpoint written whole, with its plans inline (version 2)', async () => {
    const path = join(dir, `parted-${++counter}`, 'checkpoint.json');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, encodeCheckpoint(STORED));
    expect(await new FileCheckpointStore(path).load()).toEqual(STORED);
  });

  it('a part holding another repository is a damaged checkpoint naming both', async () => {
    const path = join(dir, `parted-${++counter}`, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.save(storedPlans(2, 2));
    const [a, b] = (JSON.parse(await readFile(path, 'utf8')) as { planParts: { part: string }[] }).planParts;
    await writeFile(join(`${path}.plans`, a!.part), await readFile(join(`${path}.plans`, b!.part), 'utf8'));
    const error = await store.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/planParts\[0\] names team\/repo-000 but its part .* holds team\/repo-001/);
  });
});

describe('a parted checkpoint (S3)', () => {
  it('writes one part object per repository once, a small index object, and clear removes them all', async () => {
    const key = `sweeps/parted-${++counter}.json`;
    const store = new S3CheckpointStore(s3.client, 'reports', key);
    const checkpoint = storedPlans(15, 10);
    await store.save(checkpoint);
    await store.save({ ...checkpoint, deletionsSent: 3 });
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'reports', Prefix: `${key}.plans/` }));
    expect(listed.Contents).toHaveLength(15);
    const index = await (await s3.client.send(new GetObjectCommand({ Bucket: 'reports', Key: key }))).Body!.transformToString();
    expect(index).not.toContain('sha256:');
    expect(await new S3CheckpointStore(s3.client, 'reports', key).load()).toEqual({ ...checkpoint, deletionsSent: 3 });
    await store.clear();
    expect(await store.load()).toBeNull();
    const after = await s3.client.send(new ListObjectsV2Command({ Bucket: 'reports', Prefix: `${key}.plans/` }));
    expect(after.Contents ?? []).toHaveLength(0);
  });
});
