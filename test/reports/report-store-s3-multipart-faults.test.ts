/**
 * A failed multipart upload of the S3 report store is aborted (no parts left to be billed) and
 * surfaces as ReportWriteError naming the object. The SDK mock gives the precise sequences s3rver
 * cannot (it has no AbortMultipartUpload and never fails a part); the happy path, bytes and
 * headers are tested against s3rver in report-store-s3-multipart.test.ts.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { ReportWriteError } from '../../lib/adapters/report-store.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

describe('S3ReportStore multipart failures (SDK mock: the precise sequence)', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const client = () => new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const failure = () => new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error' });
  const result = buildSampleResult({ extraRepositories: 12, imagesPerExtraRepository: 1000, runId: 'run-f' });
  const key = 'p/2026-11-27/run-f/result.json';

  it('a part that fails aborts the upload (no parts left behind), completes nothing, and throws ReportWriteError naming the key', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).resolvesOnce({ ETag: '"e1"' }).rejects(failure());
    s3.on(AbortMultipartUploadCommand).resolves({});
    const error = await new S3ReportStore(client(), { bucket: 'b', prefix: 'p' }).writeResult(result).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReportWriteError);
    expect((error as ReportWriteError).location).toBe(`s3://b/${key}`);
    expect((error as Error).message).toContain(`could not write result.json to s3://b/${key}: InternalError`);
    expect((error as Error).cause).toBeInstanceOf(S3ServiceException);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'b', Key: key, UploadId: 'upload-1' }]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    // Nothing after the failed file: result.csv and report.html are not written.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
  });

  it('a completion that fails aborts the upload too', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber?: number }) => ({ ETag: `"e${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).rejects(failure());
    s3.on(AbortMultipartUploadCommand).resolves({});
    const error = await new S3ReportStore(client(), { bucket: 'b', prefix: 'p' }).writeResult(result).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReportWriteError);
    expect((error as ReportWriteError).location).toBe(`s3://b/${key}`);
    expect(s3.commandCalls(UploadPartCommand).length).toBeGreaterThanOrEqual(2);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId)).toEqual(['upload-2']);
  });

  it('pieces that fail midway (an image part that cannot be read back) abort the upload: the object is never completed half-written', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-3' });
    s3.on(UploadPartCommand).callsFake((input: { PartNumber?: number }) => ({ ETag: `"e${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(AbortMultipartUploadCommand).resolves({});
    const broken = buildSampleResult({ extraRepositories: 12, imagesPerExtraRepository: 1000, runId: 'run-f' });
    // As an image part store whose folder was removed: the last repository's images cannot be read.
    Object.defineProperty(broken.repositories[broken.repositories.length - 1]!, 'images', {
      enumerable: true,
      get: () => {
        throw new Error('could not read back the result images of generated-11');
      },
    });
    const error = await new S3ReportStore(client(), { bucket: 'b', prefix: 'p' }).writeResult(broken).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReportWriteError);
    expect((error as Error).message).toContain('could not read back the result images of generated-11');
    expect(s3.commandCalls(UploadPartCommand).length).toBeGreaterThanOrEqual(1);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId)).toEqual(['upload-3']);
  });
});
