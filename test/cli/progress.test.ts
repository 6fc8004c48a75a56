import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressReporter, SILENT_PROGRESS } from '../../lib/cli/progress.js';

function stream(tty: boolean) {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  Object.assign(s, { isTTY: tty, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { s, text: () => chunks.join('') };
}

describe('createProgressReporter', () => {
  it('is silent when stderr is not a terminal', () => {
    const { s, text } = stream(false);
    const reporter = createProgressReporter(s);
    expect(reporter).toBe(SILENT_PROGRESS);
    reporter.onProgress({ phase: 'list', repositoriesDone: 1, repositoriesTotal: 2, images: 10 });
    reporter.stop();
    expect(text()).toBe('');
  });

  it('draws the listing and then the deleting bar on a terminal', () => {
    const { s, text } = stream(true);
    const reporter = createProgressReporter(s);
    reporter.onProgress({ phase: 'list', repositoriesDone: 1, repositoriesTotal: 2, images: 10 });
    reporter.onProgress({ phase: 'list', repositoriesDone: 2, repositoriesTotal: 2, images: 25 });
    reporter.onProgress({ phase: 'delete', imagesDone: 3, imagesTotal: 7 });
    reporter.stop();
    reporter.stop();
    expect(text()).toContain('Listing');
    expect(text()).toContain('repositories');
    expect(text()).toContain('Deleting');
  });
});
