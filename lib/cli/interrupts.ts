/**
 * SIGINT and SIGTERM during `apply`: the first stops the sweep between batches (the batches in
 * flight finish), so the result is written and the command exits 130 (SIGINT) or 143 (SIGTERM);
 * a second one exits at once with the same code; the journal still holds every deletion made.
 */
import { join } from 'node:path';
import { FileJournalStore } from '../adapters/journal-file.js';
import { TeeJournalStore } from '../adapters/journal-tee.js';
import type { JournalStore } from '../engine/types.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { OutStream } from './io.js';

/** Exit code of a run interrupted by `signal` (128 + its number, as shells report it). */
export function interruptExitCode(signal: string): ExitCodeValue {
  return signal === 'SIGTERM' ? ExitCode.INTERRUPTED_SIGTERM : ExitCode.INTERRUPTED_SIGINT;
}

/** What {@link watchInterrupts} returns. */
export interface InterruptWatch {
  /** Aborted (reason: the signal's name) at the first signal; pass to the engine. */
  signal: AbortSignal;
  /** Removes the handlers; call when the sweep is over. */
  dispose(): void;
}

/**
 * Installs SIGINT/SIGTERM handlers for the length of a sweep. `beforeMessage` clears a progress
 * bar before the notice is written on `stderr`.
 */
export function watchInterrupts(stderr: OutStream, beforeMessage: () => void, proc: NodeJS.Process = process): InterruptWatch {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    beforeMessage();
    if (controller.signal.aborted) {
      stderr.write(`ecr-sweeper: ${signal} again: exiting now; the journal holds every deletion made so far.\n`);
      proc.exit(interruptExitCode(signal));
    }
    stderr.write(
      `ecr-sweeper: ${signal} received: stopping after the batches in flight, then writing the result (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to exit at once).\n`,
    );
    controller.abort(signal);
  };
  proc.on('SIGINT', handler);
  proc.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      proc.off('SIGINT', handler);
      proc.off('SIGTERM', handler);
    },
  };
}

/**
 * Where apply journals its deletions: next to the `--checkpoint` file (`<file>.journal.jsonl`),
 * where every run of the sweep finds it whatever its `--out`, with a copy in `--out DIR`
 * (`result.journal.jsonl`) when both are given; only in `--out` without a checkpoint; nowhere
 * with neither (nothing to resume or report into). `path` is where a person should look.
 */
export function journalFor(outDir: string | undefined, checkpointPath: string | undefined): { store: JournalStore; path: string } | undefined {
  const inOut = outDir !== undefined ? join(outDir, 'result.journal.jsonl') : undefined;
  const nextToCheckpoint = checkpointPath !== undefined ? `${checkpointPath}.journal.jsonl` : undefined;
  if (nextToCheckpoint !== undefined && inOut !== undefined) {
    return { store: new TeeJournalStore(new FileJournalStore(nextToCheckpoint), new FileJournalStore(inOut)), path: inOut };
  }
  const only = nextToCheckpoint ?? inOut;
  return only === undefined ? undefined : { store: new FileJournalStore(only), path: only };
}
