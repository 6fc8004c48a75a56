/**
 * The small formatters plan reasons are made of. Reasons are read by people deciding whether to
 * trust a deletion, so they use short units ("9d", "1.5 GiB") and short digests, and an age
 * compared with a threshold is printed precisely enough that the comparison reads true.
 */
import { formatDuration, type Duration, type FormatDistanceToken, type Locale } from 'date-fns';
import { millisecondsInDay, millisecondsInHour, millisecondsInMinute, millisecondsInSecond } from 'date-fns/constants';

/** "1st", "2nd", "3rd", "11th", "23rd". */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/**
 * A duration as reasons print it: days, hours, minutes and seconds, from the largest unit that is
 * not zero down to the smallest, zeros between included ("1d 0h 30m"); below a second, decimals of
 * seconds ("0.25s"). Exact, so a threshold reads as the rule wrote it (`2w` prints as "14d").
 *
 * @example formatSpan(90 * 60_000) // '1h 30m'
 */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  let last = STEPS.length - 1;
  while (last > 0 && abs % STEPS[last - 1]! === 0) last--;
  return spanText(ms, last);
}

/**
 * An age and the threshold it is compared with ("pushed <age> ago > <threshold>"), printed so the
 * comparison reads as true as it is. The threshold prints exactly ({@link formatSpan}); the age is
 * truncated (it never reads as more than it is) to its largest unit, and, when it exceeds the
 * threshold, to as many finer units as it takes to read greater: 14 days and 9 seconds against
 * 14d prints "14d 0h 0m 9s", never "14d". An age at or under the threshold needs no more: its
 * truncation is at or under it too.
 *
 * @example formatAgeAgainst(14 * 86_400_000 + 9_000, 14 * 86_400_000) // { age: '14d 0h 0m 9s', threshold: '14d' }
 */
export function formatAgeAgainst(ageMs: number, thresholdMs: number): { age: string; threshold: string } {
  const abs = Math.abs(ageMs);
  let step = 0;
  while (step < STEPS.length - 1 && abs < STEPS[step]!) step++;
  if (ageMs > thresholdMs) {
    while (step < STEPS.length - 1 && abs - (abs % STEPS[step]!) <= thresholdMs) step++;
  }
  return { age: spanText(ageMs, step), threshold: formatSpan(thresholdMs) };
}

// Precision steps of a printed span: day, hour, minute, second, then tenths to thousandths of a
// second. The first four are the units; the rest print as decimals of seconds.
const STEPS = [millisecondsInDay, millisecondsInHour, millisecondsInMinute, millisecondsInSecond, 100, 10, 1] as const;
const UNITS = ['days', 'hours', 'minutes', 'seconds'] as const;
const SUFFIX: Partial<Record<FormatDistanceToken, string>> = { xDays: 'd', xHours: 'h', xMinutes: 'm', xSeconds: 's' };
// date-fns's formatDuration with short units: "1d 2h", as reasons have always read.
const SHORT_UNITS: Pick<Locale, 'formatDistance'> = {
  formatDistance: (token, count) => `${count}${SUFFIX[token] ?? ` ${token}`}`,
};

// Reasons print the same few spans for many images (ages truncated to whole days, a rule's
// threshold), and building one through formatDuration costs more than the rest of a reason:
// each text is remembered per precision step, by its signed truncated value. Bounded like
// isoTime's day cache, so odd input cannot grow it without limit.
const MAX_CACHED_SPANS = 10_000;
const spanCache: Map<number, string>[] = STEPS.map(() => new Map<number, string>());

/** `ms` truncated towards zero to a multiple of STEPS[step], from its largest non-zero unit down. */
function spanText(ms: number, step: number): string {
  const abs = Math.abs(ms);
  const kept = abs - (abs % STEPS[step]!);
  if (kept === 0) return '0s';
  const cache = spanCache[step]!;
  const key = ms < 0 ? -kept : kept;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const text = formatSpanText(ms, kept, step);
  if (cache.size >= MAX_CACHED_SPANS) cache.clear();
  cache.set(key, text);
  return text;
}

/** What {@link spanText} prints for `ms`, truncated to `kept` (not zero). */
function formatSpanText(ms: number, kept: number, step: number): string {
  const days = Math.floor(kept / millisecondsInDay);
  const hours = Math.floor((kept % millisecondsInDay) / millisecondsInHour);
  const minutes = Math.floor((kept % millisecondsInHour) / millisecondsInMinute);
  // Whole milliseconds divided by 1000 print as their shortest decimal: 9300 → 9.3.
  const seconds = (kept % millisecondsInMinute) / millisecondsInSecond;
  const values = [days, hours, minutes, seconds];
  let first = 0;
  while (values[first] === 0) first++;
  const duration: Duration = {};
  for (let u = first; u <= Math.min(step, UNITS.length - 1); u++) duration[UNITS[u]!] = values[u];
  const text = formatDuration(duration, { format: [...UNITS], zero: true, locale: SHORT_UNITS });
  return ms < 0 ? `-${text}` : text;
}

function trunc1(x: number): string {
  // Integer arithmetic instead of toFixed: reasons are formatted for every image of a plan.
  const tenths = Math.floor(x * 10 + 1e-9);
  const whole = Math.floor(tenths / 10);
  const frac = tenths - whole * 10;
  return frac === 0 ? `${whole}` : `${whole}.${frac}`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${trunc1(value)} ${BYTE_UNITS[unit]}`;
}

/** "sha256:0123456789ab…" — enough to find the digest, short enough to read. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  const hex = colon >= 0 ? digest.slice(colon + 1) : digest;
  return hex.length > 12 ? `${digest.slice(0, colon + 1)}${hex.slice(0, 12)}…` : digest;
}

/** 'a', 'b' → "'a', 'b'" (at most `limit` items, then "and N more"). */
export function quoteList(items: readonly string[], limit = 3): string {
  const shown = items.slice(0, limit).map((s) => `'${s}'`).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

/**
 * Returns `s` after asking V8 to flatten it. A reason built by concatenation is a rope of many
 * small strings; flattened it takes less than half the memory, which matters when a plan of a
 * million images is held before execution. Reading one character is what triggers flattening.
 */
export function flatString(s: string): string {
  s.charCodeAt(0);
  return s;
}
