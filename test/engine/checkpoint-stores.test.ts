/**
 * Both checkpoint stores pass the same contract: absent -> null, save/load round trip, clear,
 * and a damaged checkpoint is a CheckpointError naming where it is. The S3 store runs against
 * s3rver through the real S3 client.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../lib/adapters/checkpoint-file.js';
import { S3CheckpointStore } from '../../lib/adapters/checkpoint-s3.js';
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
    ['wrong version', JSON.stringify({ ...CHECKPOINT, version: 3 }), /version must be 1 or 2/],
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
