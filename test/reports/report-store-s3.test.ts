import { describe, expect, it } from 'vitest';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../lib/errors.js';
import { MAX_URL_EXPIRY_SECONDS, S3ReportStore } from '../../lib/adapters/report-store-s3.js';
import { describeS3ReportStore } from './helpers/s3-store-contract.js';
import { startFakeS3 } from './helpers/s3rver-server.js';

describeS3ReportStore('s3rver', async () => {
  const s3 = await startFakeS3(['ecr-sweeper-reports']);
  return { client: s3.client, bucket: 'ecr-sweeper-reports', stop: () => s3.stop() };
});

describe('S3ReportStore configuration', () => {
  const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true });

  it.each([
    [{ bucket: '' }, /bucket is required/],
    [{ bucket: 'b', urlExpiresInSeconds: 0 }, /urlExpiresInSeconds must be an integer from 1 to 604800/],
    [{ bucket: 'b', urlExpiresInSeconds: MAX_URL_EXPIRY_SECONDS + 1 }, /7 days/],
    [{ bucket: 'b', urlExpiresInSeconds: 1.5 }, /integer/],
  ])('rejects %j', (options, message) => {
    expect(() => new S3ReportStore(client, options)).toThrow(ConfigError);
    expect(() => new S3ReportStore(client, options)).toThrow(message);
  });

  it('cannot link to a report before one is written', async () => {
    const store = new S3ReportStore(client, { bucket: 'b' });
    await expect(store.reportUrl()).rejects.toThrow(/no report has been written yet/);
  });
});
