/**
 * Every AWS client has connection and request timeouts (audit M1): a request the server accepts
 * and never answers fails with a retryable TimeoutError instead of waiting forever.
 */
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  httpTimeoutsFromEnv,
  requestHandlerOptions,
} from '../../lib/adapters/http-timeouts.js';
import { isRetryable } from '../../lib/adapters/ecr-metered-client.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { ConfigError } from '../../lib/errors.js';
import { after, startHangingServer, type HangingServer } from './support/hanging-server.js';

const CREDENTIALS = { credentials: { accessKeyId: 'AKIDHANG', secretAccessKey: 'x' } };
let server: HangingServer;

beforeEach(async () => {
  server = await startHangingServer();
});
afterEach(async () => {
  await server.close();
});

describe('createEcrClient timeouts', () => {
  it('a request that is never answered fails with a retryable TimeoutError after requestTimeoutMs', async () => {
    const ecr = createEcrClient({ endpoint: server.url, region: 'us-east-1', env: {}, maxAttempts: 1, timeouts: { requestTimeoutMs: 300 }, extra: CREDENTIALS });
    try {
      const outcome = await Promise.race([ecr.send(new DescribeRepositoriesCommand({})).then(() => 'answered', (e: unknown) => e), after(5_000, 'still waiting after 5 s')]);
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).name).toBe('TimeoutError');
      expect(isRetryable(outcome)).toBe(true);
      expect(server.requests).toHaveLength(1);
    } finally {
      ecr.destroy();
    }
  });

  it('the timeout can come from ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS; the SDK retries a timeout', async () => {
    const ecr = createEcrClient({ endpoint: server.url, region: 'us-east-1', env: { ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: '200' }, maxAttempts: 2, extra: CREDENTIALS });
    try {
      const outcome = await Promise.race([ecr.send(new DescribeRepositoriesCommand({})).then(() => 'answered', (e: unknown) => e), after(5_000, 'still waiting after 5 s')]);
      expect((outcome as Error).name).toBe('TimeoutError');
      expect(server.requests).toHaveLength(2);
    } finally {
      ecr.destroy();
    }
  });
});

describe('requestHandlerOptions and httpTimeoutsFromEnv', () => {
  it('default to 5 s connect and 30 s request, and make a late answer an error', () => {
    expect(DEFAULT_CONNECTION_TIMEOUT_MS).toBe(5_000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(requestHandlerOptions()).toEqual({ connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true });
    expect(requestHandlerOptions({ connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 })).toEqual({ connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true });
  });

  it.each([
    [{}, {}],
    [{ ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS: ' ', ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: '' }, {}],
    [{ ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS: '2500', ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: '10000' }, { connectionTimeoutMs: 2_500, requestTimeoutMs: 10_000 }],
  ])('reads %j as %j', (env, expected) => {
    expect(httpTimeoutsFromEnv(env)).toEqual(expected);
  });

  it.each([['0'], ['-5'], ['1.5'], ['30s']])('rejects %j with a ConfigError naming the variable', (value) => {
    expect(() => httpTimeoutsFromEnv({ ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: value })).toThrow(ConfigError);
    expect(() => httpTimeoutsFromEnv({ ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS: value })).toThrow(/ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => requestHandlerOptions({ requestTimeoutMs: Number(value) })).toThrow(/requestTimeoutMs/);
  });
});
