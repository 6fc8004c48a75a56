import { ABSENT, type Fields } from './normalise.js';

/** The normalised outcome of one scenario step on one implementation. */
export interface StepObservation {
  /** Unique within a run; steps of the two runs are paired by this name. */
  readonly step: string;
  readonly fields: Fields;
  /** Wall time of the step, for finding slow steps; never compared. */
  readonly ms?: number;
}

/** One field on which the two implementations disagree. */
export interface Difference {
  readonly step: string;
  readonly field: string;
  readonly emulator: string;
  readonly moto: string;
}

/** Marks a whole step that one side ran and the other did not (a scenario bug, never expected). */
export const STEP_FIELD = '(step)';

/**
 * Lists every field where the two runs differ, in scenario order. A field only one side returned is
 * compared against {@link ABSENT}, so a missing response element is a difference like any other.
 */
export function diffObservations(
  emulator: readonly StepObservation[],
  moto: readonly StepObservation[],
): Difference[] {
  const motoByStep = new Map(moto.map((o) => [o.step, o]));
  const emulatorSteps = new Set(emulator.map((o) => o.step));
  const differences: Difference[] = [];
  for (const emu of emulator) {
    const other = motoByStep.get(emu.step);
    if (other === undefined) {
      differences.push({ step: emu.step, field: STEP_FIELD, emulator: 'ran', moto: ABSENT });
      continue;
    }
    const fields = [...Object.keys(emu.fields)];
    for (const key of Object.keys(other.fields)) if (!(key in emu.fields)) fields.push(key);
    for (const field of fields) {
      const a = emu.fields[field] ?? ABSENT;
      const b = other.fields[field] ?? ABSENT;
      if (a !== b) differences.push({ step: emu.step, field, emulator: a, moto: b });
    }
  }
  for (const other of moto) {
    if (!emulatorSteps.has(other.step)) {
      differences.push({ step: other.step, field: STEP_FIELD, emulator: ABSENT, moto: 'ran' });
    }
  }
  return differences;
}
