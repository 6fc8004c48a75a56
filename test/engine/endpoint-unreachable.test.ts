/**
 * A closed endpoint fails fast with a message that names it; an endpoint that has answered keeps
 * the full retries for connection errors. Through the real SDK over HTTP to 127.0.0.1 ports; the
 * outer loop's sleeps are recorded, not waited, and attempts are counted (no timed assertions).
 */
import { createServer } from 'node:net';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { isConnectFailure, MeteredEcrClient } from '../../lib/adapters/ecr-metered-client.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { EndpointUnreachableError } from '../../lib/engine/errors.js';
import { RateController } from '../../lib/engine/rate-controller.js';
import { buildPlan } from '../../lib/engine/sweep.js';
import { startFixture } from './support/emulator.js';
import { ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

/** A 127.0.0.1 port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const clients: ECRClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** One SDK attempt per logical attempt, so the metered count is the outer loop's attempts. */
function metered(endpoint: string) {
  const base = createEcrClient({ endpoint, region: 'us-east-1', env: {}, maxAttempts: 1, extra: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } });
  clients.push(base);
  const slept: number[] = [];
  const client = new MeteredEcrClient(base, new RateController({}), { maxAttempts: 8 }, async (ms) => {
    slept.push(ms);
  });
  return { client, slept };
}

describe('an endpoint that never answered', () => {
  it('fails after 2 attempts and one short backoff, naming the endpoint and what to check', async () => {
    const port = await closedPort();
    const { client, slept } = metered(`http://127.0.0.1:${port}`);
    const call = client.client.send(new DescribeRepositoriesCommand({}));
    await expect(call).rejects.toBeInstanceOf(EndpointUnreachableError);
    await call.catch((error: unknown) => {
      const e = error as EndpointUnreachableError;
      expect(e.endpoint).toBe(`http://127.0.0.1:${port}/`);
      expect(e.message).toContain(`cannot reach the ECR endpoint http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`);
      expect(e.message).toContain('--endpoint-url');
      expect(e.message).toContain('--region');
      expect((e.cause as { code?: string }).code).toBe('ECONNREFUSED');
    });
    expect(client.stats().apiCalls.DescribeRepositories).toBe(2);
    // One backoff of at most baseDelayMs * 2 (400 ms): the whole call ends within about a second.
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeLessThanOrEqual(400);
  });

  it('with the SDK default of 3 attempts per call, still at most 6 attempts', async () => {
    const port = await closedPort();
    const base = createEcrClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', env: {}, extra: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } });
    clients.push(base);
    const client = new MeteredEcrClient(base, new RateController({}), {}, async () => {});
    await expect(client.client.send(new DescribeRepositoriesCommand({}))).rejects.toBeInstanceOf(EndpointUnreachableError);
    expect(client.stats().apiCalls.DescribeRepositories).toBeLessThanOrEqual(6);
  });

  it('stops a sweep before anything is listed', async () => {
    const port = await closedPort();
    const ecr = createEcrClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', env: {}, maxAttempts: 1, extra: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } });
    clients.push(ecr);
    const planned = buildPlan({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([untaggedOlderThan(7)]) });
    await expect(planned).rejects.toThrow(/DescribeRepositories failed: EndpointUnreachableError: cannot reach the ECR endpoint http:\/\/127\.0\.0\.1:\d+\//);
  });
});

describe('an endpoint that has answered', () => {
  it('keeps the full retries when it stops accepting connections', async () => {
    const { emulator } = await startFixture({ state: { repositories: [{ name: 'team/app', images: [] }] } });
    const { client, slept } = metered(emulator.url);
    await client.client.send(new DescribeRepositoriesCommand({}));
    await emulator.stop();
    const call = client.client.send(new DescribeRepositoriesCommand({}));
    await expect(call).rejects.not.toBeInstanceOf(EndpointUnreachableError);
    await call.catch((error: unknown) => expect(isConnectFailure(error) || (error as { code?: string }).code === 'ECONNRESET').toBe(true));
    // 1 answered call, then the whole budget of 8 attempts with 7 backoffs.
    expect(client.stats().apiCalls.DescribeRepositories).toBe(1 + 8);
    expect(slept).toHaveLength(7);
  });
});

describe('isConnectFailure', () => {
  it.each<[string, unknown, boolean]>([
    ['refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    ['unknown host', Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), true],
    ['connect timeout', Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.'), { name: 'TimeoutError' }), true],
    ['request timeout (it connected)', Object.assign(new Error('a request has exceeded the configured 30000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), false],
    ['reset mid-way', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false],
    ['a service answer', Object.assign(new Error('x'), { name: 'ServerException', $metadata: { httpStatusCode: 500 } }), false],
  ])('%s: %s', (_label, error, expected) => {
    expect(isConnectFailure(error)).toBe(expected);
  });
});
