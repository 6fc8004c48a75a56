/**
 * Sizes in rules files: `500MiB`, `20GB`, `1.5GiB`, `123B`. Decimal units (kB/KB, MB, GB, TB)
 * are powers of 1000, binary units (KiB, MiB, GiB, TiB) powers of 1024, as in IEC 80000-13;
 * ECR's `imageSizeInBytes` is plain bytes, so the distinction matters for budgets.
 */
import { EcrSweeperError } from '../errors.js';

const UNIT_BYTES: Record<string, bigint> = {
  B: 1n,
  kB: 1000n,
  KB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  KiB: 1024n,
  MiB: 1024n ** 2n,
  GiB: 1024n ** 3n,
  TiB: 1024n ** 4n,
};

/** Source of the size syntax, shared with the JSON Schema. */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?\\s?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$';

const SIZE_RE = /^([0-9]+)(?:\.([0-9]+))?\s?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;

/** Thrown by {@link parseSize}; callers turn it into a positioned rules issue. */
export class SizeSyntaxError extends EcrSweeperError {}

/**
 * Parses `500MiB`-style text into a whole number of bytes. Exact arithmetic (BigInt), so
 * `1.1GB` is exactly 1,100,000,000 and never 1,099,999,999.
 *
 * @example parseSize('20GB') // 20_000_000_000
 * @throws SizeSyntaxError for unknown units, missing units, or a fraction of a byte.
 */
export function parseSize(text: string): number {
  const match = SIZE_RE.exec(text.trim());
  if (!match) {
    throw new SizeSyntaxError(
      `expected a size such as 500MiB or 20GB (units: B, kB, MB, GB, TB = powers of 1000; KiB, MiB, GiB, TiB = powers of 1024), got ${JSON.stringify(text)}`,
    );
  }
  const [, whole = '0', fraction = '', unit = 'B'] = match;
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(whole) * scale + BigInt(fraction || '0')) * (UNIT_BYTES[unit] ?? 1n);
  if (scaled % scale !== 0n) {
    throw new SizeSyntaxError(`size ${JSON.stringify(text)} is not a whole number of bytes`);
  }
  const bytes = scaled / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SizeSyntaxError(`size ${JSON.stringify(text)} is too large`);
  }
  return Number(bytes);
}

/**
 * Formats bytes with the largest binary or decimal unit that divides them exactly, preferring
 * binary units on ties (`1048576` → `1MiB`, `20000000000` → `20GB`, `1001` → `1001B`).
 */
export function formatSize(bytes: number): string {
  const b = BigInt(bytes);
  for (const unit of ['TiB', 'TB', 'GiB', 'GB', 'MiB', 'MB', 'KiB', 'kB'] as const) {
    const size = UNIT_BYTES[unit] ?? 1n;
    if (b !== 0n && b % size === 0n) return `${b / size}${unit}`;
  }
  return `${bytes}B`;
}
