/**
 * Issue 12 §5: honest accounting when BatchDeleteImage answers are lost. An image present at the
 * re-read before this run's delete request, and gone after a request whose answer never came (or
 * that the SDK had to retry), was deleted by this run: `deleted`, its bytes counted, never
 * "already gone". The recheck after a lost answer reads the batch in a bounded number of calls.
 * Precise sequences on the scripted double (aws-sdk-client-mock); lost responses over HTTP on the
 * emulator (its BatchDeleteImage answers slower than the client's 1 s request timeout).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrRegistry } from '../../lib/adapters/ecr-registry.js';
import type { ResultImage, SweepResult } from '../../lib/core/result-model.js';
import { createEcrClient } from '../../lib/adapters/ecr-client.js';
import { runSweep } from '../../lib/engine/sweep.js';
import type { RunningEmulator, StateFile } from '../../emulator/index.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';
import { SWEEPER_KEY, startFixture, type EmulatorFixture } from './support/emulator.js';
import { recordCommands } from './support/record-commands.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const OLD = NOW - 30 * DAY;
const rules = ruleSet([untaggedOlderThan(7)]);

function outcomeOf(result: SweepResult, digest: string): ResultImage['outcome'] | undefined {
  return result.repositories.flatMap((r) => r.images).find((i) => i.imageDigest === digest)?.outcome;
}

function alreadyGone(result: SweepResult): string[] {
  return result.repositories.flatMap((r) => r.images.filter((i) => i.outcome.status === 'deleted' && i.outcome.alreadyGone).map((i) => i.imageDigest));
}

/** `count` untagged 30-day-old images of `size` bytes in repository `app`. */
function registry(count: number, size = 10): FakeEcr {
  return new FakeEcr().add('app', ...Array.from({ length: count }, (_, i) => ({ digest: digestOf(`img-${i}`), pushedAt: OLD, size })));
}

async function sweep(fake: FakeEcr) {
  const sent = recordCommands(fake.client);
  const { result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW }, { ruleSet: rules, mode: 'apply', now: NOW });
  const describes = sent.filter((c) => c.command === 'DescribeImages');
  return { result, describes: describes.length, describesById: describes.filter((c) => c.input.imageIds !== undefined).length };
}

describe('a BatchDeleteImage carried out whose answer was lost', () => {
  it('counts as deleted by this run, with its bytes, as the undisturbed run does; each recheck is one listing', async () => {
    const baseline = await sweep(registry(250));
    const fake = registry(250);
    // The first attempt of each of the three batches is carried out, then its answer is lost.
    fake.loseDeleteAnswer = (call) => call <= 3;
    const lost = await sweep(fake);

    expect(fake.digests('app')).toEqual([]);
    expect(alreadyGone(lost.result)).toEqual([]);
    expect(lost.result.totals).toMatchObject({ deleted: 250, failed: 0, skipped: 0, bytesFreed: 2500 });
    expect(lost.result.totals).toEqual(baseline.result.totals);
    // The lost calls were not sent again: everything was found gone by the recheck.
    expect(fake.deleteCalls).toHaveLength(3);
    // One re-read by id before each batch, as undisturbed; each recheck is one listing (250 images).
    expect(lost.describesById).toBe(3);
    expect(lost.describes).toBe(baseline.describes + 3);
  });

  it('still says already gone for an image missing before this run asked, in the same batch', async () => {
    const fake = registry(50);
    const vanished = digestOf('img-7');
    let rereads = 0;
    fake.beforeReread = (repo) => {
      if (++rereads === 1) fake.repositories.get(repo)?.delete(vanished);
    };
    fake.loseDeleteAnswer = (call) => call === 1;
    const { result } = await sweep(fake);
    expect(outcomeOf(result, vanished)).toEqual({ status: 'deleted', alreadyGone: true });
    expect(outcomeOf(result, digestOf('img-8'))).toEqual({ status: 'deleted' });
    expect(alreadyGone(result)).toEqual([vanished]);
    expect(result.totals).toMatchObject({ deleted: 50, bytesFreed: 490 });
  });

  it('sends again, after the recheck, what the lost call did not delete', async () => {
    const fake = registry(20);
    // The first call is lost before the server acted on it (nothing deleted), the retry goes through.
    fake.deleteHook = (_repo, _digest, call) => (call === 1 ? 'throw' : undefined);
    const { result } = await sweep(fake);
    expect(fake.deleteCalls).toHaveLength(2);
    expect(fake.deleteCalls[1]?.digests).toHaveLength(20);
    expect(result.totals).toMatchObject({ deleted: 20, bytesFreed: 200, failed: 0 });
    expect(alreadyGone(result)).toEqual([]);
  });
});

describe('ImageNotFound in an answer', () => {
  /** The first call's images vanish just before it is handled, as when an earlier attempt of it was carried out. */
  function earlierAttemptDeleted(fake: FakeEcr): void {
    fake.deleteHook = (repo, digest, call) => {
      if (call === 1) fake.repositories.get(repo)?.delete(digest);
      return undefined;
    };
  }

  it('after SDK retries ($metadata.attempts > 1) is this call deleting it: deleted, bytes counted', async () => {
    const fake = registry(30);
    earlierAttemptDeleted(fake);
    fake.deleteAttempts = () => 2;
    const { result } = await sweep(fake);
    expect(alreadyGone(result)).toEqual([]);
    expect(result.totals).toMatchObject({ deleted: 30, bytesFreed: 300 });
  });

  it('on a first attempt is someone else having deleted it: already gone, no bytes', async () => {
    const fake = registry(30);
    earlierAttemptDeleted(fake);
    fake.deleteAttempts = () => 1;
    const { result } = await sweep(fake);
    expect(alreadyGone(result)).toHaveLength(30);
    expect(result.totals).toMatchObject({ deleted: 30, bytesFreed: 0 });
  });
});

describe('EcrRegistry.recheckImages', () => {
  it('finds exactly which images are gone within ceil(n/100) + ceil(repository/1000) calls, and within ceil(n/100) when the size hint allows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2600 }),
        fc.integer({ min: 1, max: 250 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.integer(),
        async (size, asked, goneShare, hint, seed) => {
          const fake = new FakeEcr().add('app', ...Array.from({ length: size }, (_, i) => ({ digest: digestOf(`i-${i}`), pushedAt: OLD })));
          const digests = Array.from({ length: Math.min(asked, size) }, (_, k) => digestOf(`i-${(k * 7919 + Math.abs(seed)) % size}`));
          const unique = [...new Set(digests)];
          const gone = new Set(unique.filter((_, k) => ((k * 2654435761 + seed) >>> 0) / 2 ** 32 < goneShare));
          for (const digest of gone) fake.repositories.get('app')?.delete(digest);
          const sent = recordCommands(fake.client);
          const answer = await new EcrRegistry(fake.client).recheckImages('app', unique, hint ? size : undefined);

          expect(answer.missing.sort()).toEqual([...gone].sort());
          expect([...answer.found.keys()].sort()).toEqual(unique.filter((d) => !gone.has(d)).sort());
          const byIds = Math.ceil(unique.length / 100);
          const listing = Math.ceil((size - gone.size) / 1000) || 1;
          expect(sent.length).toBeLessThanOrEqual(byIds + listing);
          if (hint && Math.ceil(size / 1000) <= byIds) expect(sent.length).toBeLessThanOrEqual(byIds);
          for (const call of sent) expect(call.input.imageIds?.length ?? 0).toBeLessThanOrEqual(100);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('lost delete answers on the emulator (1 s request timeout, slower BatchDeleteImage)', () => {
  const fixtures: EmulatorFixture[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
  });

  const STATE: StateFile = {
    repositories: ['api', 'web'].map((name) => ({
      name,
      images: [
        { tags: ['v1'], pushedAt: '-30d', sizeInBytes: 1000 },
        ...Array.from({ length: 150 }, (_, i) => ({ pushedAt: '-30d', sizeInBytes: 1000 + i, seed: `u${i}` })),
      ],
    })),
  };

  async function run(slowDeletes: boolean): Promise<{ result: SweepResult; emulator: RunningEmulator }> {
    const fixture = await startFixture({ now: '2026-06-01T00:00:00.000Z', state: STATE });
    fixtures.push(fixture);
    const { emulator } = fixture;
    // Every delete is carried out 1.3 s after it arrives; the client gives up after 1 s.
    if (slowDeletes) emulator.setFaults({ latencyMs: { BatchDeleteImage: 1300 } });
    const ecr = createEcrClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      env: {},
      maxAttempts: 2,
      timeouts: { requestTimeoutMs: 1000 },
      extra: { credentials: { accessKeyId: SWEEPER_KEY, secretAccessKey: 'x' } },
    });
    const { result } = await runSweep({ registry: ecrRegistry(ecr) }, { ruleSet: rules, mode: 'apply', now: NOW, rateControl: { minRate: 200 } });
    ecr.destroy();
    // Let the answers the client gave up on finish on the server before its counters are read.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { result, emulator };
  }

  it('reports what the undisturbed run reports, with DescribeImages calls within one per lost answer of it', async () => {
    const [baseline, lost] = await Promise.all([run(false), run(true)]);
    for (const name of ['api', 'web']) expect(lost.emulator.images(name).map((i) => i.imageTags)).toEqual([['v1']]);
    expect(lost.result.totals).toMatchObject({ deleted: 300, failed: 0, skipped: 0 });
    expect(alreadyGone(lost.result)).toEqual([]);
    expect(lost.result.totals).toEqual(baseline.result.totals);
    expect(lost.result.totals.bytesFreed).toBe(2 * (150 * 1000 + (149 * 150) / 2));

    const lostAnswers = lost.emulator.stats().requests.BatchDeleteImage ?? 0;
    expect(lostAnswers).toBeGreaterThanOrEqual(4);
    const extra = (lost.emulator.stats().requests.DescribeImages ?? 0) - (baseline.emulator.stats().requests.DescribeImages ?? 0);
    expect(extra).toBeGreaterThan(0);
    expect(extra).toBeLessThanOrEqual(lostAnswers);
  });
});
