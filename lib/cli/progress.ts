/**
 * A progress bar on stderr while the engine lists repositories and deletes images. Only drawn when
 * stderr is a terminal: redirected output and CI logs stay free of control characters.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../engine/types.js';
import type { OutStream } from './io.js';

/** Receives the engine's progress events and draws them (or not). */
export interface ProgressReporter {
  /** Pass to `SweepDeps.onProgress`. */
  onProgress(event: ProgressEvent): void;
  /** Removes the bar; call before printing anything else or prompting. Safe to call twice. */
  stop(): void;
}

/** A reporter that draws nothing. */
export const SILENT_PROGRESS: ProgressReporter = { onProgress() {}, stop() {} };

/**
 * Returns a reporter that draws a bar per phase on `stream` when it is a TTY, else a silent one.
 */
export function createProgressReporter(stream: OutStream): ProgressReporter {
  if (!stream.isTTY) return SILENT_PROGRESS;
  let bar: cliProgress.SingleBar | null = null;
  let phase: ProgressEvent['phase'] | null = null;

  const stop = (): void => {
    bar?.stop();
    bar = null;
    phase = null;
  };

  return {
    onProgress(event) {
      if (phase !== event.phase) {
        stop();
        phase = event.phase;
        const format =
          event.phase === 'list'
            ? 'Listing  [{bar}] {value}/{total} repositories, {images} images'
            : 'Deleting [{bar}] {value}/{total} images';
        bar = new cliProgress.SingleBar(
          { stream: stream as NodeJS.WritableStream, format, clearOnComplete: true, hideCursor: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        if (event.phase === 'list') bar.start(event.repositoriesTotal, 0, { images: 0 });
        else bar.start(event.imagesTotal, 0);
      }
      if (event.phase === 'list') {
        bar?.setTotal(event.repositoriesTotal);
        bar?.update(event.repositoriesDone, { images: event.images });
      } else {
        bar?.setTotal(event.imagesTotal);
        bar?.update(event.imagesDone);
      }
    },
    stop,
  };
}
