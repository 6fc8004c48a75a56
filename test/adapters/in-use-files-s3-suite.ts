/**
 * The in-use file reader's S3 behaviour, as a suite any S3 endpoint can be run against (s3rver in
 * the unit suite, moto in the interop suite), always through the real @aws-sdk/client-s3 over
 * HTTP. s3rver cannot continue a listing on Node 20 (its continuation tokens use DES, which
 * OpenSSL 3 no longer offers), so pagination is exercised against moto only.
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InUseFileReader, InUseFilesError, type InUseFileReaderOptions } from '../../lib/adapters/in-use-files.js';
import type { InUseFileSettings } from '../../lib/core/rules-model.js';
import { InUseSourceError } from '../../lib/engine/errors.js';

export interface S3ForInUseFiles {
  client: S3Client;
  stop(): Promise<void>;
  /** Whether the endpoint continues a listing (ListObjectsV2 ContinuationToken). */
  paginates: boolean;
}

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const WEB = `${HOST}/web:v1`;
const API = `${HOST}/api@sha256:${'b'.repeat(64)}`;
const HOUR = 3_600_000;

/** The error a scan fails with; fails the test when the scan succeeds. */
export async function scanError(reader: InUseFileReader, now = Date.now()): Promise<InUseFilesError> {
  const error = await reader.scan({ now }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InUseFilesError);
  expect(error).toBeInstanceOf(InUseSourceError);
  return error as InUseFilesError;
}

/** Registers the S3 in-use files suite against the endpoint `start` provides. */
export function describeS3InUseFiles(name: string, start: () => Promise<S3ForInUseFiles>): void {
  describe(`in-use files in S3 (${name}, through the AWS SDK)`, () => {
    let s3: S3ForInUseFiles;
    beforeAll(async () => {
      s3 = await start();
      for (const bucket of ['ops', 'empty']) await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    afterAll(async () => {
      await s3?.stop();
    });
    const put = (key: string, value: unknown) =>
      s3.client.send(new PutObjectCommand({ Bucket: 'ops', Key: key, Body: typeof value === 'string' ? value : JSON.stringify(value) }));
    const reader = (over: Partial<InUseFileSettings>, options: Partial<InUseFileReaderOptions> = {}) =>
      new InUseFileReader({ settings: { locations: [], maxAgeMs: 24 * HOUR, expect: [], ...over }, baseDirectory: '/nonexistent', s3: s3.client, ...options });

    it('reads every .json object under the prefix, counting its calls, and notes what it skipped', async () => {
      const generatedAt = new Date().toISOString();
      await put('in-use/123456789012/eu-west-1/prod-eks.json', { generatedAt, source: 'prod-eks', images: [WEB, { image: API, consumer: 'cronjob ops/backup' }] });
      await put('in-use/123456789012/eu-west-1/staging-eks.json', { generatedAt, source: 'staging-eks', images: [WEB] });
      await put('in-use/ecrm.json', [API]);
      await put('in-use/README.txt', 'written by the exporter');
      await put('other/x.json', '{');

      const r = reader({ locations: ['s3://ops/in-use/'], expect: ['prod-eks', 'staging-eks', 'ecrm'] }, s3.paginates ? { listPageSize: 2 } : {});
      expect(r.label).toBe('in-use files (s3://ops/in-use/)');
      const scan = await r.scan({ now: Date.now() });

      expect(scan.usages).toEqual([
        { consumer: 'Kubernetes prod-eks (from in-use file s3://ops/in-use/123456789012/eu-west-1/prod-eks.json)', source: 'file', reference: WEB },
        { consumer: 'Kubernetes prod-eks, cronjob ops/backup (from in-use file s3://ops/in-use/123456789012/eu-west-1/prod-eks.json)', source: 'file', reference: API },
        { consumer: 'Kubernetes staging-eks (from in-use file s3://ops/in-use/123456789012/eu-west-1/staging-eks.json)', source: 'file', reference: WEB },
        { consumer: 'in-use file s3://ops/in-use/ecrm.json', source: 'file', reference: API },
      ]);
      // 4 keys under the prefix: 2 pages of 2 where the endpoint paginates; one GetObject per .json object.
      expect(scan.calls).toEqual({ 's3:ListObjectsV2': s3.paginates ? 2 : 1, 's3:GetObject': 3 });
      expect(scan.notes).toEqual(['1 object under s3://ops/in-use/ not read: only .json objects are in-use files']);
    });

    it('fails closed on a bucket that cannot be listed', async () => {
      const error = await scanError(reader({ locations: ['s3://no-such-bucket/in-use/'] }));
      expect(error.code).toBe('location-unlistable');
      expect(error.location).toBe('s3://no-such-bucket/in-use/');
      expect(error.message).toMatch(/cannot be listed: NoSuchBucket/);
    });

    it('fails closed on a prefix with no .json object', async () => {
      const error = await scanError(reader({ locations: ['s3://empty/in-use/'] }));
      expect(error.code).toBe('location-not-found');
      expect(error.message).toMatch(/holds no \.json object/);
    });

    it('fails closed on an object older than maxAge by its LastModified, and on a missing expected cluster', async () => {
      await put('aged/a.json', [WEB]);
      const stale = await scanError(reader({ locations: ['s3://ops/aged/'] }), Date.now() + 25 * HOUR);
      expect(stale.code).toBe('file-stale');
      expect(stale.location).toBe('s3://ops/aged/a.json');
      expect(stale.message).toMatch(/modification time .* is 2[45]h old/);
      const missing = await scanError(reader({ locations: ['s3://ops/aged/'], expect: ['prod-eks'] }));
      expect(missing.code).toBe('file-missing');
    });

    it('fails closed on an object larger than the limit without reading it, and on a malformed one', async () => {
      await put('sized/big.json', [WEB, WEB, WEB, WEB]);
      await put('sized/bad.json', { images: 'web:v1' });
      const error = await scanError(reader({ locations: ['s3://ops/sized/'] }, { limits: { maxFileBytes: 100 } }));
      // The size is refused while listing, so before any file is parsed.
      expect(error.problems.map((p) => [p.code, p.where, p.at])).toEqual([
        ['file-too-large', 's3://ops/sized/big.json', undefined],
        ['file-malformed', 's3://ops/sized/bad.json', '$.images'],
      ]);
      expect(error.message).toMatch(/is 2\d\d bytes, larger than 100 bytes, the limit for one in-use file; not read/);
    });

    it('stops listing once there are more files than allowed', async () => {
      for (let i = 0; i < 6; i++) await put(`many/${i}.json`, [WEB]);
      const error = await scanError(reader({ locations: ['s3://ops/many/'] }, { ...(s3.paginates ? { listPageSize: 2 } : {}), limits: { maxFiles: 2 } }));
      expect(error.code).toBe('too-many-files');
    });
  });
}
