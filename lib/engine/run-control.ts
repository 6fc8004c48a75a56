/**
 * Run-wide stop conditions shared by every repository of a sweep: the deadline and the
 * `maxDeletionsPerRun` backstop (run-wide, and each policy's own). Checked between batches, so a
 * stop is always clean.
 */

/** Why new batches must not start, or null to go on. */
export type StopReason =
  | { kind: 'deadline'; reason: string }
  | { kind: 'aborted'; reason: string }
  /** SIGINT/SIGTERM (CLI): stop between batches, write the result, the next run continues. */
  | { kind: 'interrupted'; reason: string };

/** Shared stop state of one sweep. */
export class RunControl {
  private reserved: number;
  private readonly reservedByPolicy = new Map<string, number>();
  private aborted: string | undefined;
  private interruptedBy: string | undefined;
  private deadlineHit = false;

  /**
   * @param alreadySent - deletions sent by earlier runs of the same sweep (from its checkpoint),
   *   counted against `maxDeletions` so a resumed run does not get a fresh budget.
   */
  constructor(
    private readonly maxDeletions: number | null,
    private readonly deadline: number | undefined,
    private readonly clock: () => number,
    alreadySent = 0,
    /** Policies' own `maxDeletionsPerRun`, by policy name. */
    private readonly policyCaps: ReadonlyMap<string, number> = new Map(),
  ) {
    this.reserved = alreadySent;
  }

  /** The reason to stop before the next batch, if any. */
  stopReason(): StopReason | null {
    if (this.aborted !== undefined) return { kind: 'aborted', reason: this.aborted };
    if (this.interruptedBy !== undefined) {
      return { kind: 'interrupted', reason: `interrupted (${this.interruptedBy}) before this batch; the next run continues` };
    }
    if (this.deadlineHit || (this.deadline !== undefined && this.clock() >= this.deadline)) {
      this.deadlineHit = true;
      return { kind: 'deadline', reason: 'deadline reached before this batch; the next run continues' };
    }
    return null;
  }

  /**
   * Reserves `count` deletions against `maxDeletionsPerRun` and, for a repository of `policy`,
   * against that policy's own cap. When they do not fit, the whole run is aborted (no more
   * batches anywhere: the plan was meant to stay within both, so something is wrong) and false
   * is returned.
   */
  reserve(count: number, policy?: string | null): boolean {
    if (this.aborted !== undefined) return false;
    if (this.maxDeletions !== null && this.reserved + count > this.maxDeletions) {
      this.aborted = `safety limit: deleting ${count} more image(s) would exceed maxDeletionsPerRun ${this.maxDeletions} (${this.reserved} already deleted or attempted)`;
      return false;
    }
    const cap = policy ? this.policyCaps.get(policy) : undefined;
    const policyReserved = policy ? (this.reservedByPolicy.get(policy) ?? 0) : 0;
    if (policy && cap !== undefined && policyReserved + count > cap) {
      this.aborted = `safety limit: deleting ${count} more image(s) would exceed maxDeletionsPerRun ${cap} of policy '${policy}' (${policyReserved} already deleted or attempted)`;
      return false;
    }
    this.reserved += count;
    if (policy) this.reservedByPolicy.set(policy, policyReserved + count);
    return true;
  }

  /** Returns deletions reserved but not attempted (e.g. images found changed). */
  release(count: number, policy?: string | null): void {
    this.reserved = Math.max(0, this.reserved - count);
    if (policy && this.reservedByPolicy.has(policy)) this.reservedByPolicy.set(policy, Math.max(0, this.reservedByPolicy.get(policy)! - count));
  }

  /**
   * Records that the deadline stopped the run from inside a call (a retry it refused), so no new
   * batch starts and the result says `stoppedByDeadline`.
   */
  markDeadline(): void {
    this.deadlineHit = true;
  }

  /** Aborts the run: no new batch starts anywhere (a safety stop, like the backstop's). */
  abort(reason: string): void {
    this.aborted ??= reason;
  }

  /** Stops the run between batches because of a signal (`why`, e.g. `SIGINT`); not a safety stop. */
  interrupt(why: string): void {
    this.interruptedBy ??= why;
  }

  /** Deletions sent or reserved so far, earlier runs of the sweep included. */
  get deletionsSent(): number {
    return this.reserved;
  }

  /** The signal that interrupted the run, if any. */
  get interrupted(): string | undefined {
    return this.interruptedBy;
  }

  /** Set when the backstop aborted the run. */
  get abortedReason(): string | undefined {
    return this.aborted;
  }

  /** True once the deadline was seen. */
  get stoppedByDeadline(): boolean {
    return this.deadlineHit;
  }
}
