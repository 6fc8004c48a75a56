/**
 * The small formatters plan reasons are made of. Reasons are read by people deciding whether to
 * trust a deletion, so they use short units ("9d", "1.5 GiB") and short digests.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

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
 * A duration in the largest unit that fits, truncated to one decimal so a value never reads as
 * more than it is: 9.97 days is "9.9d", 36 hours "1.5d", 90 minutes "1.5h".
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs >= DAY) return `${sign}${trunc1(abs / DAY)}d`;
  if (abs >= HOUR) return `${sign}${trunc1(abs / HOUR)}h`;
  if (abs >= MINUTE) return `${sign}${trunc1(abs / MINUTE)}m`;
  return `${sign}${trunc1(abs / 1000)}s`;
}

function trunc1(x: number): string {
  // Integer arithmetic instead of toFixed: reasons are formatted for every image of a plan.
  const tenths = Math.floor(x * 10 + 1e-9);
  const whole = Math.floor(tenths / 10);
  const frac = tenths - whole * 10;
  return frac === 0 ? `${whole}` : `${whole}.${frac}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${trunc1(value)} ${UNITS[unit]}`;
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
