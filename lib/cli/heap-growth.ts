/**
 * How the CLI's own process collects garbage. When memory is plentiful V8 lets its old generation
 * grow to up to four times the live set before a full collection, so a sweep whose live set stays
 * near 100 MiB still peaked at 540-580 MiB RSS on a million images (docs/engine.md#memory). A fixed
 * growth factor makes V8 collect sooner. It is not a heap limit: a run whose live set is larger
 * still gets the memory it needs, up to V8's own limit, at the cost of more collections (CPU).
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this much over the live set before the next full collection. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor for this process, unless node was started with a
 * `--heap-growing-percent` of its own (that one wins). Called by `bin/ecr-sweeper.js` before the
 * CLI loads, and by `npm run bench:memory`, which measures what the CLI does.
 *
 * @example
 * ```ts
 * collectGarbageSooner(); // node's flags otherwise as given
 * ```
 */
export function collectGarbageSooner(execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = setFlagsFromString): boolean {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return false;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
