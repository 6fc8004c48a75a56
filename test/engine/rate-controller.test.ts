/**
 * The adaptive pacer against a simulated token bucket on a virtual clock: it must learn the
 * service's rate quickly, stay under it (few throttles), keep operations independent, and honour
 * its floor and ceiling. Figures under real HTTP are in bench/sweep.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateController, type RateControlSettings } from '../../lib/engine/rate-controller.js';

/** A token bucket like the emulator's (and ECR's): `rate` tokens/s, at most `burst`. */
class Bucket {
  private tokens: number;
  private last = 0;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

function virtualTime(): { now: () => number; sleep: (ms: number) => Promise<void>; advance: (ms: number) => void } {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Sends `calls` successful requests of `op` one after another (each with `latencyMs`), retrying throttles. */
async function drive(rc: RateController, bucket: Bucket, clock: ReturnType<typeof virtualTime>, op: string, calls: number, latencyMs = 5) {
  let throttles = 0;
  for (let done = 0; done < calls; ) {
    const ticket = await rc.acquire(op);
    clock.advance(latencyMs);
    if (bucket.take(clock.now())) {
      rc.onSuccess(ticket);
      done += 1;
    } else {
      rc.onThrottle(ticket);
      throttles += 1;
    }
  }
  return { throttles, ms: clock.now() };
}

describe('RateController', () => {
  it('learns a 20 req/s limit: under 2% throttled and within 1.15x of the limit time over 2,000 calls', async () => {
    const clock = virtualTime();
    const rc = new RateController({}, clock);
    const { throttles, ms } = await drive(rc, new Bucket(20, 20), clock, 'DescribeImages', 2000);
    expect(throttles / 2000).toBeLessThan(0.02);
    expect(ms).toBeLessThan(((2000 - 20) / 20) * 1000 * 1.15);
    expect(rc.rate('DescribeImages')).toBeGreaterThan(15);
    expect(rc.rate('DescribeImages')).toBeLessThan(25);
  });

  // AWS token buckets have a burst of at least about their rate (the ECR docs' example: 20/s, burst 200).
  it('converges for any limit between 5 and 200 req/s with a burst of at least half the rate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 5, max: 200 }), fc.double({ min: 0.5, max: 10, noNaN: true }), async (rate, burstFactor) => {
        const burst = Math.max(1, Math.round(rate * burstFactor));
        const clock = virtualTime();
        const rc = new RateController({}, clock);
        const calls = rate * 30;
        const { throttles, ms } = await drive(rc, new Bucket(rate, burst), clock, 'op', calls, 1);
        // Learning the limit costs a handful of throttles at the start, then about one per cycle of probing.
        expect(throttles).toBeLessThanOrEqual(10 + calls * 0.01);
        expect(ms).toBeLessThan((calls / rate) * 1000 * 1.3);
      }),
      { numRuns: 25 },
    );
  });

  it('slows only the throttled operation', async () => {
    const clock = virtualTime();
    const rc = new RateController({}, clock);
    await drive(rc, new Bucket(10, 10), clock, 'BatchDeleteImage', 200);
    expect(rc.rate('BatchDeleteImage')).toBeLessThan(15);
    expect(rc.rate('DescribeImages')).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts the in-flight requests of one overload as a single signal', () => {
    const clock = virtualTime();
    const rc = new RateController({ initialRate: 100 }, clock);
    const tickets = [0, 1, 2, 3].map(() => ({ operation: 'op', epoch: 0 }));
    for (let i = 0; i < 10; i++) rc.onSuccess({ operation: 'op', epoch: 0 });
    for (const t of tickets) rc.onThrottle(t);
    expect(rc.rate('op')).toBeCloseTo(90, 5);
  });

  it.each<[string, RateControlSettings, (rate: number) => void]>([
    ['never paces below minRate', { minRate: 50 }, (rate) => expect(rate).toBeGreaterThanOrEqual(50)],
    ['never paces above maxRate', { maxRate: 5 }, (rate) => expect(rate).toBeLessThanOrEqual(5)],
  ])('%s', async (_name, settings, check) => {
    const clock = virtualTime();
    const rc = new RateController(settings, clock);
    await drive(rc, new Bucket(10, 10), clock, 'op', 100);
    check(rc.rate('op'));
  });

  it.each([
    [{ minRate: 0 }, /minRate must be > 0/],
    [{ decrease: 1 }, /decrease must be in \(0, 1\)/],
  ])('rejects bad settings %j', (settings, message) => {
    expect(() => new RateController(settings)).toThrow(message);
  });
});
