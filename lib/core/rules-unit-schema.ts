/**
 * Schemas of the unit strings a rules file writes (durations, sizes), shared by every block of the
 * file: each says what it expects the same way, and the JSON Schema shows the same pattern.
 */
import * as z from 'zod';
import { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';

export const DURATION_HELP = 'expected a duration such as 30m, 12h, 14d or 2w (a whole number and one unit: s, m, h, d, w)';
export const SIZE_HELP = 'expected a size such as 500MiB or 20GB (kB, MB, GB, TB = powers of 1000; KiB, MiB, GiB, TiB = powers of 1024)';

/**
 * A string in a unit syntax (duration, size): the help text when it is not a string or does not
 * match `pattern`, then an issue when `parse` rejects what the pattern let through (e.g. too
 * large) or `check` refuses the parsed value.
 */
export function unitStringSchema(
  help: string,
  pattern: string,
  parse: (text: string) => number,
  check: (value: number) => string | undefined = () => undefined,
) {
  return z
    .string({ error: help })
    .regex(new RegExp(pattern), { error: help, abort: true })
    .superRefine((text, ctx) => {
      try {
        const problem = check(parse(text));
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    });
}

/**
 * A duration from `minMs` to `maxMs` (inclusive); out of bounds reads
 * `rescanAfter is from 1m to 1h, got 2h`, with the value as written.
 */
export function boundedDurationSchema(what: string, minMs: number, maxMs: number) {
  return unitStringSchema(DURATION_HELP, DURATION_PATTERN, parseDuration).superRefine((text, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch {
      return; // reported by the unit schema
    }
    if (ms < minMs || ms > maxMs) ctx.addIssue({ code: 'custom', message: `${what} is from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, got ${text}` });
  });
}
