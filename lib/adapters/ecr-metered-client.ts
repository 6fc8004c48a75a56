/**
 * Wraps the caller's ECRClient so every request of a sweep is counted, paced and retried:
 * - an SDK middleware placed right after the SDK's retry middleware sees every attempt
 *   (retries included), counts it per operation, waits for the operation's pacing slot and
 *   feeds throttles back to the shared {@link RateController};
 * - an outer retry loop with exponential backoff and full jitter keeps a call going after
 *   the SDK's own attempts are spent, so a sweep finishes under a rate limit instead of failing.
 * The wrapper is a prototype-child of the caller's client with a cloned middleware stack: the
 * caller's client is not modified, and the SDK paginators accept the wrapper (instanceof ECRClient).
 */
import type { ECRClient, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-ecr';
import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import pLimit, { type LimitFunction } from 'p-limit';
import type { RateController, RateTicket } from '../engine/rate-controller.js';

/** Call counters of one sweep. */
export interface CallStats {
  /** Attempts sent, per operation (every retry counted). */
  apiCalls: Record<string, number>;
  /** Attempts beyond the first of each call: the SDK's own retries plus the outer loop's. */
  retries: number;
  /** Attempts the service answered with a throttling error. */
  throttles: number;
}

/** Outer retry loop settings. */
export interface RetrySettings {
  /** Logical attempts (each may contain several SDK attempts). Default 8. */
  maxAttempts?: number;
  /** Backoff base, ms; attempt n waits up to base * 2^n (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Backoff cap, ms. Default 5000. */
  maxDelayMs?: number;
  /** Logical calls in flight at once across the sweep (backoff waits hold their slot). Default 4. */
  maxInFlight?: number;
}

const MIDDLEWARE_NAME = 'ecrSweeperMeterMiddleware';
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const TRANSIENT_CODES = new Set(['ServerException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalFailure', 'ServiceUnavailable']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface SdkLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** True for a throttling answer (HTTP 429, ThrottlingException and its relatives). */
export function isThrottle(error: unknown): boolean {
  const e = error as SdkLikeError | undefined;
  if (!e || typeof e !== 'object') return false;
  return e.$metadata?.httpStatusCode === 429 || THROTTLING_CODES.has(e.name ?? '') || e.$retryable?.throttling === true;
}

/** True for errors worth retrying: throttles, ServerException, 5xx, timeouts, connection resets. */
export function isRetryable(error: unknown): boolean {
  if (isThrottle(error)) return true;
  const e = error as SdkLikeError | undefined;
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT_CODES.has(e.name ?? '') || NETWORK_CODES.has(e.code ?? '') || (status >= 500 && status <= 599);
}

/** The error's code as ECR names it (`name` of SDK errors), for reports. */
export function errorCode(error: unknown): string {
  const e = error as SdkLikeError | undefined;
  if (e && typeof e === 'object' && typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  if (e && typeof e === 'object' && typeof e.code === 'string') return e.code;
  return 'UnknownError';
}

/** A counted, paced, retrying view of an ECRClient; see the module comment. */
export class MeteredEcrClient {
  /** Use this client for every call of the sweep (including paginators). */
  readonly client: ECRClient;
  private readonly apiCalls: Record<string, number> = {};
  private sdkRetries = 0;
  private outerRetries = 0;
  private throttles = 0;
  private readonly retry: Required<Omit<RetrySettings, 'maxInFlight'>>;
  private readonly inFlight: LimitFunction;

  constructor(
    base: ECRClient,
    private readonly rate: RateController,
    retry: RetrySettings = {},
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly random: () => number = Math.random,
  ) {
    this.retry = { maxAttempts: retry.maxAttempts ?? 8, baseDelayMs: retry.baseDelayMs ?? 200, maxDelayMs: retry.maxDelayMs ?? 5000 };
    this.inFlight = pLimit(Math.max(1, retry.maxInFlight ?? 4));
    const wrapper = Object.create(base) as ECRClient;
    // Own properties shadow the base client's: a separate stack and handler cache.
    Object.defineProperty(wrapper, 'middlewareStack', { value: base.middlewareStack.clone(), writable: true });
    Object.defineProperty(wrapper, 'handlers', { value: undefined, writable: true, configurable: true });
    wrapper.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<ServiceInputTypes, ServiceOutputTypes>, context: HandlerExecutionContext) =>
        async (args: FinalizeHandlerArguments<ServiceInputTypes>) => {
        const operation = operationName(context.commandName);
        const ticket: RateTicket = await this.rate.acquire(operation);
        this.apiCalls[operation] = (this.apiCalls[operation] ?? 0) + 1;
        if (isSdkRetry(args.request)) this.sdkRetries += 1;
        try {
          const out = await next(args);
          this.rate.onSuccess(ticket);
          return out;
        } catch (error) {
          if (isThrottle(error)) {
            this.throttles += 1;
            this.rate.onThrottle(ticket);
          } else if (!isRetryable(error)) {
            // A definite answer (e.g. RepositoryNotFound) still proves the service accepted the request.
            this.rate.onSuccess(ticket);
          }
          throw error;
        }
      },
      { name: MIDDLEWARE_NAME, relation: 'after', toMiddleware: 'retryMiddleware', override: true },
    );
    // Looked up at call time so a test double installed on the base client later still applies.
    const send = (command: unknown, options?: unknown): Promise<unknown> =>
      this.inFlight(() => this.withRetry(() => (base.send as (c: unknown, o?: unknown) => Promise<unknown>).call(wrapper, command, options)));
    Object.defineProperty(wrapper, 'send', { value: send, writable: true });
    this.client = wrapper;
  }

  /** Snapshot of the counters. */
  stats(): CallStats {
    return { apiCalls: { ...this.apiCalls }, retries: this.sdkRetries + this.outerRetries, throttles: this.throttles };
  }

  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.retry.maxAttempts) throw error;
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
        this.outerRetries += 1;
        await this.sleep(Math.floor(this.random() * ceiling));
      }
    }
  }
}

/** The SDK's retry middleware stamps `amz-sdk-request: attempt=N; max=M` on every attempt. */
function isSdkRetry(request: unknown): boolean {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers;
  const value = headers?.['amz-sdk-request'];
  const attempt = value === undefined ? undefined : /attempt=(\d+)/.exec(value)?.[1];
  return attempt !== undefined && Number(attempt) > 1;
}

function operationName(commandName: unknown): string {
  const name = typeof commandName === 'string' ? commandName : 'Unknown';
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}
