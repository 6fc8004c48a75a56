/**
 * In-memory in-use sources for engine tests: they implement the port (`InUseSourceReader`) the
 * drivers wire real readers into, not an SDK. Each scan answers from a script, so a test can
 * change what is in use between the first scan and a rescan, or make a rescan fail.
 */
import type { InUseSource, InUseUsage } from '../../../lib/core/in-use.js';
import { InUseSourceError } from '../../../lib/engine/errors.js';
import type { InUseScan, InUseSourceReader } from '../../../lib/engine/types.js';

/** The emulator's registry: account 123456789012, the fixtures' Region us-east-1. */
export const HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** What scan number `n` (1-based) answers: usages, or an error to throw. */
export type ScanScript = (n: number) => InUseUsage[] | Error;

export interface ScriptedReader extends InUseSourceReader {
  /** Scans made so far. */
  readonly scans: number;
}

/** A reader of `source` answering each scan from `script`. */
export function scriptedReader(source: InUseSource, label: string, script: ScanScript): ScriptedReader {
  let scans = 0;
  return {
    source,
    label,
    get scans() {
      return scans;
    },
    async scan(): Promise<InUseScan> {
      scans += 1;
      const answer = script(scans);
      if (answer instanceof Error) throw answer;
      return { usages: answer, calls: { [`${source}:Scan`]: 1 } };
    },
  };
}

/** A reader that always finds `usages`. */
export function fixedReader(source: InUseSource, label: string, usages: InUseUsage[]): ScriptedReader {
  return scriptedReader(source, label, () => usages);
}

/** An ECS usage of `reference` by `consumer`. */
export function ecs(consumer: string, reference: string): InUseUsage {
  return { consumer, source: 'ecs', reference };
}

/** The error a real ECS reader throws when a cluster cannot be read. */
export function accessDenied(location = 'cluster prod'): InUseSourceError {
  return new InUseSourceError('ecs', 'AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/sweeper is not authorized to perform: ecs:ListTasks', {
    location,
  });
}
