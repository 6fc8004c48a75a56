/**
 * SIGINT and SIGTERM during `apply`: the first stops the sweep between batches (the batches in
 * flight finish), so the result is written and the command exits 130 (SIGINT) or 143 (SIGTERM);
 * a second one exits at once with the same code; the journal still holds every deletion made.
 */
import { join } from 'node:path';
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
 * Where apply journals its deletions: `result.journal.jsonl` in `--out DIR`, else next to the
 * `--checkpoint` file (`<file>.journal.jsonl`), else nowhere (nothing to resume or report into).
 */
export function journalPathFor(outDir: string | undefined, checkpointPath: string | undefined): string | undefined {
  if (outDir !== undefined) return join(outDir, 'result.journal.jsonl');
  if (checkpointPath !== undefined) return `${checkpointPath}.journal.jsonl`;
  return undefined;
}
