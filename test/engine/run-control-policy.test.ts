/**
 * The engine's backstop for a policy's own maxDeletionsPerRun (RunControl): the planner keeps a
 * policy's repositories within its budget; should a plan not, the run stops before the batch
 * that would go over, and says whose limit it was.
 */
import { describe, expect, it } from 'vitest';
import { RunControl } from '../../lib/engine/run-control.js';

const clock = () => 0;

describe('RunControl: per-policy maxDeletionsPerRun', () => {
  it("counts each policy's reservations against its own cap and aborts the run at the first batch over it", () => {
    const run = new RunControl(100, undefined, clock, 0, new Map([['payments', 5]]));
    expect(run.reserve(3, 'payments')).toBe(true);
    expect(run.reserve(50, 'rest')).toBe(true);
    expect(run.reserve(2, 'payments')).toBe(true);
    expect(run.reserve(1, 'payments')).toBe(false);
    expect(run.abortedReason).toBe("safety limit: deleting 1 more image(s) would exceed maxDeletionsPerRun 5 of policy 'payments' (5 already deleted or attempted)");
    expect(run.reserve(1, 'rest')).toBe(false);
  });

  it('released reservations free the policy budget too', () => {
    const run = new RunControl(null, undefined, clock, 0, new Map([['payments', 2]]));
    expect(run.reserve(2, 'payments')).toBe(true);
    run.release(1, 'payments');
    expect(run.reserve(1, 'payments')).toBe(true);
    expect(run.stopReason()).toBeNull();
  });

  it('the run-wide cap still applies to a policy under its own cap', () => {
    const run = new RunControl(3, undefined, clock, 0, new Map([['payments', 10]]));
    expect(run.reserve(4, 'payments')).toBe(false);
    expect(run.abortedReason).toMatch(/exceed maxDeletionsPerRun 3 \(0 already/);
  });
});
