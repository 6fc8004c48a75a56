/**
 * "A bounded number of requests in flight (configurable)": the HTTP requests a sweep has open
 * at once never exceed `concurrency`, counted at the client's own request handler while the
 * emulator holds every answer for a while.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFixture, type EmulatorFixture } from './support/emulator.js';
import { keepNewest, ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const NOW_ISO = '2026-06-01T00:00:00.000Z';
const RULES = ruleSet([untaggedOlderThan(7), keepNewest(3, ['main-*'], 'main-3')]);

const fixtures: EmulatorFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.emulator.stop()));
});

/** Counts the requests open at the client's HTTP handler; returns the highest count seen. */
function countInFlight(ecr: ECRClient): () => number {
  const handler = ecr.config.requestHandler as unknown as { handle: (...args: unknown[]) => Promise<unknown> };
  const original = handler.handle.bind(handler);
  let open = 0;
  let peak = 0;
  handler.handle = async (...args: unknown[]) => {
    open += 1;
    peak = Math.max(peak, open);
    try {
      return await original(...args);
    } finally {
      open -= 1;
    }
  };
  return () => peak;
}

describe('requests in flight', () => {
  it.each([1, 2, 3])('never more than concurrency %i, listing and deleting, across repositories', async (concurrency) => {
    const fixture = await startFixture({
      now: NOW_ISO,
      generate: { seed: 11, repositories: 6, imagesPerRepository: [30, 60] as [number, number] },
      // Every answer waits, so requests started together are open together.
      latencyMs: 15,
    });
    fixtures.push(fixture);
    const peak = countInFlight(fixture.ecr);
    const { result } = await runSweep({ registry: ecrRegistry(fixture.ecr) }, { ruleSet: RULES, now: Date.parse(NOW_ISO), mode: 'apply', concurrency });
    expect(result.totals.deleted).toBeGreaterThan(0);
    expect(result.totals.failed).toBe(0);
    // Several repositories are listed at once, so the bound is reached, not just respected.
    expect(peak()).toBeGreaterThanOrEqual(Math.min(2, concurrency));
    expect(peak()).toBeLessThanOrEqual(concurrency);
  });
});
