/**
 * Wraps the caller's ECRClient so every request of a sweep is counted, paced and retried:
 * - an SDK middleware placed right after the SDK's retry middleware sees every attempt
 *   (retries included), counts it per operation, waits for the operation's pacing slot and
 *   feeds throttles back to the shared {@link RateController};
 * - an outer retry loop with exponential backoff and full jitter keeps a call going after
 *   the SDK's own attempts are spent, so a sweep finishes under a rate limit instead of failing;
 *   it never retries past the sweep's deadline, and it leaves BatchDeleteImage and
 *   UpdateImageStorageClass to their callers, which re-read the images before each retry
 *   ({@link MeteredEcrClient.pause}).
 * The wrapper is a prototype-child of the caller's client with a cloned middleware stack: the
 * caller's client is not modified, and the SDK paginators accept the wrapper (instanceof ECRClient).
 */
import { BatchDeleteImageCommand, ECRClient, UpdateImageStorageClassCommand, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-ecr';
import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import { DeadlineReachedError, EndpointUnreachableError } from '../engine/errors.js';
import type { CallStats } from '../engine/ports.js';
import type { RateController, RateTicket } from '../engine/rate-controller.js';

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
  /**
   * Epoch ms after which nothing is retried: a failure once it has passed, or whose next backoff
   * would cross it, ends the call with {@link DeadlineReachedError}.
   */
  deadline?: number;
  /** Clock for the deadline, epoch ms; default Date.now. */
  clock?: () => number;
  /**
   * How long after the deadline a request still in flight may run before it is aborted (and its
   * call fails with {@link DeadlineReachedError}), ms. Bounds how far one slow call can carry a
   * run past its deadline whatever the request timeouts are. Default 20000 (the Lambda keeps 60 s
   * back for the reports).
   */
  deadlineGraceMs?: number;
  /**
   * Logical attempts a call gets while the endpoint has never answered and cannot be connected to
   * (refused, unknown host, no route, connect timeout): then it fails with
   * {@link EndpointUnreachableError} within a second or two instead of backing off for the whole
   * retry budget. Once anything has answered, connection errors get the full retries. Default 2.
   */
  unansweredAttempts?: number;
}

const DEFAULT_DEADLINE_GRACE_MS = 20_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The SDK's own `Client#send`, to tell it from a test double installed on a client. */
const SDK_SEND: unknown = (Object.getPrototypeOf(ECRClient.prototype) as { send?: unknown }).send;

type ResolvedHandler = (command: unknown) => Promise<{ output: unknown }>;
interface SdkCommand {
  resolveMiddleware(stack: unknown, config: unknown, options: unknown): ResolvedHandler;
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
/** Codes of a request that never reached a server: nothing was sent, nothing answered. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

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

/**
 * True when the request could not connect at all (refused, unknown host, no route, or the SDK's
 * connect timeout), as opposed to a server that answered or a request cut off mid-way.
 */
export function isConnectFailure(error: unknown): boolean {
  const e = error as (SdkLikeError & { message?: unknown }) | undefined;
  if (!e || typeof e !== 'object' || e.$metadata?.httpStatusCode !== undefined) return false;
  if (CONNECT_CODES.has(e.code ?? '')) return true;
  return e.name === 'TimeoutError' && typeof e.message === 'string' && e.message.includes('did not establish a connection');
}

/** A counted, paced, retrying view of an ECRClient; see the module comment. */
export class MeteredEcrClient {
  /** Use this client for every call of the sweep (including paginators). */
  readonly client: ECRClient;
  private readonly apiCalls: Record<string, number> = {};
  private sdkRetries = 0;
  private outerRetries = 0;
  private throttles = 0;
  private readonly retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  private readonly deadline: number | undefined;
  private readonly deadlineGraceMs: number;
  private readonly clock: () => number;
  private readonly inFlight: LimitFunction;
  private readonly unansweredAttempts: number;
  /** Whether any request of this client got an answer (a response, even an error response). */
  private answered = false;
  /** Where the last request went, for an unreachable endpoint's message. */
  private lastEndpoint = 'the default ECR endpoint of the region';
  /**
   * The options of every call bounded by the deadline: one abort signal for the whole client,
   * aborted when the deadline plus its grace comes (see {@link sendBounded}). Made on first use.
   */
  private bounded: { abortSignal: AbortSignal } | undefined;

  constructor(
    base: ECRClient,
    private readonly rate: RateController,
    retry: RetrySettings = {},
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly random: () => number = Math.random,
  ) {
    this.retry = { maxAttempts: retry.maxAttempts ?? 8, baseDelayMs: retry.baseDelayMs ?? 200, maxDelayMs: retry.maxDelayMs ?? 5000 };
    this.deadline = retry.deadline;
    this.deadlineGraceMs = retry.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS;
    this.clock = retry.clock ?? Date.now;
    this.inFlight = pLimit(Math.max(1, retry.maxInFlight ?? 4));
    this.unansweredAttempts = Math.max(1, retry.unansweredAttempts ?? 2);
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
        this.lastEndpoint = endpointOf(args.request) ?? this.lastEndpoint;
        try {
          const out = await next(args);
          this.answered = true;
          this.rate.onSuccess(ticket);
          return out;
        } catch (error) {
          if ((error as SdkLikeError | undefined)?.$metadata?.httpStatusCode !== undefined) this.answered = true;
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
    // The SDK resolves a command's middleware stack (its list, sorted, with every plugin's
    // middleware) on every send unless it may cache it, which it does only for a send without
    // options; that is about a third of its CPU for a small request. Every call of this client is
    // sent with the same options (none, or the one deadline signal), so the resolved handler is
    // kept per command class and options, as the SDK's own cache keeps it per class.
    const handlers = new Map<unknown, Map<unknown, ResolvedHandler>>();
    const dispatch = (command: unknown, o: unknown): Promise<unknown> => {
      // Looked up at call time so a test double installed on the base client later still applies.
      const sdkSend = base.send as (c: unknown, o?: unknown) => Promise<unknown>;
      if (sdkSend !== SDK_SEND || (o !== undefined && o !== this.bounded) || typeof (command as Partial<SdkCommand> | undefined)?.resolveMiddleware !== 'function') {
        return sdkSend.call(wrapper, command, o);
      }
      const ctor = (command as { constructor: unknown }).constructor;
      let byOptions = handlers.get(o);
      if (byOptions === undefined) handlers.set(o, (byOptions = new Map()));
      let handler = byOptions.get(ctor);
      if (handler === undefined) {
        handler = (command as SdkCommand).resolveMiddleware(wrapper.middlewareStack, wrapper.config, o);
        byOptions.set(ctor, handler);
      }
      return handler(command).then((result) => result.output);
    };
    const send = (command: unknown, options?: unknown): Promise<unknown> => {
      const operation = operationName((command as { constructor?: { name?: unknown } } | undefined)?.constructor?.name);
      const once = (): Promise<unknown> => this.sendBounded(operation, (o) => dispatch(command, o), options);
      // A delete or an archive is retried by its caller, which re-reads the images first (see pause()).
      const callerRetries = command instanceof BatchDeleteImageCommand || command instanceof UpdateImageStorageClassCommand;
      return this.inFlight(() => (callerRetries ? once() : this.withRetry(operation, once)));
    };
    Object.defineProperty(wrapper, 'send', { value: send, writable: true });
    this.client = wrapper;
  }

  /** Snapshot of the counters. */
  stats(): CallStats {
    return { apiCalls: { ...this.apiCalls }, retries: this.sdkRetries + this.outerRetries, throttles: this.throttles };
  }

  /**
   * One send, aborted when the deadline plus its grace comes (unless the caller brought its own
   * abort signal): a request stuck in flight then fails as {@link DeadlineReachedError}. Every
   * call shares one signal for that moment (its timer does not hold the process open), so every
   * call has the same options and the SDK's resolved handler can be reused.
   */
  private async sendBounded(operation: string, send: (options: unknown) => Promise<unknown>, options: unknown): Promise<unknown> {
    const own = options as { abortSignal?: unknown } | undefined;
    if (this.deadline === undefined || own?.abortSignal !== undefined) return send(options);
    const remaining = this.deadline + this.deadlineGraceMs - this.clock();
    if (remaining <= 0) throw new DeadlineReachedError(operation, new Error(`no time left: the deadline passed more than ${this.deadlineGraceMs} ms ago`));
    // setTimeout fires at once for delays past 2^31-1 ms; a deadline that far away needs no timer.
    if (remaining > MAX_TIMER_MS) return send(options);
    const bounded = this.deadlineOptions(remaining);
    try {
      return await send(options === undefined ? bounded : { ...(typeof options === 'object' && options !== null ? options : {}), abortSignal: bounded.abortSignal });
    } catch (error) {
      if (bounded.abortSignal.aborted) throw new DeadlineReachedError(operation, error);
      throw error;
    }
  }

  /** The shared deadline options, made on first use with the time left until the deadline plus its grace. */
  private deadlineOptions(remaining: number): { abortSignal: AbortSignal } {
    if (this.bounded === undefined) {
      const controller = new AbortController();
      // Every request in flight listens to it (and removes its listener when it ends): as many as the calls in flight.
      setMaxListeners(0, controller.signal);
      setTimeout(() => controller.abort(), remaining).unref();
      this.bounded = { abortSignal: controller.signal };
    }
    return this.bounded;
  }

  /**
   * The outer loop's decision after logical attempt `attempt` of `operation` failed with `error`:
   * resolves after the backoff when another attempt may be made; rejects with `error` when it is
   * not retryable or the attempts are spent, and with {@link DeadlineReachedError} when the
   * deadline has passed or the backoff would cross it. Callers that must re-read before retrying
   * (BatchDeleteImage) run their own loop with it.
   */
  async pause(operation: string, attempt: number, error: unknown): Promise<void> {
    // Nothing has ever answered: most likely a wrong endpoint or region; say so now, not after a minute.
    if (!this.answered && isConnectFailure(error) && (attempt >= this.unansweredAttempts || !isRetryable(error))) {
      throw new EndpointUnreachableError(operation, this.lastEndpoint, attempt, error);
    }
    if (!isRetryable(error) || attempt >= this.retry.maxAttempts) throw error;
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    const delay = Math.floor(this.random() * ceiling);
    // A retry that would start after the deadline could only hold the run past it.
    if (this.deadline !== undefined && this.clock() + delay >= this.deadline) throw new DeadlineReachedError(operation, error);
    this.outerRetries += 1;
    await this.sleep(delay);
  }

  private async withRetry<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        await this.pause(operation, attempt, error);
      }
    }
  }
}

/** `http://host:port/` of a request as the SDK built it, or undefined when it has no host. */
function endpointOf(request: unknown): string | undefined {
  const r = request as { protocol?: unknown; hostname?: unknown; port?: unknown; path?: unknown } | undefined;
  if (typeof r?.hostname !== 'string' || r.hostname === '') return undefined;
  const protocol = typeof r.protocol === 'string' && r.protocol !== '' ? r.protocol.replace(/:?$/, ':') : 'https:';
  const port = typeof r.port === 'number' ? `:${r.port}` : '';
  const path = typeof r.path === 'string' && r.path !== '' ? r.path : '/';
  return `${protocol}//${r.hostname}${port}${path}`;
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
