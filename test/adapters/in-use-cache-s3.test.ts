/**
 * The state machine's shared in-use scan (lib/adapters/in-use-cache-s3.ts) on s3rver through the
 * real S3 client: a stored scan fresh enough is reused without scanning, a stale, missing or
 * malformed one makes a fresh scan that is stored for the next invocation, a scan in flight in
 * the same process is shared, and a failed source travels with the stored scan.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3InUseScanCache } from '../../lib/adapters/in-use-cache-s3.js';
import type { InUseScanOutcome } from '../../lib/engine/in-use-scan.js';
import { startFakeS3, type FakeS3 } from '../reports/helpers/s3rver-server.js';

const BUCKET = 'work';
let s3: FakeS3;
beforeAll(async () => {
  s3 = await startFakeS3([BUCKET]);
});
afterAll(async () => {
  await s3?.stop();
});

function outcome(startedAt: number, failed = false): InUseScanOutcome {
  return {
    startedAt,
    usages: [{ consumer: 'ECS service prod/web', source: 'ecs', reference: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/app/web:v1' }],
    sources: [
      failed
        ? { source: 'ecs', label: 'ECS (all clusters) in 222222222222/eu-west-1', status: 'failed', usages: 0, calls: {}, error: { code: 'AccessDenied', message: 'not authorized' } }
        : { source: 'ecs', label: 'ECS (all clusters) in 111111111111/eu-west-1', status: 'scanned', usages: 1, calls: { 'ecs:ListClusters': 1 } },
    ],
  };
}

/** A scanFresh that counts its calls. */
function scanner(result: InUseScanOutcome): { calls: () => number; scan: () => Promise<InUseScanOutcome> } {
  let calls = 0;
  return { calls: () => calls, scan: async () => (calls++, result) };
}

describe('S3InUseScanCache', () => {
  it('reuses a stored scan that started within maxAge, in another invocation (another cache object)', async () => {
    const key = 'runs/r1/in-use.json';
    await new S3InUseScanCache(s3.client, BUCKET, key).store(outcome(1_000_000, true));
    const fresh = scanner(outcome(1_200_000));
    const got = await new S3InUseScanCache(s3.client, BUCKET, key).scan({ now: 1_250_000, maxAgeMs: 300_000 }, fresh.scan);
    expect(fresh.calls()).toBe(0);
    expect(got).toEqual(outcome(1_000_000, true));
    // The failed source is part of what is shared: the guard of every shard fails closed on it.
    expect(got.sources[0]!.status).toBe('failed');
  });

  it('scans afresh when the stored scan is older than maxAge, and stores the new one for the next', async () => {
    const key = 'runs/r2/in-use.json';
    await new S3InUseScanCache(s3.client, BUCKET, key).store(outcome(1_000_000));
    const fresh = scanner(outcome(1_400_000));
    const got = await new S3InUseScanCache(s3.client, BUCKET, key).scan({ now: 1_400_001, maxAgeMs: 300_000 }, fresh.scan);
    expect(fresh.calls()).toBe(1);
    expect(got.startedAt).toBe(1_400_000);
    expect(await new S3InUseScanCache(s3.client, BUCKET, key).load()).toEqual(outcome(1_400_000));
  });

  it('scans afresh when nothing is stored or the stored object is not a scan', async () => {
    const fresh = scanner(outcome(5));
    expect(await new S3InUseScanCache(s3.client, BUCKET, 'runs/none/in-use.json').scan({ now: 5, maxAgeMs: 1 }, fresh.scan)).toEqual(outcome(5));
    for (const body of ['not json', '{"startedAt":"yesterday","usages":[],"sources":[]}', '{"startedAt":5,"usages":{}}']) {
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'runs/bad/in-use.json', Body: body }));
      const again = scanner(outcome(6));
      expect(await new S3InUseScanCache(s3.client, BUCKET, 'runs/bad/in-use.json').scan({ now: 6, maxAgeMs: 1_000 }, again.scan)).toEqual(outcome(6));
      expect(again.calls(), body).toBe(1);
    }
  });

  it('shares its own scan in flight with a second request of the same process', async () => {
    let release!: () => void;
    let calls = 0;
    const slow = () => new Promise<InUseScanOutcome>((resolve) => {
      calls += 1;
      release = () => resolve(outcome(10));
    });
    const cache = new S3InUseScanCache(s3.client, BUCKET, 'runs/r4/in-use.json');
    const first = cache.scan({ now: 10, maxAgeMs: 100 }, slow);
    await new Promise((r) => setTimeout(r, 50));
    const second = cache.scan({ now: 20, maxAgeMs: 100 }, slow);
    release();
    expect(await first).toEqual(outcome(10));
    expect(await second).toEqual(outcome(10));
    expect(calls).toBe(1);
  });

  it('still answers with its scan when it cannot store it (the other invocations only scan again)', async () => {
    const fresh = scanner(outcome(7));
    const cache = new S3InUseScanCache(s3.client, 'no-such-bucket', 'runs/x/in-use.json');
    expect(await cache.scan({ now: 7, maxAgeMs: 1 }, fresh.scan)).toEqual(outcome(7));
    expect(fresh.calls()).toBe(1);
  });
});
