/**
 * `--format json` output of a document that may hold a million images: written to the stream in
 * pieces of about a MiB, waiting for the stream to drain, so the document is never one string
 * (V8 refuses strings past ~512 MiB) and never all queued in the stream's buffer.
 */
import { once } from 'node:events';
import { jsonChunks } from '../core/json-chunks.js';
import type { OutStream } from './io.js';

const PIECE_SIZE = 1 << 20;

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` plus a newline to `stream`, in pieces.
 *
 * @example
 * ```ts
 * if (format === 'json') await writeJson(io.stdout, result);
 * ```
 */
export async function writeJson(stream: OutStream, value: unknown): Promise<void> {
  let buffer: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    if (size === 0) return;
    const text = buffer.join('');
    buffer = [];
    size = 0;
    if (!stream.write(text)) await once(stream, 'drain');
  };
  for (const piece of jsonChunks(value)) {
    buffer.push(piece);
    size += piece.length;
    if (size >= PIECE_SIZE) await flush();
  }
  buffer.push('\n');
  size += 1;
  await flush();
}
