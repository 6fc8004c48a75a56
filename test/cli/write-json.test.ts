/**
 * `--format json` of a huge result is written in pieces that wait for the stream: the text is
 * JSON.stringify's, and a slow reader never makes the whole document queue in memory.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeJson } from '../../lib/cli/write-json.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

describe('writeJson', () => {
  it('writes JSON.stringify(value, null, 2) and a newline, in pieces, waiting for a slow stream to drain', async () => {
    const result = buildSampleResult({ extraRepositories: 40, imagesPerExtraRepository: 500 });
    const writes: string[] = [];
    let queuedMax = 0;
    let queued = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        queued -= chunk.length;
        writes.push(chunk.toString());
        setImmediate(done);
      },
    });
    const originalWrite = slow.write.bind(slow);
    slow.write = ((chunk: string) => {
      queued += Buffer.byteLength(chunk);
      queuedMax = Math.max(queuedMax, queued);
      return originalWrite(chunk);
    }) as typeof slow.write;
    await writeJson(slow, result);
    await new Promise<void>((resolve) => slow.end(resolve));
    const text = writes.join('');
    expect(text).toBe(`${JSON.stringify(result, null, 2)}\n`);
    expect(writes.length).toBeGreaterThan(3);
    // Never more than about one piece waiting in the stream, not the document.
    expect(queuedMax).toBeLessThan(text.length / 3);
  });
});
