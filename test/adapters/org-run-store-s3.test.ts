/**
 * The organization run's work files on S3: a shard's plan part (every image of its repositories,
 * with its dry-run result) is uploaded in parts when large, and reads back as what was written,
 * with the same text JSON.stringify gives; a failed write names the object. s3rver through the
 * real SDK over HTTP.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrgRunStoreError, S3OrgRunStore } from '../../lib/adapters/org-run-store-s3.js';
import { UPLOAD_PART_SIZE } from '../../lib/adapters/s3-upload.js';
import type { PlanPart } from '../../lib/core/org-run.js';
import { buildSamplePlan, buildSampleResult } from '../fixtures/sample-result.js';
import { s3ClientFor, startFakeS3, type FakeS3 } from '../reports/helpers/s3rver-server.js';

const BUCKET = 'org-work';

describe('S3OrgRunStore against s3rver', () => {
  let s3: FakeS3;
  beforeAll(async () => {
    s3 = await startFakeS3([BUCKET]);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  /** A client that counts the UploadPart requests it sends. */
  function countingClient(): { client: S3Client; parts: () => number } {
    const client = s3ClientFor(s3.endpoint);
    let parts = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') parts += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countParts' },
    );
    return { client, parts: () => parts };
  }

  it('a large plan part goes up in parts and reads back equal, as the text JSON.stringify gives', async () => {
    const { client, parts } = countingClient();
    const store = new S3OrgRunStore(client, BUCKET, 'ecr-sweeper', 'run-1');
    const ref = { shardId: '111111111111-eu-west-1-0', targetKey: '111111111111/eu-west-1' };
    const part: PlanPart = {
      ...ref,
      target: { accountId: '111111111111', region: 'eu-west-1' },
      status: 'planned',
      plan: buildSamplePlan({ extraRepositories: 16, imagesPerExtraRepository: 1000 }),
      result: buildSampleResult({ extraRepositories: 16, imagesPerExtraRepository: 1000, mode: 'dry-run' }),
    };

    await store.writePlanPart(part);

    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: store.keys.planPart(ref) }));
    const text = await out.Body!.transformToString('utf8');
    expect(text).toBe(JSON.stringify(part));
    expect(text.length).toBeGreaterThan(2 * UPLOAD_PART_SIZE);
    expect(parts()).toBe(Math.ceil(Buffer.byteLength(text) / UPLOAD_PART_SIZE));
    expect(await store.readPlanPart(ref)).toEqual(part);
    client.destroy();
  }, 60_000);

  it('a part that cannot be written is an OrgRunStoreError naming the object', async () => {
    const store = new S3OrgRunStore(s3.client, 'no-such-org-bucket', 'p', 'run-2');
    const ref = { shardId: '111111111111-eu-west-1-0', targetKey: '111111111111/eu-west-1' };
    const error = await store.writeResultPart({ ...ref, target: { accountId: '111111111111', region: 'eu-west-1' }, status: 'failed', error: { code: 'X', message: 'y' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrgRunStoreError);
    expect((error as Error).message).toContain('cannot write s3://no-such-org-bucket/p/runs/run-2/results/111111111111/eu-west-1/111111111111-eu-west-1-0.json');
  });
});
