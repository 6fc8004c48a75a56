import type { Difference } from './compare.js';
import { ABSENT } from './normalise.js';

/** What the reference requires of a field: an exact normalised value, or a pattern it must match. */
export type Matcher = string | RegExp;

/** Matches any value that is present (the reference requires the element, not a specific value). */
export const PRESENT: RegExp = /^(?!\(absent\)$)[\s\S]*$/;

/**
 * Differences already judged against the API reference: on these steps moto departs from it, and the
 * emulator must not.
 *
 * Each `fields` pair maps a field pattern to what the reference requires of that field on this step. A
 * difference is a known moto deviation only when the emulator's value satisfies the requirement and
 * moto's does not; anything else fails the run.
 */
export interface KnownDeviation {
  readonly id: string;
  /** Matches scenario step names (e.g. /put-image \(manifest A/). */
  readonly step: RegExp;
  /** Field pattern (exact path or RegExp) → what the reference requires; the first matching pair decides. */
  readonly fields: ReadonlyArray<readonly [string | RegExp, Matcher]>;
  /** One line: what the reference says, and where. */
  readonly why: string;
}

/** How a difference was judged. Only `moto-deviation` lets the run pass. */
export type VerdictKind = 'moto-deviation' | 'emulator-departs' | 'unclassified';

/** The judgement of one difference, with the text printed in the table's verdict column. */
export interface Verdict {
  readonly kind: VerdictKind;
  readonly text: string;
  readonly deviationId?: string;
  /** The matched entry's justification, printed once per id under the table. */
  readonly why?: string;
}

/** Tests a value against a {@link Matcher}. */
export function satisfies(matcher: Matcher, value: string): boolean {
  return typeof matcher === 'string' ? value === matcher : matcher.test(value);
}

/**
 * Judges one difference against the table of known moto deviations.
 *
 * The first entry whose step pattern and one of whose field patterns match decides. No entry means nobody has compared this
 * behaviour with the reference yet, which fails the run until someone classifies it.
 */
export function classify(difference: Difference, table: readonly KnownDeviation[]): Verdict {
  let entry: KnownDeviation | undefined;
  let requirement: Matcher | undefined;
  for (const candidate of table) {
    if (!candidate.step.test(difference.step)) continue;
    const pair = candidate.fields.find(([field]) =>
      typeof field === 'string' ? field === difference.field : field.test(difference.field),
    );
    if (pair !== undefined) {
      entry = candidate;
      requirement = pair[1];
      break;
    }
  }
  if (entry === undefined || requirement === undefined) {
    return {
      kind: 'unclassified',
      text: 'UNCLASSIFIED: compare with the reference, then fix the emulator or list it in scenarios/known-moto-deviations.ts',
    };
  }
  const emulatorOk = satisfies(requirement, difference.emulator);
  if (!emulatorOk) {
    return {
      kind: 'emulator-departs',
      text: `EMULATOR departs: reference requires ${describe(requirement)} [${entry.id}]`,
      deviationId: entry.id,
      why: entry.why,
    };
  }
  if (satisfies(requirement, difference.moto)) {
    // Both satisfy a loose requirement yet differ: the entry no longer explains this difference.
    return {
      kind: 'unclassified',
      text: `UNCLASSIFIED: both sides satisfy ${entry.id} but differ; tighten or split that entry`,
      deviationId: entry.id,
    };
  }
  return { kind: 'moto-deviation', text: `moto deviates [${entry.id}]`, deviationId: entry.id, why: entry.why };
}

function describe(matcher: Matcher): string {
  if (matcher === PRESENT) return 'the element to be present';
  if (matcher === ABSENT) return 'the element to be absent';
  return typeof matcher === 'string' ? `"${matcher}"` : String(matcher);
}
