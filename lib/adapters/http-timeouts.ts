/**
 * Connection and request timeouts for every AWS client (ECR, S3, SSM, Secrets Manager). The SDK's
 * Node handler waits forever by default: a request the server accepts and never answers would
 * hold a sweep past its deadline until Lambda killed it, with no result, report or alarm.
 * A timed-out request fails with `TimeoutError` (code `ETIMEDOUT`), which the SDK and the
 * engine's outer retry loop retry like a 5xx.
 */
import type { NodeHttpHandlerOptions } from '@smithy/types';
import { ConfigError } from '../errors.js';

/** Time to establish the TCP (and TLS) connection, ms. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
/** Time for the whole request and response, ms; the slowest ECR answer (1000 image details) is far below it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The variables {@link httpTimeoutsFromEnv} reads. */
export const CONNECTION_TIMEOUT_ENV = 'ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS';
export const REQUEST_TIMEOUT_ENV = 'ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS';

/** Timeouts of one client; unset means the default above. */
export interface HttpTimeouts {
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * The SDK `requestHandler` settings for these timeouts: the SDK builds its Node handler from them.
 * `throwOnRequestTimeout` is what makes a late answer an error (without it the handler only logs).
 *
 * @example new S3Client({ requestHandler: requestHandlerOptions({ requestTimeoutMs: 10_000 }) })
 * @throws ConfigError when a timeout is not a positive integer.
 */
export function requestHandlerOptions(timeouts: HttpTimeouts = {}): NodeHttpHandlerOptions {
  return {
    connectionTimeout: checked(timeouts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS, 'connectionTimeoutMs'),
    requestTimeout: checked(timeouts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs'),
    throwOnRequestTimeout: true,
  };
}

/**
 * Timeouts from `ECR_SWEEPER_HTTP_CONNECTION_TIMEOUT_MS` and `ECR_SWEEPER_HTTP_REQUEST_TIMEOUT_MS`
 * (blank = default).
 *
 * @throws ConfigError naming the variable when it is not a positive integer of milliseconds.
 */
export function httpTimeoutsFromEnv(env: Readonly<Record<string, string | undefined>>): HttpTimeouts {
  const out: HttpTimeouts = {};
  const connection = fromEnv(env, CONNECTION_TIMEOUT_ENV);
  const request = fromEnv(env, REQUEST_TIMEOUT_ENV);
  if (connection !== undefined) out.connectionTimeoutMs = connection;
  if (request !== undefined) out.requestTimeoutMs = request;
  return out;
}

function fromEnv(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} must be a whole number of milliseconds (1 or more); got '${raw}'`);
  return n;
}

function checked(ms: number, name: string): number {
  if (!Number.isInteger(ms) || ms < 1) throw new ConfigError(`${name} must be a whole number of milliseconds (1 or more); got ${String(ms)}`);
  return ms;
}
