/**
 * The CLI's garbage-collection setting (lib/cli/heap-growth.ts): a fixed V8 heap growing factor,
 * never a heap limit, and a --heap-growing-percent given to node wins; bin/ecr-sweeper.js sets it
 * before the CLI loads.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectGarbageSooner, HEAP_GROWING_PERCENT } from '../../lib/cli/heap-growth.js';

describe('collectGarbageSooner', () => {
  it('sets the heap growing factor, and nothing that limits the heap', () => {
    const set: string[] = [];
    expect(collectGarbageSooner(['--import', 'tsx'], (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(set.join(' ')).not.toMatch(/max-old-space|max-heap|semi-space/);
  });

  it.each([['--heap-growing-percent=0'], ['--heap_growing_percent=80'], ['--heap-growing-percent']])('leaves the factor node was given (%s)', (arg) => {
    const set: string[] = [];
    expect(collectGarbageSooner(['--expose-gc', arg], (flags) => set.push(flags))).toBe(false);
    expect(set).toEqual([]);
  });

  it('is called by the bin entry before the CLI is imported', () => {
    const bin = readFileSync(new URL('../../bin/ecr-sweeper.js', import.meta.url), 'utf8');
    const call = bin.indexOf('collectGarbageSooner();');
    expect(call).toBeGreaterThan(0);
    expect(call).toBeLessThan(bin.indexOf("import('../lib/cli/main.ts')"));
  });
});
