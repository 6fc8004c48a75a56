/**
 * Human-readable byte counts for terminal output (binary units, as `du -h` and ECR's console use).
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Formats a byte count with binary units and at most one decimal, e.g. `1536` → `1.5 KiB`.
 * Null (size unknown to the registry) renders as `?`.
 *
 * @example formatBytes(3 * 1024 ** 3) // '3.0 GiB'
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${sign}${value} B`;
  // 1023.96 KiB would print as "1024.0 KiB"; promote to the next unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${sign}${value.toFixed(1)} ${UNITS[unit]}`;
}
