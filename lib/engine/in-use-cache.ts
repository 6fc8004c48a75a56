/**
 * The in-use scan shared by every target of a CLI run (design: docs/engine.md, *Multi-target
 * runs*). Images are pulled across accounts, so every target's guard scans the same readers (all
 * targets' sources and the in-use files); scanning them once per target would multiply the ECS
 * and Lambda calls by the number of targets for the same answer.
 */
import type { InUseScanOutcome } from './in-use-scan.js';
import type { InUseScanCache } from './types.js';

interface Entry {
  /** When the scan started (the requesting clock), judged while it is still in flight. */
  startedAt: number;
  outcome: Promise<InUseScanOutcome>;
}

/**
 * Keeps the latest scan in memory: a caller gets it when it started within its `maxAgeMs` (still
 * in flight or done), else starts a new one that later callers share. A scan that rejects is
 * dropped, so the next caller scans again (readers fail into the outcome, so this is only a bug
 * or an abort).
 *
 * @example
 * const cache = new MemoryInUseScanCache();
 * const deps = targets.map((t) => ({ ...t.deps, inUse: { readers: allReaders, cache } }));
 */
export class MemoryInUseScanCache implements InUseScanCache {
  private latest: Entry | undefined;
  private fresh = 0;

  async scan(request: { now: number; maxAgeMs: number }, scanFresh: () => Promise<InUseScanOutcome>): Promise<InUseScanOutcome> {
    const latest = this.latest;
    if (latest && latest.startedAt >= request.now - request.maxAgeMs) return latest.outcome;
    this.fresh += 1;
    const entry: Entry = { startedAt: request.now, outcome: scanFresh() };
    this.latest = entry;
    // The kept entry is judged by the scan's own start once known (not later than the request's).
    entry.outcome.then(
      (outcome) => {
        if (this.latest === entry) entry.startedAt = Math.min(entry.startedAt, outcome.startedAt);
      },
      () => {
        if (this.latest === entry) this.latest = undefined;
      },
    );
    return entry.outcome;
  }

  /** How many scans were started (not shared), for tests and the run's log. */
  get scans(): number {
    return this.fresh;
  }
}
