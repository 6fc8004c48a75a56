/**
 * The functions' pure pieces: environment validation, event validation, run ids and deadlines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/shared/config.js';
import { parsePlanEvent, parseSweepEvent } from '../../functions/shared/events.js';
import { checkpointKey, newRunId } from '../../functions/shared/run.js';
import { deadlineFor } from '../../functions/shared/summary.js';
import { ConfigError } from '../../lib/errors.js';
import { ECR_PRICES } from '../../lib/core/ecr-prices.js';
import { reportFolderProblem } from '../../lib/core/report-layout.js';

const BASE = { REPORT_BUCKET: 'reports' };

describe('loadConfig', () => {
  it('prices with the built-in table, or PRICES_JSON laid over it; a bad table fails at cold start naming the variable', () => {
    expect(loadConfig({ ...BASE, PRICES_JSON: '' }).prices).toBe(ECR_PRICES);
    const config = loadConfig({ ...BASE, PRICES_JSON: '{"checkedOn":"2026-12-01","source":"edp","regions":{"eu-west-3":{"standardPerGbMonth":0.09}}}' });
    expect(config.prices.regions['eu-west-3']).toEqual({ standardPerGbMonth: 0.09, archivePerGbMonth: null });
    expect(config.prices.regions['us-east-1']).toEqual(ECR_PRICES.regions['us-east-1']);
    expect(() => loadConfig({ ...BASE, PRICES_JSON: '{"regions":{}}' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, PRICES_JSON: '{"regions":{}}' })).toThrow(/^invalid function configuration: PRICES_JSON: invalid price table: checkedOn/);
  });

  it('applies the defaults serverless.yml relies on, treating blank params as unset', () => {
    const config = loadConfig({ ...BASE, RULES_S3_URI: '', RULES_SSM_PARAMETER: ' ', SLACK_WEBHOOK_SSM_PARAMETER: '' });
    expect(config).toMatchObject({
      reportBucket: 'reports',
      reportPrefix: 'ecr-sweeper',
      rulesFile: 'rules/default.yml',
      rulesS3: undefined,
      rulesSsmParameter: undefined,
      concurrency: 4,
      deadlineMarginMs: 60_000,
      presignExpirySeconds: 604_800,
      slackWebhook: undefined,
      s3ForcePathStyle: false,
    });
  });

  it.each([
    [{ RULES_S3_URI: 's3://cfg-bucket/a/b/rules.yml' }, { rulesS3: { bucket: 'cfg-bucket', key: 'a/b/rules.yml' } }],
    [{ REPORT_PREFIX: '/reports/ecr/' }, { reportPrefix: 'reports/ecr' }],
    [{ CONCURRENCY: '16', DEADLINE_MARGIN_MS: '0' }, { concurrency: 16, deadlineMarginMs: 0 }],
    [{ SLACK_WEBHOOK_SSM_PARAMETER: '/x/slack' }, { slackWebhook: { kind: 'ssm', name: '/x/slack' } }],
    [
      { SLACK_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf' },
      { slackWebhook: { kind: 'secretsmanager', secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf' } },
    ],
    [{ S3_FORCE_PATH_STYLE: 'true' }, { s3ForcePathStyle: true }],
    [{ IN_USE_S3_URI: 's3://reports-bucket/in-use/' }, { inUseS3Uri: 's3://reports-bucket/in-use/' }],
    [{ IN_USE_S3_URI: ' ' }, { inUseS3Uri: undefined }],
  ])('reads %j', (env, expected) => {
    expect(loadConfig({ ...BASE, ...env })).toMatchObject(expected);
  });

  it.each([
    [{}, /REPORT_BUCKET: required/],
    [{ ...BASE, RULES_S3_URI: 'https://bucket/key' }, /RULES_S3_URI: expected s3:\/\/bucket\/key/],
    [{ ...BASE, RULES_S3_URI: 's3://bucket-only' }, /RULES_S3_URI: expected s3:\/\/bucket\/key/],
    [{ ...BASE, IN_USE_S3_URI: 'reports-bucket/in-use/' }, /IN_USE_S3_URI: expected s3:\/\/bucket\/prefix\//],
    [{ ...BASE, IN_USE_S3_URI: 's3://Bad_Bucket/in-use/' }, /IN_USE_S3_URI: expected s3:\/\/bucket\/prefix\//],
    [{ ...BASE, CONCURRENCY: '0' }, /CONCURRENCY: expected an integer from 1 to 64, got "0"/],
    [{ ...BASE, CONCURRENCY: '2.5' }, /CONCURRENCY: expected an integer/],
    [{ ...BASE, PRESIGN_EXPIRY_SECONDS: '700000' }, /PRESIGN_EXPIRY_SECONDS: expected an integer from 1 to 604800/],
    [{ ...BASE, SLACK_WEBHOOK_SSM_PARAMETER: '/a', SLACK_WEBHOOK_SECRET_ARN: 'arn:b' }, /not both/],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('parsePlanEvent', () => {
  it.each([
    [null, {}],
    [undefined, {}],
    ['', {}],
    [{}, {}],
    [{ repositories: ' team-a/* ' }, { repositories: 'team-a/*' }],
    [{ now: '2026-11-27T03:00:00Z' }, { now: Date.parse('2026-11-27T03:00:00Z') }],
    [{ now: '2026-11-27T04:00:00+01:00' }, { now: Date.parse('2026-11-27T03:00:00Z') }],
    [{ rules: 'version: 1' }, { rules: 'version: 1' }],
  ])('accepts %j', (event, expected) => {
    expect(parsePlanEvent(event)).toEqual(expected);
  });

  it.each([
    [{ repositories: '' }, /repositories: expected a non-empty repository glob/],
    [{ now: '2026-11-27' }, /now: expected an ISO-8601 time/],
    [{ now: 1764212400000 }, /now: /],
    [{ mode: 'apply' }, /unknown field\(s\) "mode"/],
    [[], /invalid plan event/],
    [42, /invalid plan event/],
  ])('rejects %j with a ConfigError', (event, message) => {
    expect(() => parsePlanEvent(event)).toThrow(ConfigError);
    expect(() => parsePlanEvent(event)).toThrow(message);
  });
});

describe('parseSweepEvent', () => {
  it('accepts the scheduled event, and an empty payload as a manual run', () => {
    expect(parseSweepEvent({ 'detail-type': 'Scheduled Event', source: 'aws.events', id: 'abc', time: '2026-11-27T03:00:00Z', detail: {} })).toEqual({
      kind: 'schedule',
      eventId: 'abc',
      time: '2026-11-27T03:00:00Z',
    });
    expect(parseSweepEvent({})).toEqual({ kind: 'manual' });
    expect(parseSweepEvent(null)).toEqual({ kind: 'manual' });
  });

  it.each([[{ repositories: 'x' }], [{ 'detail-type': 'Object Created', source: 'aws.s3' }], [[1]], ['go']])('rejects %j', (event) => {
    expect(() => parseSweepEvent(event)).toThrow(/invalid sweep event/);
  });
});

describe('run ids, checkpoint key and deadline', () => {
  it('makes run ids that sort by start time and are valid report folder names', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (a, b) => {
        const [ra, rb] = [newRunId(a), newRunId(b)];
        expect(reportFolderProblem(ra, a)).toBeNull();
        expect(ra).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
        if (Math.floor(a.getTime() / 1000) < Math.floor(b.getTime() / 1000)) expect(ra < rb).toBe(true);
      }),
    );
  });

  it('keeps the checkpoint under the report prefix, where the sweep role may delete it', () => {
    expect(checkpointKey('ecr-sweeper')).toBe('ecr-sweeper/checkpoints/sweep.json');
    expect(checkpointKey('')).toBe('checkpoints/sweep.json');
  });

  it('sets the deadline to now + remaining time - margin', () => {
    fc.assert(
      fc.property(fc.nat(900_000), fc.nat(600_000), fc.nat(2 ** 42), (remaining, margin, now) => {
        expect(deadlineFor({ getRemainingTimeInMillis: () => remaining }, margin, now)).toBe(now + remaining - margin);
      }),
    );
  });
});
