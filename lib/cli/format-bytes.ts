/**
 * Human-readable byte counts for terminal output: the reports' own {@link coreFormatBytes} (binary
 * units, at most one decimal), so the terminal prints a size exactly as report.html and Slack do.
 */
import { formatBytes as coreFormatBytes } from '../core/report-summary.js';

/**
 * Formats a byte count as the reports do, e.g. `1536` → `1.5 KiB`, `3 * 1024 ** 3` → `3 GiB`.
 * Null (size unknown to the registry) renders as `?`; a negative difference keeps its sign.
 *
 * @example formatBytes(3 * 1024 ** 3) // '3 GiB'
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '?';
  return bytes < 0 ? `-${coreFormatBytes(-bytes)}` : coreFormatBytes(bytes);
}
