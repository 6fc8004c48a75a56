/**
 * fast-check generators of valid `inUse:` blocks (plain objects, ready for YAML.stringify), and the
 * settings each must give, computed here from the docs' description of every key rather than by
 * the parser's code.
 */
import fc from 'fast-check';
import type { InUseSettings } from '../../lib/core/rules-model.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** A duration text within [minMs, maxMs], in any unit that can express a value there. */
export function durationWithin(minMs: number, maxMs: number): fc.Arbitrary<{ text: string; ms: number }> {
  const units = (Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]).filter((u) => Math.ceil(minMs / UNIT_MS[u]) <= Math.floor(maxMs / UNIT_MS[u]));
  return fc
    .constantFrom(...units)
    .chain((u) => fc.integer({ min: Math.ceil(minMs / UNIT_MS[u]), max: Math.floor(maxMs / UNIT_MS[u]) }).map((n) => ({ text: `${n}${u}`, ms: n * UNIT_MS[u] })));
}

const count = fc.integer({ min: 1, max: 100 });
const clusterGlob = fc.stringMatching(/^[A-Za-z0-9_*?-]{1,24}$/);
const bucket = fc
  .stringMatching(/^[a-z0-9][a-z0-9.-]{1,30}[a-z0-9]$/)
  .filter((b) => !b.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(b) && !/^(xn--|sthree-|amzn-s3-demo-)/.test(b));
const location = fc.oneof(
  fc.stringMatching(/^(\.\/)?[a-z0-9_-]{1,12}(\/[a-z0-9_.-]{1,12}){0,2}$/),
  fc.tuple(bucket, fc.stringMatching(/^([a-z0-9-]{1,10}\/){0,3}$/)).map(([b, p]) => `s3://${b}/${p}`),
);
const sourceName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/);

type Toggle<T> = boolean | T | undefined;
export interface InUseBlock {
  ecs?: Toggle<{ clusters?: string[]; taskDefinitionRevisions?: number }>;
  lambda?: Toggle<{ versions?: number }>;
  batch?: boolean;
  apprunner?: boolean;
  files?: Toggle<{ locations?: string[]; maxAge?: { text: string; ms: number }; expect?: string[] }>;
  rescanAfter?: { text: string; ms: number };
}

const toggle = <T>(settings: fc.Arbitrary<T>) => fc.oneof(fc.boolean(), fc.constant({}), settings);

/** A valid `inUse:` block, every key optional, durations carried with their milliseconds. */
export const inUseBlockArb: fc.Arbitrary<InUseBlock> = fc.record(
  {
    ecs: toggle(fc.record({ clusters: fc.array(clusterGlob, { minLength: 1, maxLength: 4 }), taskDefinitionRevisions: count }, { requiredKeys: [] })),
    lambda: toggle(fc.record({ versions: count }, { requiredKeys: [] })),
    batch: fc.boolean(),
    apprunner: fc.boolean(),
    files: toggle(
      fc.record(
        {
          locations: fc.array(location, { minLength: 1, maxLength: 4 }),
          maxAge: durationWithin(60_000, 7 * 86_400_000),
          expect: fc.array(sourceName, { minLength: 1, maxLength: 4 }),
        },
        { requiredKeys: [] },
      ),
    ),
    rescanAfter: durationWithin(60_000, 3_600_000),
  },
  { requiredKeys: [] },
);

/** The block as YAML would hold it: durations as their text. */
export function inUseBlockDocument(block: InUseBlock): Record<string, unknown> {
  const out: Record<string, unknown> = { ...block };
  if (block.rescanAfter) out.rescanAfter = block.rescanAfter.text;
  if (typeof block.files === 'object' && block.files.maxAge) out.files = { ...block.files, maxAge: block.files.maxAge.text };
  return out;
}

/** What docs/rules.md says the block means. */
export function expectedInUseSettings(block: InUseBlock): InUseSettings {
  const settings = <T>(value: Toggle<T>, onByDefault: boolean): T | null =>
    value === undefined ? (onByDefault ? ({} as T) : null) : value === false ? null : value === true ? ({} as T) : value;
  const ecs = settings(block.ecs, true);
  const lambda = settings(block.lambda, true);
  const files = settings(block.files, false);
  return {
    ecs: ecs ? { clusters: ecs.clusters ?? null, taskDefinitionRevisions: ecs.taskDefinitionRevisions ?? 5 } : false,
    lambda: lambda ? { versions: lambda.versions ?? 5 } : false,
    batch: block.batch ?? false,
    apprunner: block.apprunner ?? false,
    files: files ? { locations: files.locations ?? [], maxAgeMs: files.maxAge?.ms ?? 86_400_000, expect: files.expect ?? [] } : null,
    rescanAfterMs: block.rescanAfter?.ms ?? 300_000,
  };
}
