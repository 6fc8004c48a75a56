/**
 * The precise S3 answers the emulators cannot give: a listing that fails on its second page, an
 * object denied after it was listed, an object that grew past the limit after it was listed, and
 * pagination where s3rver cannot continue a listing. Each fails the scan closed or reads all.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { InUseFileReader } from '../../lib/adapters/in-use-files.js';
import { scanError } from './in-use-files-s3-suite.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const WEB = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:v1';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const reader = (limits?: { maxFileBytes?: number }) =>
  new InUseFileReader({ settings: { locations: ['s3://ops/in-use/'], maxAgeMs: 86_400_000, expect: [] }, baseDirectory: '/', s3: client, ...(limits ? { limits } : {}) });
const body = (text: string) => ({ Body: Readable.from([Buffer.from(text)]) as never, LastModified: new Date(NOW - 60_000) });
const error = (name: string, status: number) => new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });

describe('in-use files: S3 faults and pagination', () => {
  it('follows every page of the listing with its continuation token', async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({ Contents: [{ Key: 'in-use/a.json', Size: 10 }], IsTruncated: true, NextContinuationToken: 't1' });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't1' }).resolves({ Contents: [{ Key: 'in-use/b.json', Size: 10 }], IsTruncated: false });
    s3.on(GetObjectCommand).callsFake(() => body(JSON.stringify([WEB])));
    const scan = await reader().scan({ now: NOW });
    expect(scan.usages.map((u) => u.consumer)).toEqual(['in-use file s3://ops/in-use/a.json', 'in-use file s3://ops/in-use/b.json']);
    expect(scan.calls).toEqual({ 's3:ListObjectsV2': 2, 's3:GetObject': 2 });
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Prefix, c.args[0].input.ContinuationToken])).toEqual([
      ['in-use/', undefined],
      ['in-use/', 't1'],
    ]);
  });

  it('a listing that fails on its second page fails closed and reads nothing', async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({ Contents: [{ Key: 'in-use/a.json', Size: 10 }], IsTruncated: true, NextContinuationToken: 't1' });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't1' }).rejects(error('SlowDown', 503));
    s3.on(GetObjectCommand).callsFake(() => body(JSON.stringify([WEB])));
    const e = await scanError(reader(), NOW);
    expect(e.code).toBe('location-unlistable');
    expect(e.message).toBe('file: s3://ops/in-use/: location-unlistable: cannot be listed: SlowDown');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('an object denied after it was listed fails closed, naming it and S3\'s code', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'in-use/a.json', Size: 10 }, { Key: 'in-use/b.json', Size: 10 }] });
    s3.on(GetObjectCommand, { Key: 'in-use/a.json' }).callsFake(() => body(JSON.stringify([WEB])));
    s3.on(GetObjectCommand, { Key: 'in-use/b.json' }).rejects(error('AccessDenied', 403));
    const e = await scanError(reader(), NOW);
    expect(e.code).toBe('file-unreadable');
    expect(e.location).toBe('s3://ops/in-use/b.json');
    expect(e.message).toBe('file: s3://ops/in-use/b.json: file-unreadable: cannot be read: AccessDenied');
  });

  it('an object that grew past the limit after it was listed is refused while streaming', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'in-use/a.json', Size: 10 }] });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('["a:1",'), Buffer.from('"b:2"]')]) as never, LastModified: new Date(NOW) }));
    const e = await scanError(reader({ maxFileBytes: 8 }), NOW);
    expect(e.code).toBe('file-too-large');
    expect(e.location).toBe('s3://ops/in-use/a.json');
  });

  it('an object without LastModified and without generatedAt has no known age: fails closed', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'in-use/a.json', Size: 10 }] });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(JSON.stringify([WEB]))]) as never }));
    expect((await scanError(reader(), NOW)).message).toMatch(/age is unknown/);
  });
});
