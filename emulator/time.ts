/**
 * Times in state files and options: ISO-8601, or relative to the emulator's now (`-10d`, `-36h`).
 */
import { EmulatorStateError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE_RE = /^([+-])(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Epoch ms of a state-file time. `now` anchors relative values. Throws EmulatorStateError naming
 * `path` when the value is neither ISO-8601 nor relative.
 */
export function parseStateTime(value: unknown, now: number, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') {
    throw new EmulatorStateError(path, `expected an ISO-8601 time or a relative one like "-10d", got ${JSON.stringify(value)}`);
  }
  const rel = RELATIVE_RE.exec(value);
  if (rel) {
    const amount = Number(rel[2]) * (UNIT_MS[rel[3] as string] as number);
    return Math.round(rel[1] === '-' ? now - amount : now + amount);
  }
  if (ISO_RE.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new EmulatorStateError(
    path,
    `"${value}" is not a time: use ISO-8601 (2026-01-31T12:00:00Z) or relative to now (-10d, -36h, -90m, -30s)`,
  );
}

/** Epoch ms of a `now` option: ISO-8601 string, Date or epoch ms. */
export function parseNowOption(value: string | number | Date, path = 'now'): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new EmulatorStateError(path, 'invalid Date');
    return ms;
  }
  return parseStateTime(value, Date.now(), path);
}

/** Epoch ms → the wire's epoch seconds (fractional). */
export function toEpochSeconds(ms: number): number {
  return ms / 1000;
}
