/**
 * Per-operation adaptive pacing for ECR calls. ECR throttles each API separately (token buckets
 * per operation and account), so a throttle on DescribeImages must slow DescribeImages, not
 * BatchDeleteImage. The SDK's own `adaptive` retry mode keeps one limiter per client, which would
 * couple them; this controller keeps one per operation and is shared by every request of a sweep.
 *
 * Algorithm (measured in bench/sweep.ts, documented in docs/engine.md):
 * - unpaced until the first throttle (or `initialRate` if given), capped by `maxRate`;
 * - on a throttle of a request sent after the previous cut (the in-flight requests of one
 *   overload fail together and count as one signal), at most once per `cooldownMs`:
 *   rate = `decrease` x the current rate, or x the requests accepted in the last second when
 *   still unpaced; `decrease`^3 instead when the previous cut was less than 2 s ago;
 * - while not throttled: the rate grows by `increasePerSecond` (multiplicative, per second) up
 *   to the rate of the last cut; past it, the growth doubles every 5 s (up to +50 %/s), so an
 *   early underestimate (a first cut measured on a small burst) is corrected within seconds.
 * Requests are spaced evenly at the current rate, so the sweep never relies on a server burst.
 */

/** Tuning of {@link RateController}; defaults are the values docs/engine.md reports. */
export interface RateControlSettings {
  /** Requests per second per operation before any throttle; default unlimited. */
  initialRate?: number;
  /** Floor, requests per second: never paced slower than this. Default 1. */
  minRate?: number;
  /** Ceiling, requests per second per operation (a known quota). Default unlimited. */
  maxRate?: number;
  /** Multiplier applied on a throttle. Default 0.9. */
  decrease?: number;
  /** Growth per second while unthrottled, e.g. 0.02 = +2 %/s. Default 0.02. */
  increasePerSecond?: number;
  /** Minimum time between two cuts of one operation. Default 0: only the epoch rule applies. */
  cooldownMs?: number;
}

/** A slot granted by {@link RateController.acquire}; hand it back with the call's outcome. */
export interface RateTicket {
  operation: string;
  /** Number of cuts of this operation when the request was sent. */
  epoch: number;
}

interface OperationState {
  rate: number;
  nextSlotAt: number;
  lastGrowthAt: number;
  /** The rate at the last cut (or the observed rate at the first one): where the limit was. */
  ceiling: number;
  /** When the rate last rose above `ceiling`; undefined while below it. */
  aboveCeilingSince: number | undefined;
  lastCutAt: number;
  epoch: number;
  /** Completion times of recent successes (ms), oldest first, from index `head`; at most 1 s old. */
  successes: number[];
  head: number;
}

const DEFAULTS: Required<Omit<RateControlSettings, 'initialRate' | 'maxRate'>> = {
  minRate: 1,
  decrease: 0.9,
  increasePerSecond: 0.02,
  cooldownMs: 0,
};

/** Shared, per-operation request pacer driven by throttling signals. */
export class RateController {
  private readonly states = new Map<string, OperationState>();
  private readonly settings: Required<Omit<RateControlSettings, 'initialRate' | 'maxRate'>> & {
    initialRate: number;
    maxRate: number;
  };
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    settings: RateControlSettings = {},
    time: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    const maxRate = settings.maxRate ?? Number.POSITIVE_INFINITY;
    this.settings = {
      ...DEFAULTS,
      ...stripUndefined(settings),
      maxRate,
      initialRate: Math.min(settings.initialRate ?? Number.POSITIVE_INFINITY, maxRate),
    };
    if (!(this.settings.minRate > 0)) throw new RangeError(`rate control: minRate must be > 0, got ${this.settings.minRate}`);
    if (!(this.settings.decrease > 0 && this.settings.decrease < 1)) {
      throw new RangeError(`rate control: decrease must be in (0, 1), got ${this.settings.decrease}`);
    }
    this.now = time.now ?? (() => performance.now());
    this.sleep = time.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits for this operation's next send slot. */
  async acquire(operation: string): Promise<RateTicket> {
    const state = this.state(operation);
    const now = this.now();
    this.grow(state, now);
    const ticket = { operation, epoch: state.epoch };
    if (!Number.isFinite(state.rate)) return ticket;
    const slot = Math.max(now, state.nextSlotAt);
    state.nextSlotAt = slot + 1000 / state.rate;
    if (slot > now) await this.sleep(slot - now);
    return ticket;
  }

  /** Records a request the service accepted. */
  onSuccess(ticket: RateTicket): void {
    const state = this.state(ticket.operation);
    const now = this.now();
    state.successes.push(now);
    trimBefore(state, now - SUCCESS_WINDOW_MS);
  }

  /** Records a throttled request; slows the operation down when it is a fresh signal. */
  onThrottle(ticket: RateTicket): void {
    const state = this.state(ticket.operation);
    const now = this.now();
    if (ticket.epoch !== state.epoch || now - state.lastCutAt < this.settings.cooldownMs) return;
    trimBefore(state, now - SUCCESS_WINDOW_MS);
    // Paced: the current rate caused the throttle, so it is just above the limit. Unpaced (the
    // first throttle): the accepted requests of the last second, the refill rate plus whatever
    // burst was left, are the only measure there is.
    const base = Number.isFinite(state.rate) ? state.rate : Math.max(countSince(state, now - SUCCESS_WINDOW_MS), this.settings.minRate);
    state.ceiling = base;
    state.aboveCeilingSince = undefined;
    // Throttled again soon after a cut: still far above the limit, so step down harder.
    const factor = now - state.lastCutAt < QUICK_RETHROTTLE_MS ? this.settings.decrease ** 3 : this.settings.decrease;
    state.rate = clamp(base * factor, this.settings.minRate, this.settings.maxRate);
    state.epoch += 1;
    state.lastCutAt = now;
    state.lastGrowthAt = now;
    state.nextSlotAt = Math.max(state.nextSlotAt, now + 1000 / state.rate);
  }

  /** Current pace of an operation, requests per second (Infinity when unpaced). */
  rate(operation: string): number {
    return this.state(operation).rate;
  }

  private state(operation: string): OperationState {
    let state = this.states.get(operation);
    if (state === undefined) {
      const now = this.now();
      state = {
        rate: this.settings.initialRate,
        nextSlotAt: now,
        lastGrowthAt: now,
        ceiling: Number.POSITIVE_INFINITY,
        aboveCeilingSince: undefined,
        lastCutAt: Number.NEGATIVE_INFINITY,
        epoch: 0,
        successes: [],
        head: 0,
      };
      this.states.set(operation, state);
    }
    return state;
  }

  private grow(state: OperationState, now: number): void {
    if (!Number.isFinite(state.rate)) return;
    const seconds = (now - state.lastGrowthAt) / 1000;
    if (seconds <= 0) return;
    let growth = this.settings.increasePerSecond;
    if (state.rate >= state.ceiling) {
      // Past the last known limit without a throttle: the limit is higher than we thought (a
      // first estimate taken from a small burst, say), so probe faster the longer it holds.
      state.aboveCeilingSince ??= now;
      growth = Math.min(MAX_GROWTH_PER_SECOND, growth * 2 ** ((now - state.aboveCeilingSince) / GROWTH_DOUBLING_MS));
    }
    state.rate = Math.min(state.rate * (1 + growth) ** seconds, this.settings.maxRate);
    state.lastGrowthAt = now;
  }

}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

const SUCCESS_WINDOW_MS = 1000;
const GROWTH_DOUBLING_MS = 5000;
const QUICK_RETHROTTLE_MS = 2000;
const MAX_GROWTH_PER_SECOND = 0.5;

function trimBefore(state: OperationState, cutoff: number): void {
  while (state.head < state.successes.length && (state.successes[state.head] ?? 0) < cutoff) state.head += 1;
  // Compact now and then instead of shifting the array on every request.
  if (state.head > 1024 && state.head * 2 > state.successes.length) {
    state.successes = state.successes.slice(state.head);
    state.head = 0;
  }
}

function countSince(state: OperationState, cutoff: number): number {
  let n = 0;
  for (let i = state.successes.length - 1; i >= state.head && (state.successes[i] ?? 0) >= cutoff; i--) n += 1;
  return n;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
