/**
 * Parsing and checking of flag values. Commander hands over strings; these turn them into the
 * engine's types or throw a `CliUsageError` naming the flag and what was expected.
 */
import { parseDuration } from '../core/duration.js';
import { CliUsageError } from './errors.js';

/** Output formats of `plan`. */
export type PlanFormat = 'table' | 'json' | 'csv';

/** `--format`: one of the allowed output formats. */
export function parseFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliUsageError(`--format must be one of ${allowed.join(', ')}; got '${value}'`);
}

/**
 * `--now`: an ISO-8601 date-time (a date alone means midnight UTC) to evaluate the rules at,
 * as epoch milliseconds.
 */
export function parseNow(value: string): number {
  const trimmed = value.trim();
  // Date.parse accepts many loose forms ("1", "March 7"); only ISO-looking input is taken.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    throw new CliUsageError(`--now must be an ISO-8601 date-time such as 2026-11-27T12:00:00Z; got '${value}'`);
  }
  const ms = Date.parse(trimmed);
  if (Number.isNaN(ms)) throw new CliUsageError(`--now is not a valid date: '${value}'`);
  return ms;
}

/** `--concurrency`: a whole number of requests in flight, 1..64. */
export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 64) {
    throw new CliUsageError(`--concurrency must be a whole number from 1 to 64; got '${value}'`);
  }
  return n;
}

/** `--target-concurrency`: targets (accounts and Regions) swept at once, 1 to 64. */
export function parseTargetConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 64) {
    throw new CliUsageError(`--target-concurrency must be a whole number from 1 to 64; got '${value}'`);
  }
  return n;
}

/**
 * `--max-duration`: how long `apply` may run before it stops cleanly between batches (`30m`,
 * `2h`), in milliseconds; the rules' duration syntax.
 */
export function parseMaxDuration(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new CliUsageError(`--max-duration: ${(error as Error).message}`, { cause: error });
  }
  if (ms <= 0) throw new CliUsageError(`--max-duration must be longer than 0; got '${value}'`);
  return ms;
}

/**
 * `--endpoint-url` (or the environment variable it came from, named in `source`): an absolute
 * http(s) URL. Checked here because the SDK only fails on the first request, with a bare
 * "Invalid URL" that reads like a listing failure rather than a setting to fix.
 */
export function parseEndpointUrl(value: string, source = '--endpoint-url'): string {
  const trimmed = value.trim();
  const usage = `${source} must be an http:// or https:// URL such as http://127.0.0.1:4566; got '${value}'`;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch (error) {
    throw new CliUsageError(usage, { cause: error });
  }
  // "localhost:4566" parses as a URL whose scheme is "localhost:".
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(usage);
  return trimmed;
}
