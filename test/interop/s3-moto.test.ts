/**
 * The S3 report store suite (the one the unit tests run against s3rver) against moto's S3,
 * started and stopped here; moto checks requests more like AWS does (e.g. the SSE header), and
 * it lists more than 1,000 keys and takes multipart uploads as S3 does, where s3rver does not.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CheckpointStore } from '../../lib/adapters/checkpoint-s3.js';
import { LocalReportStore } from '../../lib/adapters/report-store-local.js';
import { S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { buildSamplePlan, buildSampleResult } from '../fixtures/sample-result.js';
import { describeS3ReportStore } from '../reports/helpers/s3-store-contract.js';
import { s3ClientFor } from '../reports/helpers/s3rver-server.js';
import { startMoto, type MotoServer } from './support/moto-server.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

let bucketCount = 0;
async function freshBucket() {
  const client = s3ClientFor(moto.url);
  bucketCount += 1;
  const bucket = `ecr-sweeper-reports-${bucketCount}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { client, bucket, stop: async () => client.destroy() };
}

describeS3ReportStore('moto', freshBucket);

describe('S3ReportStore encryption headers against moto', () => {
  it('stores every object with the requested server-side encryption', async () => {
    const { client, bucket, stop } = await freshBucket();
    try {
      const store = new S3ReportStore(client, { bucket, prefix: 'sse' });
      await store.writePlan(buildSamplePlan(), 'run-sse');
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sse/2026-11-27/run-sse/plan.json' }));
      expect(head.ServerSideEncryption).toBe('AES256');
    } finally {
      await stop();
    }
  });
});

describe('large S3 files against moto', () => {
  it('uploads a result of several parts (multipart, AES256) that reads back as the local store writes it', async () => {
    const { client, bucket, stop } = await freshBucket();
    const local = await mkdtemp(join(tmpdir(), 'ecr-sweeper-moto-multipart-'));
    try {
      // About 36,000 images: result.json ~21 MiB, several 5 MiB parts.
      const big = { extraRepositories: 36, imagesPerExtraRepository: 1000, runId: 'run-big' };
      const result = buildSampleResult(big);
      const store = new S3ReportStore(client, { bucket, prefix: 'big' });
      await store.writePlan(buildSamplePlan(big), 'run-big');
      await store.writeResult(result);
      const localStore = new LocalReportStore(local, { layout: 'flat' });
      await localStore.writePlan(buildSamplePlan(big), 'run-big');
      await localStore.writeResult(result);
      const key = 'big/2026-11-27/run-big/result.json';
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ServerSideEncryption).toBe('AES256');
      // A multipart object's ETag is "<md5 of the part md5s>-<parts>".
      expect(Number(head.ETag?.match(/-(\d+)"?$/)?.[1])).toBeGreaterThan(1);
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      expect(body.equals(await readFile(join(local, 'result.json')))).toBe(true);
    } finally {
      await rm(local, { recursive: true, force: true });
      await stop();
    }
  }, 120_000);

  it('clears a checkpoint with more parts than one listing page (deleting while it lists)', async () => {
    const { client, bucket, stop } = await freshBucket();
    try {
      const key = 'sweeps/checkpoint.json';
      const store = new S3CheckpointStore(client, bucket, key);
      await store.save({ version: 1, runId: 'run-1', rulesHash: 'h', finishedRepositories: [], updatedAt: '2026-06-01T00:00:00.000Z' });
      const parts = Array.from({ length: 1_150 }, (_, i) => `${key}.plans/part-${String(i).padStart(5, '0')}.json`);
      for (let i = 0; i < parts.length; i += 50) {
        await Promise.all(parts.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '{}' }))));
      }
      await store.clear();
      expect(await store.load()).toBeNull();
      const after = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'sweeps/' }));
      expect(after.KeyCount ?? 0).toBe(0);
    } finally {
      await stop();
    }
  }, 120_000);
});
