/**
 * How the in-use readers (ECS, Lambda, Batch, App Runner) make their AWS calls: counted per
 * operation, bounded in number at once, paced under a service quota where one is known, retried
 * on throttles and transient faults after the SDK's own retries, stoppable by the scan's signal,
 * and turned into {@link InUseSourceError} (naming where) when they still fail. A reader never
 * returns part of a scan: the first call that cannot be completed fails the whole source.
 */
import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { InUseSource } from '../core/in-use.js';
import { InUseSourceError } from '../engine/errors.js';
import { errorCode } from '../errors.js';
import { isRetryable } from './ecr-metered-client.js';

/** Retries of one call beyond the SDK's own (each attempt of ours may hold several SDK attempts). */
export interface InUseRetrySettings {
  /** Attempts of ours per call; default 4. */
  maxAttempts?: number;
  /** Backoff base, ms; attempt n waits up to base * 2^n (full jitter); default 250. */
  baseDelayMs?: number;
  /** Backoff cap, ms; default 5000. */
  maxDelayMs?: number;
}

/** What every reader's constructor takes besides its client and settings. */
export interface InUseReaderOptions {
  /** Calls in flight at once for this source. */
  concurrency?: number;
  retry?: InUseRetrySettings;
  /** Waits (backoff, pacing); injected by tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  clock?: () => number;
}

/** The SDK's answer metadata: `attempts` counts its own retries too. */
interface WithMetadata {
  $metadata?: { attempts?: number; httpStatusCode?: number };
}

/**
 * Spaces call starts so that at most `perSecond` start in any second on average (one quota
 * shared by the calls of a group). Reservations are made in call order, so waits do not pile up.
 */
export class Pacer {
  private next = 0;
  private readonly intervalMs: number;
  constructor(perSecond: number) {
    this.intervalMs = perSecond > 0 && Number.isFinite(perSecond) ? 1000 / perSecond : 0;
  }
  /** Milliseconds the caller must wait before its call (0 when unpaced), reserving its slot. */
  reserve(now: number): number {
    if (this.intervalMs === 0) return 0;
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    return at - now;
  }
}

/** Error names that mean the endpoint does not offer the operation at all (not a fault of the call). */
const UNSUPPORTED_NAMES = new Set(['UnknownOperationException', 'UnknownOperation', 'NotImplemented', 'NotImplementedException', 'NotImplementedError', 'InvalidAction', 'UnsupportedOperation', 'UnsupportedOperationException']);

/**
 * True when the endpoint answered that it does not implement the operation: an unknown
 * operation, "not implemented", HTTP 501, or moto's HTTP 500 page for an unimplemented action
 * (not an AWS error document). Access denied, throttles, other 5xx (ServerException) and timeouts
 * are faults, never "unsupported".
 */
export function isUnsupportedOperation(error: unknown): boolean {
  const e = error as (WithMetadata & { name?: string; message?: unknown }) | undefined;
  if (!e || typeof e !== 'object') return false;
  if (UNSUPPORTED_NAMES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 501) return true;
  if (e.$metadata?.httpStatusCode !== 500) return false;
  // moto answers an unimplemented action with HTTP 500 and an HTML page naming NotImplementedError;
  // the SDK cannot parse that page (SyntaxError) and the body is gone by then. AWS answers its
  // own 500s with a JSON error document (ServerException), which parses.
  return e.name === 'SyntaxError' || (typeof e.message === 'string' && /not ?implemented/i.test(e.message));
}

/** True for an SDK abort (the signal given to `send` fired). */
function isAbort(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'AbortError';
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** One call of a reader: its operation, where it looks (for the error) and an optional pacing group. */
export interface InUseCall {
  /** `ecs:DescribeTasks`. */
  operation: string;
  /** `cluster prod`, `function resize`; in the error's message when the call fails. */
  location?: string;
  pacer?: Pacer;
  /** Errors the caller handles itself (not retried, not counted as a failure here): e.g. unsupported, not found. */
  passThrough?: (error: unknown) => boolean;
}

/** A reader's calls: counting, bounding, pacing, retrying and failing closed. */
export class InUseCaller {
  /** Attempts sent, per operation (the SDK's retries included). */
  readonly calls: Record<string, number> = {};
  private readonly limit: LimitFunction;
  private readonly retry: Required<InUseRetrySettings>;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly clock: () => number;

  constructor(
    private readonly source: InUseSource,
    private readonly signal: AbortSignal | undefined,
    options: InUseReaderOptions & { defaultConcurrency: number },
  ) {
    this.limit = pLimit(Math.max(1, options.concurrency ?? options.defaultConcurrency));
    this.retry = { maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 4), baseDelayMs: options.retry?.baseDelayMs ?? 250, maxDelayMs: options.retry?.maxDelayMs ?? 5000 };
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
    // Every call waiting for its pace listens for the scan's abort (a thousand Lambda list calls at
    // once): that is by design, not the leak Node warns about past 10 listeners.
    if (signal) setMaxListeners(0, signal);
  }

  /** Throws the scan's abort as an {@link InUseSourceError} when the signal has fired. */
  checkAborted(location?: string): void {
    if (this.signal?.aborted) throw this.aborted(location);
  }

  /**
   * Runs `send` (given the abort signal to pass to the SDK) within the concurrency bound, paced,
   * retried on throttles and transient faults, counted.
   *
   * @throws InUseSourceError when the call still fails, or when the scan is stopped.
   */
  async run<T extends WithMetadata>(call: InUseCall, send: (abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    // The first attempt waits for its pace before taking an in-flight slot: a slot held through a
    // pacing wait would stall the calls of a faster group behind it (Lambda's GetFunction, paced at
    // 80/s, queued behind every list call paced at 12/s). Starting later than reserved never breaks a pace.
    await this.pace(call);
    return this.limit(() => this.attempt(call, send));
  }

  private async pace(call: InUseCall): Promise<void> {
    this.checkAborted(call.location);
    const wait = call.pacer?.reserve(this.clock()) ?? 0;
    if (wait > 0) {
      await this.sleep(wait, this.signal);
      this.checkAborted(call.location);
    }
  }

  private async attempt<T extends WithMetadata>(call: InUseCall, send: (abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // Retries keep their slot while they back off and pace: the endpoint asked for less load.
      if (attempt > 1) await this.pace(call);
      else this.checkAborted(call.location);
      try {
        const out = await send(this.signal);
        this.count(call.operation, out.$metadata?.attempts);
        return out;
      } catch (error) {
        this.count(call.operation, (error as WithMetadata | undefined)?.$metadata?.attempts);
        if (this.signal?.aborted || isAbort(error)) throw this.aborted(call.location, error);
        if (call.passThrough?.(error)) throw error;
        if (!isRetryable(error) || attempt >= this.retry.maxAttempts) {
          const code = errorCode(error);
          const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
          throw new InUseSourceError(this.source, code, `${call.operation} failed${tries}: ${(error as Error | undefined)?.message ?? String(error)}`, {
            cause: error,
            ...(call.location !== undefined ? { location: call.location } : {}),
          });
        }
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * ceiling), this.signal);
      }
    }
  }

  private count(operation: string, attempts: number | undefined): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + Math.max(1, attempts ?? 1);
  }

  private aborted(location: string | undefined, cause?: unknown): InUseSourceError {
    const reason = this.signal?.reason;
    const why = typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'aborted';
    return new InUseSourceError(this.source, 'Aborted', `the scan was stopped before it finished (${why}); nothing it read counts`, {
      cause: cause ?? reason,
      ...(location !== undefined ? { location } : {}),
    });
  }
}

/** Splits `items` into chunks of at most `size` (the batch limits of the Describe calls). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The last `/`-separated part of an ARN (`arn:...:cluster/prod` → `prod`). */
export function arnTail(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn.slice(arn.lastIndexOf(':') + 1);
}

/**
 * The reference to `digest` in the repository of `image` (as the consumer wrote it, any host
 * form): `acct.dkr.ecr.r.amazonaws.com/app:v1` + `sha256:ab…` → `acct.dkr.ecr.r.amazonaws.com/app@sha256:ab…`.
 * A tag or digest on `image` is dropped; a registry port (`host:5000/app`) is kept.
 */
export function digestReference(image: string, digest: string): string {
  let base = image;
  const at = base.indexOf('@');
  if (at >= 0) base = base.slice(0, at);
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) base = base.slice(0, colon);
  return `${base}@${digest}`;
}

/**
 * Runs a scan with a signal that also fires when the scan fails, so the calls still in flight
 * (other clusters, other functions) stop instead of running on for a result nobody will read.
 */
export async function stopOnFailure<T>(outer: AbortSignal | undefined, scan: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const own = new AbortController();
  const signal = outer ? AbortSignal.any([outer, own.signal]) : own.signal;
  try {
    return await scan(signal);
  } catch (error) {
    own.abort('another call of the scan failed');
    throw error;
  }
}

