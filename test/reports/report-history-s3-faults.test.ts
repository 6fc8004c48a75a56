/**
 * What a denied or failing history costs on S3: never the report. The precise sequence of S3
 * answers (a 403 on the history read, a 500 on the history write) is what the SDK mock is for.
 */
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { writeRunReports } from '../../lib/adapters/report-store.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

const denied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });

function putKeys(): string[] {
  return s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key ?? '');
}

describe('S3 history faults', () => {
  it('a denied history read: the report is written, says why it has no trend, and the history is not overwritten', async () => {
    s3.on(GetObjectCommand).rejects(denied());
    s3.on(PutObjectCommand).resolves({});
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const store = new S3ReportStore(new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), { bucket: 'b', prefix: 'p' });

    const { insights } = await writeRunReports(store, buildSampleResult(), { logger });

    expect(insights.history).toBeNull();
    expect(insights.historyNote).toContain('could not read s3://b/p/history/runs.jsonl: AccessDenied');
    expect(putKeys().sort()).toEqual(['p/2026-11-27/sweep-20261127-0600/report.html', 'p/2026-11-27/sweep-20261127-0600/result.csv', 'p/2026-11-27/sweep-20261127-0600/result.json']);
    expect(warnings).toEqual(['run history not read']);
  });

  it('a failed history write is a warning: the report stands', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }));
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: 'p/history/decisions.json' }).rejects(new Error('InternalError'));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const store = new S3ReportStore(new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), { bucket: 'b', prefix: 'p' });

    const { report, insights } = await writeRunReports(store, buildSampleResult(), { logger });

    expect(report.files.reportHtml).toBe('s3://b/p/2026-11-27/sweep-20261127-0600/report.html');
    expect(insights.history).toHaveLength(1);
    expect(warnings).toEqual(['run history not written']);
  });
});
