/**
 * The functions' AWS clients (ECR, S3, SSM, Secrets Manager) all time out (audit M1): a request
 * the server accepts and never answers fails after ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS instead
 * of holding the invocation until Lambda kills it.
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFunctionDeps } from '../../functions/shared/clients.js';
import { loadConfig } from '../../functions/shared/config.js';
import { slackNotifierFor } from '../../functions/shared/slack.js';
import { ConfigError } from '../../lib/errors.js';
import { after, startHangingServer, type HangingServer } from '../engine/support/hanging-server.js';

let server: HangingServer;

beforeEach(async () => {
  server = await startHangingServer();
  // The SDK reads region, credentials and per-service endpoints from process.env.
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDHANG');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  vi.stubEnv('AWS_ENDPOINT_URL_SSM', server.url);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', server.url);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

const settle = (p: Promise<unknown>): Promise<unknown> =>
  Promise.race([p.then(() => 'answered', (e: unknown) => e), after(5_000, 'still waiting after 5 s')]);

describe('function clients against a registry/bucket that never answers', () => {
  it('ECR, S3 and SSM calls fail with TimeoutError after the configured request timeout', async () => {
    const deps = createFunctionDeps({
      REPORT_BUCKET: 'reports',
      AWS_ENDPOINT_URL_ECR: server.url,
      AWS_ENDPOINT_URL_S3: server.url,
      S3_FORCE_PATH_STYLE: 'true',
      ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: '250',
    });
    try {
      const outcomes = await Promise.all([
        settle(deps.ecr.send(new DescribeRepositoriesCommand({}))),
        settle(deps.s3.send(new ListBucketsCommand({}))),
        settle(deps.ssm().send(new GetParameterCommand({ Name: '/x' }))),
      ]);
      for (const outcome of outcomes) expect((outcome as Error).name).toBe('TimeoutError');
      expect(server.requests.length).toBeGreaterThanOrEqual(3);
    } finally {
      deps.ecr.destroy();
      deps.s3.destroy();
      deps.ssm().destroy();
    }
  });

  it('the Slack webhook secret read gives up (no notifier) instead of hanging the run', async () => {
    const deps = createFunctionDeps({
      REPORT_BUCKET: 'reports',
      SLACK_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook',
      ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: '250',
    });
    const outcome = await Promise.race([slackNotifierFor(deps), after(5_000, 'still waiting after 5 s')]);
    expect(outcome).toBeUndefined();
    expect(server.requests.some((r) => r.target?.startsWith('secretsmanager.'))).toBe(true);
    deps.ecr.destroy();
    deps.s3.destroy();
  });

  it('defaults to 5 s connect / 30 s request; a bad value is a ConfigError naming the variable', () => {
    expect(loadConfig({ REPORT_BUCKET: 'reports' }).httpTimeouts).toEqual({ connectionTimeoutMs: 5_000, requestTimeoutMs: 30_000 });
    expect(() => loadConfig({ REPORT_BUCKET: 'reports', ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ REPORT_BUCKET: 'reports', ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS: '0' })).toThrow(/ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS/);
  });
});
