/**
 * The outer retry loop respects the deadline, and a retried BatchDeleteImage re-reads its batch
 * first (audit M2); a registry that never answers no longer holds a sweep past its deadline
 * (audit M1, end to end).
 */
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeteredEcrClient } from '../../lib/adapters/ecr-metered-client.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { DeadlineReachedError } from '../../lib/engine/errors.js';
import { RateController } from '../../lib/engine/rate-controller.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { FakeEcr, digestOf, serverError, throttlingError } from './support/fake-ecr.js';
import { after, startHangingServer, type HangingServer } from './support/hanging-server.js';
import { startFixture } from './support/emulator.js';
import { recordCommands } from './support/record-commands.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW = Date.now();

/** A MeteredEcrClient whose sleeps are recorded, not waited, on a hand-driven clock. */
function pacer(deadline: number | undefined, clockAt: number, random = 0.5) {
  const slept: number[] = [];
  const base = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const metered = new MeteredEcrClient(
    base,
    new RateController({}),
    { ...(deadline !== undefined ? { deadline } : {}), clock: () => clockAt, baseDelayMs: 200, maxDelayMs: 5_000, maxAttempts: 8 },
    async (ms) => {
      slept.push(ms);
    },
    () => random,
  );
  return { metered, slept, base };
}

describe('MeteredEcrClient.pause (the outer retry decision)', () => {
  it.each([
    ['no deadline', undefined, 1_000, 1, true],
    ['deadline far ahead', 100_000, 1_000, 1, true],
    ['deadline already passed', 1_000, 1_000, 1, false],
    ['backoff would cross the deadline', 1_100, 1_000, 3, false], // attempt 3: up to 1600 ms, 0.5 -> 800 ms
  ] as const)('%s (deadline %s, clock %s, attempt %s): retries %s', async (_label, deadline, clockAt, attempt, retries) => {
    const { metered, slept, base } = pacer(deadline, clockAt);
    const error = throttlingError();
    const paused = metered.pause('DescribeImages', attempt, error);
    if (retries) {
      await expect(paused).resolves.toBeUndefined();
      expect(slept).toEqual([Math.floor(0.5 * Math.min(5_000, 200 * 2 ** attempt))]);
      expect(metered.stats().retries).toBe(1);
    } else {
      await expect(paused).rejects.toBeInstanceOf(DeadlineReachedError);
      await expect(paused).rejects.toThrow(/deadline reached while retrying DescribeImages \(last error: ThrottlingException: Rate exceeded\)/);
      await paused.catch((e: unknown) => expect((e as Error).cause).toBe(error));
      expect(slept).toEqual([]);
    }
    base.destroy();
  });

  it('rethrows a non-retryable error, and a retryable one once attempts are spent', async () => {
    const { metered, base } = pacer(undefined, 0);
    const notFound = Object.assign(new Error('gone'), { name: 'RepositoryNotFoundException' });
    await expect(metered.pause('DescribeImages', 1, notFound)).rejects.toBe(notFound);
    const throttle = throttlingError();
    await expect(metered.pause('DescribeImages', 8, throttle)).rejects.toBe(throttle);
    base.destroy();
  });
});

describe('a retried BatchDeleteImage', () => {
  it('re-reads the batch first: an image tagged during the backoff is skipped as changed since plan', async () => {
    const fake = new FakeEcr().add(
      'app',
      { digest: digestOf('a'), pushedAt: NOW - 30 * DAY, size: 1 },
      { digest: digestOf('b'), pushedAt: NOW - 30 * DAY, size: 1 },
    );
    fake.deleteHook = (repository, digest, call) => {
      if (call !== 1) return undefined;
      // Someone tags b while the first delete call fails; the call is then retried after a backoff.
      const b = fake.repositories.get(repository)?.get(digestOf('b'));
      if (b) b.tags = ['release'];
      return digest === digestOf('a') ? 'throw' : undefined;
    };
    const sent = recordCommands(fake.client);
    const { result } = await runSweep({ registry: ecrRegistry(fake.client) }, { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply' });
    expect(fake.deleteCalls).toHaveLength(2);
    expect(fake.deleteCalls[1]?.digests).toEqual([digestOf('a')]);
    // Two re-reads: before the first call (by id) and before the retry (the retry used to reuse the
    // first). The retry's is a recheck after a lost answer: for a repository this small, one listing.
    expect(fake.describeByIdCalls.map((c) => c.digests.length)).toEqual([2]);
    expect(sent.filter((c) => c.command === 'DescribeImages').map((c) => (c.input.imageIds === undefined ? 'listing' : 'by id'))).toEqual(['listing', 'by id', 'listing']);
    const outcomes = new Map(result.repositories[0]?.images.map((i) => [i.imageDigest, i.outcome]));
    expect(outcomes.get(digestOf('a'))).toEqual({ status: 'deleted' });
    expect(outcomes.get(digestOf('b'))).toEqual({ status: 'skipped', reason: "changed since plan: gained tag 'release'" });
    expect(fake.digests('app')).toEqual([digestOf('b')]);
    expect(result.retries).toBe(1);
  });

  it('is not retried past the deadline: the batch is skipped as stopped by the deadline, not failed', async () => {
    const fake = new FakeEcr().add('app', { digest: digestOf('a'), pushedAt: NOW - 30 * DAY, size: 1 });
    fake.failNext.set('BatchDeleteImage', { error: serverError, times: 1_000 });
    const started = Date.now();
    const run = runSweep({ registry: ecrRegistry(fake.client) }, { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply', deadline: started + 1_000 });
    const outcome = await Promise.race([run, after(8_000, 'still retrying after 8 s' as const)]);
    expect(outcome).not.toBe('still retrying after 8 s');
    const { result } = outcome as Awaited<typeof run>;
    expect(result.stoppedByDeadline).toBe(true);
    expect(result.totals.failed).toBe(0);
    expect(result.remainingRepositories).toEqual(['app']);
    const repo = result.repositories[0];
    expect(repo?.status).toBe('not-started');
    expect(repo?.statusReason).toMatch(/^stopped part-way: deadline reached while retrying BatchDeleteImage \(last error: ServerException/);
    expect(repo?.images[0]?.outcome).toEqual({ status: 'skipped', reason: expect.stringMatching(/deadline reached while retrying BatchDeleteImage.*the next run continues$/) });
    expect(fake.digests('app')).toEqual([digestOf('a')]);
  });
});

describe('a registry that never answers', () => {
  let server: HangingServer;
  beforeEach(async () => {
    server = await startHangingServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('the sweep ends soon after its deadline instead of hanging (request timeout + deadline-aware retries)', async () => {
    const ecr = createEcrClient({
      endpoint: server.url,
      region: 'us-east-1',
      env: {},
      timeouts: { requestTimeoutMs: 300 },
      extra: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    });
    try {
      const run = runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply', deadline: Date.now() + 1_000 });
      const outcome = await Promise.race([run.then(() => 'returned', (e: unknown) => e), after(8_000, 'still hanging after 8 s')]);
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toMatch(/^DescribeRepositories failed: DeadlineReachedError: deadline reached while retrying DescribeRepositories \(last error: TimeoutError/);
    } finally {
      ecr.destroy();
    }
  });
});

describe('a request still in flight when the deadline and its grace have passed', () => {
  let server: HangingServer;
  beforeEach(async () => {
    server = await startHangingServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const client = (url: string) =>
    createEcrClient({
      endpoint: url,
      region: 'us-east-1',
      env: {},
      maxAttempts: 1,
      // Far longer than the test: only the deadline can end the request.
      timeouts: { requestTimeoutMs: 600_000 },
      extra: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    });

  it('is aborted and fails as DeadlineReachedError, whatever the request timeout', async () => {
    const ecr = client(server.url);
    const metered = new MeteredEcrClient(ecr, new RateController({}), { deadline: Date.now() + 200, deadlineGraceMs: 300 });
    try {
      const outcome = await Promise.race([metered.client.send(new DescribeRepositoriesCommand({})).then(() => 'answered', (e: unknown) => e), after(5_000, 'still waiting after 5 s')]);
      expect(outcome).toBeInstanceOf(DeadlineReachedError);
      expect((outcome as Error).message).toMatch(/^deadline reached while retrying DescribeRepositories/);
      expect(server.requests).toHaveLength(1);
    } finally {
      ecr.destroy();
    }
  });

  it('a call started after the deadline and its grace fails at once without a request', async () => {
    const ecr = client(server.url);
    const metered = new MeteredEcrClient(ecr, new RateController({}), { deadline: Date.now() - 1_000, deadlineGraceMs: 500 });
    try {
      await expect(metered.client.send(new DescribeRepositoriesCommand({}))).rejects.toBeInstanceOf(DeadlineReachedError);
      expect(server.requests).toHaveLength(0);
    } finally {
      ecr.destroy();
    }
  });

  it('a deadline further away than a timer can hold sets no timer (the call is not aborted at once)', async () => {
    const fixture = await startFixture({ state: { repositories: [{ name: 'app' }] }, latencyMs: 100 });
    const metered = new MeteredEcrClient(fixture.ecr, new RateController({}), { deadline: Date.now() + 40 * DAY });
    try {
      await expect(metered.client.send(new DescribeRepositoriesCommand({}))).resolves.toMatchObject({ repositories: [{ repositoryName: 'app' }] });
    } finally {
      fixture.ecr.destroy();
      await fixture.emulator.stop();
    }
  });
});
