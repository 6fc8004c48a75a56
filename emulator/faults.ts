/**
 * Fault injection and counters: per-operation token buckets, seeded throttle and server-error
 * dice, added latency, and the request/throttled/failed counts served at `/_emulator/stats`.
 */
import { EmulatorStateError } from './errors.js';
import { SeededRandom } from './random.js';
import type { EmulatorStats, FaultOptions, PerOperation, RateLimit } from './types.js';

/** What the fault layer decided for one request. */
export type FaultVerdict = 'pass' | 'throttle' | 'server-error';

interface Bucket {
  tokens: number;
  updatedAt: number;
  limit: Required<RateLimit>;
}

/** Holds the fault settings and the counters; all settings can change while serving. */
export class Faults {
  private options: FaultOptions = {};
  private buckets = new Map<string, Bucket>();
  private readonly dice: SeededRandom;
  private counters: EmulatorStats = { requests: {}, throttled: {}, failed: {} };
  /** The same counters per account and Region (`<account>/<region>`), for multi-account runs. */
  private scoped = new Map<string, EmulatorStats>();
  /** Monotonic milliseconds; injectable so token-bucket tests need no sleeping. */
  private readonly monotonic: () => number;

  constructor(options: FaultOptions, seed: number, monotonic: () => number = () => performance.now()) {
    this.dice = new SeededRandom(seed);
    this.monotonic = monotonic;
    this.set(options);
  }

  /** Replaces the given knobs (others keep their values); `undefined` or `null` switches a knob off. */
  set(options: FaultOptions): void {
    // JSON callers (POST /_emulator/faults) cannot send undefined: null switches a knob off too.
    const given = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, v === null ? undefined : v])) as FaultOptions;
    validateFaults(given);
    this.options = { ...this.options, ...given };
    if ('rateLimits' in given) this.buckets.clear();
  }

  /** The current settings. */
  get(): FaultOptions {
    return { ...this.options };
  }

  /**
   * Decides whether `operation` is throttled or fails, consuming a token if it is rate-limited.
   * Token buckets are per `scope` (an account and Region: ECR's limits are per account and Region);
   * `rateLimits` replaces the emulator-wide limits for that scope when given.
   */
  decide(operation: string, scope = '', rateLimits = this.options.rateLimits): FaultVerdict {
    const limit = rateLimits?.[operation];
    if (limit && !this.take(`${scope}\u0000${operation}`, limit)) return 'throttle';
    const pThrottle = perOperation(this.options.throttleProbability, operation) ?? 0;
    if (pThrottle > 0 && this.dice.chance(pThrottle)) return 'throttle';
    const pError = perOperation(this.options.serverErrorProbability, operation) ?? 0;
    if (pError > 0 && this.dice.chance(pError)) return 'server-error';
    return 'pass';
  }

  /** Whether `operation` is answered with AccessDeniedException (named itself or by its service's `<service>:*`). */
  denies(operation: string): boolean {
    const denied = this.options.accessDenied;
    if (!denied || denied.length === 0) return false;
    const colon = operation.indexOf(':');
    return denied.includes(operation) || (colon > 0 && denied.includes(`${operation.slice(0, colon)}:*`));
  }

  /** Milliseconds to wait before answering `operation`. */
  latency(operation: string): number {
    return perOperation(this.options.latencyMs, operation) ?? 0;
  }

  /** Counts one received request (also under its account and Region when `scope` is given). */
  countRequest(operation: string, scope?: string): void {
    bump(this.counters.requests, operation);
    if (scope !== undefined) bump(this.scopeCounters(scope).requests, operation);
  }

  /** Counts one request answered with ThrottlingException. */
  countThrottled(operation: string, scope?: string): void {
    bump(this.counters.throttled, operation);
    if (scope !== undefined) bump(this.scopeCounters(scope).throttled, operation);
  }

  /** Counts one request answered with any other error. */
  countFailed(operation: string, scope?: string): void {
    bump(this.counters.failed, operation);
    if (scope !== undefined) bump(this.scopeCounters(scope).failed, operation);
  }

  /** The counters of one account and Region (`<account>/<region>`); all zero when it had no request. */
  statsOf(scope: string): EmulatorStats {
    const c = this.scoped.get(scope);
    return { requests: { ...c?.requests }, throttled: { ...c?.throttled }, failed: { ...c?.failed } };
  }

  private scopeCounters(scope: string): EmulatorStats {
    let c = this.scoped.get(scope);
    if (!c) this.scoped.set(scope, (c = { requests: {}, throttled: {}, failed: {} }));
    return c;
  }

  /** A copy of the counters. */
  stats(): EmulatorStats {
    return {
      requests: { ...this.counters.requests },
      throttled: { ...this.counters.throttled },
      failed: { ...this.counters.failed },
    };
  }

  /** Zeroes the counters. */
  resetStats(): void {
    this.counters = { requests: {}, throttled: {}, failed: {} };
    this.scoped.clear();
  }

  private take(bucketKey: string, limit: RateLimit): boolean {
    const now = this.monotonic();
    let bucket = this.buckets.get(bucketKey);
    const full = { rate: limit.rate, burst: limit.burst ?? Math.max(1, limit.rate) };
    if (!bucket) {
      bucket = { tokens: full.burst, updatedAt: now, limit: full };
      this.buckets.set(bucketKey, bucket);
    }
    bucket.tokens = Math.min(full.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * full.rate);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    return false;
  }
}

function perOperation<T>(value: PerOperation<T> | undefined, operation: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null) return (value as Partial<Record<string, T>>)[operation];
  return value as T;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Throws EmulatorStateError naming the knob when a fault setting is out of range. */
export function validateFaults(options: FaultOptions): void {
  for (const [name, limit] of Object.entries(options.rateLimits ?? {})) {
    if (!limit || !(limit.rate >= 0) || (limit.burst !== undefined && !(limit.burst >= 1))) {
      throw new EmulatorStateError(`rateLimits.${name}`, 'needs rate >= 0 (requests per second) and, if given, burst >= 1');
    }
  }
  for (const knob of ['throttleProbability', 'serverErrorProbability'] as const) {
    for (const [op, p] of entries(options[knob])) {
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new EmulatorStateError(op ? `${knob}.${op}` : knob, `must be a probability between 0 and 1, got ${JSON.stringify(p)}`);
    }
  }
  if (options.accessDenied !== undefined && (!Array.isArray(options.accessDenied) || !options.accessDenied.every((op) => typeof op === 'string' && op !== ''))) {
    throw new EmulatorStateError('accessDenied', `must be a list of operation names like "ecs:DescribeTasks" or "ecs:*", got ${JSON.stringify(options.accessDenied)}`);
  }
  for (const [op, ms] of entries(options.latencyMs)) {
    if (typeof ms !== 'number' || !(ms >= 0)) throw new EmulatorStateError(op ? `latencyMs.${op}` : 'latencyMs', `must be >= 0 milliseconds, got ${JSON.stringify(ms)}`);
  }
}

function entries(value: PerOperation<number> | undefined): [string, unknown][] {
  if (value === undefined) return [];
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  return [['', value]];
}
