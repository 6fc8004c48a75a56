/**
 * The S3 report store streams large files as multipart uploads (lib-storage): the bytes read back
 * are the local store's, the encryption headers go with the CreateMultipartUpload, and a failed
 * upload surfaces as ReportWriteError naming the object; all against s3rver, through the real SDK
 * over HTTP. The abort of a failed upload: report-store-s3-multipart-faults.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalReportStore } from '../../lib/adapters/report-store-local.js';
import { S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { ReportWriteError } from '../../lib/adapters/report-store.js';
import { UPLOAD_PART_SIZE } from '../../lib/adapters/s3-upload.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { buildSamplePlan, buildSampleResult } from '../fixtures/sample-result.js';
import { s3ClientFor, startFakeS3, type FakeS3 } from './helpers/s3rver-server.js';

const BUCKET = 'multipart-reports';

/** What went over HTTP: each command's name, path (`/bucket/key`), query and headers. */
interface SentRequest {
  command: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, unknown>;
}

/** A client for `endpoint` that records every request it sends, after signing (what S3 receives). */
function recordingClient(endpoint: string): { client: S3Client; sent: SentRequest[] } {
  const client = s3ClientFor(endpoint);
  const sent: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { path: string; headers: Record<string, string>; query: Record<string, unknown> };
      sent.push({ command: context.commandName ?? '', path: request.path, headers: { ...request.headers }, query: { ...request.query } });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
  return { client, sent };
}

async function bytesOf(client: S3Client, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

describe('S3ReportStore multipart uploads against s3rver', () => {
  let s3: FakeS3;
  let local: string;
  // About 36,000 images: result.json ~21 MiB (5 parts), plan.json ~18 MiB, result.csv ~7.5 MiB (2 parts).
  const big = { extraRepositories: 36, imagesPerExtraRepository: 1000 };
  let result: SweepResult;

  beforeAll(async () => {
    s3 = await startFakeS3([BUCKET]);
    local = await mkdtemp(join(tmpdir(), 'ecr-sweeper-multipart-'));
    result = buildSampleResult({ ...big, runId: 'run-big' });
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(local, { recursive: true, force: true });
  });

  it('writes a result of several parts that reads back byte for byte what the local store writes', async () => {
    const { client, sent } = recordingClient(s3.endpoint);
    const store = new S3ReportStore(client, { bucket: BUCKET, prefix: 'big' });
    const localStore = new LocalReportStore(local, { layout: 'flat' });
    const plan = buildSamplePlan({ ...big, runId: 'run-big' });

    await store.writePlan(plan, 'run-big');
    const written = await store.writeResult(result);
    await localStore.writePlan(plan, 'run-big');
    const localWritten = await localStore.writeResult(result);

    const folder = 'big/2026-11-27/run-big';
    expect(written.folder).toBe(`s3://${BUCKET}/${folder}`);
    for (const [name, localFile] of [
      ['plan.json', join(local, 'plan.json')],
      ['result.json', localWritten.files.resultJson],
      ['result.csv', localWritten.files.resultCsv],
      ['report.html', localWritten.files.reportHtml],
    ] as const) {
      const uploaded = await bytesOf(client, `${folder}/${name}`);
      expect(uploaded.equals(await readFile(localFile)), name).toBe(true);
    }
    // The large files went in parts of UPLOAD_PART_SIZE; the small HTML page as one PutObject.
    const parts = (name: string) => sent.filter((r) => r.command === 'UploadPartCommand' && r.path === `/${BUCKET}/${folder}/${name}`).length;
    const jsonSize = (await bytesOf(client, `${folder}/result.json`)).length;
    expect(jsonSize).toBeGreaterThan(3 * UPLOAD_PART_SIZE);
    expect(parts('result.json')).toBe(Math.ceil(jsonSize / UPLOAD_PART_SIZE));
    expect(parts('plan.json')).toBeGreaterThanOrEqual(3);
    expect(parts('result.csv')).toBeGreaterThanOrEqual(2);
    expect(sent.filter((r) => r.command === 'CompleteMultipartUploadCommand').map((r) => r.path)).toEqual(
      [`plan.json`, 'result.json', 'result.csv'].map((n) => `/${BUCKET}/${folder}/${n}`),
    );
    expect(sent.filter((r) => r.command === 'PutObjectCommand').map((r) => r.path)).toContain(`/${BUCKET}/${folder}/report.html`);
    client.destroy();
  }, 60_000);

  it('sends the server-side encryption headers with the CreateMultipartUpload (AES256 by default, aws:kms with its key)', async () => {
    const plain = recordingClient(s3.endpoint);
    await new S3ReportStore(plain.client, { bucket: BUCKET, prefix: 'sse-default' }).writeResult(result);
    const kms = recordingClient(s3.endpoint);
    await new S3ReportStore(kms.client, { bucket: BUCKET, prefix: 'sse-kms', serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/reports' }).writeResult(result);
    const none = recordingClient(s3.endpoint);
    await new S3ReportStore(none.client, { bucket: BUCKET, prefix: 'sse-none', serverSideEncryption: null }).writeResult(result);

    const creates = (sent: SentRequest[]) => sent.filter((r) => r.command === 'CreateMultipartUploadCommand');
    expect(creates(plain.sent).length).toBeGreaterThanOrEqual(2);
    for (const r of creates(plain.sent)) {
      expect(r.headers['x-amz-server-side-encryption']).toBe('AES256');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-type']).toMatch(/; charset=utf-8$/);
    }
    expect(creates(kms.sent).length).toBeGreaterThanOrEqual(2);
    for (const r of creates(kms.sent)) {
      expect(r.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(r.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/reports');
    }
    expect(creates(none.sent).length).toBeGreaterThanOrEqual(2);
    for (const r of creates(none.sent)) expect(r.headers['x-amz-server-side-encryption']).toBeUndefined();
    // The single PutObject of the small HTML page carries them too.
    const html = kms.sent.find((r) => r.command === 'PutObjectCommand' && r.path.endsWith('/report.html'))!;
    expect(html.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    for (const c of [plain, kms, none]) c.client.destroy();
  }, 60_000);

  it('a multipart upload into a bucket that does not exist is a ReportWriteError naming the object', async () => {
    const { client } = recordingClient(s3.endpoint);
    const store = new S3ReportStore(client, { bucket: 'no-such-bucket-multipart', prefix: 'p' });
    const error = await store.writeResult(result).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReportWriteError);
    expect((error as ReportWriteError).location).toBe('s3://no-such-bucket-multipart/p/2026-11-27/run-big/result.json');
    expect((error as Error).message).toContain('could not write result.json to s3://no-such-bucket-multipart/p/2026-11-27/run-big/result.json: NoSuchBucket');
    client.destroy();
  }, 60_000);
});
