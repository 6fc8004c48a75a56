import type { Difference } from './compare.js';
import { ABSENT } from './normalise.js';

/** What the reference requires of a field: an exact normalised value, or a pattern it must match. */
export type Matcher = string | RegExp;

/** Matches any value that is present (the reference requires the element, not a specific value). */
export const PRESENT: RegExp = /^(?!\(absent\)$)[\s\S]*$/;

/**
 * A difference already judged against the API reference: moto departs from it, the emulator must not.
 *
 * `reference` is what the reference requires of the field. A difference is a known moto deviation
 * only when the emulator's value satisfies it and moto's does not; anything else fails the run.
 */
export interface KnownDeviation {
  readonly id: string;
  /** Matches scenario step names (e.g. /^put-image /). */
  readonly step: RegExp;
  /** Matches flat field paths (e.g. /^imageDetails\[\d+\]\.imageSizeInBytes$/). */
  readonly field: RegExp;
  readonly reference: Matcher;
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
}

/** Tests a value against a {@link Matcher}. */
export function satisfies(matcher: Matcher, value: string): boolean {
  return typeof matcher === 'string' ? value === matcher : matcher.test(value);
}

/**
 * Judges one difference against the table of known moto deviations.
 *
 * The first entry whose step and field patterns match decides. No entry means nobody has compared this
 * behaviour with the reference yet, which fails the run until someone classifies it.
 */
export function classify(difference: Difference, table: readonly KnownDeviation[]): Verdict {
  const entry = table.find((d) => d.step.test(difference.step) && d.field.test(difference.field));
  if (entry === undefined) {
    return {
      kind: 'unclassified',
      text: 'UNCLASSIFIED: compare with the reference, then fix the emulator or list it in scenarios/known-moto-deviations.ts',
    };
  }
  const emulatorOk = satisfies(entry.reference, difference.emulator);
  if (!emulatorOk) {
    return {
      kind: 'emulator-departs',
      text: `EMULATOR departs: reference requires ${describe(entry.reference)} (${entry.why})`,
      deviationId: entry.id,
    };
  }
  if (satisfies(entry.reference, difference.moto)) {
    // Both satisfy a loose requirement yet differ: the entry no longer explains this difference.
    return {
      kind: 'unclassified',
      text: `UNCLASSIFIED: both sides satisfy ${entry.id} but differ; tighten or split that entry`,
      deviationId: entry.id,
    };
  }
  return { kind: 'moto-deviation', text: `moto deviates [${entry.id}]: ${entry.why}`, deviationId: entry.id };
}

function describe(matcher: Matcher): string {
  if (matcher === PRESENT) return 'the element to be present';
  if (matcher === ABSENT) return 'the element to be absent';
  return typeof matcher === 'string' ? `"${matcher}"` : String(matcher);
}
