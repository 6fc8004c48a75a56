/**
 * The S3 report store suite (the one the unit tests run against s3rver) against moto's S3,
 * started and stopped here; moto checks requests more like AWS does (e.g. the SSE header).
 */
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { buildSamplePlan } from '../fixtures/sample-result.js';
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
