/**
 * Writing a large text to a local file from its pieces, atomically (temp file, then rename), in
 * writes of about a MiB: the text is never held whole, and an interrupted write leaves the old
 * file (or none), never half a file.
 */
import { open, rename, rm } from 'node:fs/promises';

/** Pieces are gathered up to this many characters before each write. */
const WRITE_SIZE = 1 << 20;

/**
 * `pieces` joined into strings of at least `size` characters (the last one shorter): a writer
 * makes one call per MiB, not one per image, and holds about a MiB of text at a time.
 */
export function* gatheredPieces(pieces: Iterable<string>, size: number = WRITE_SIZE): Generator<string> {
  let buffer: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    buffer.push(piece);
    length += piece.length;
    if (length >= size) {
      yield buffer.join('');
      buffer = [];
      length = 0;
    }
  }
  if (length > 0) yield buffer.join('');
}

/**
 * Writes `pieces` to `file` through a temp file next to it, then renames it into place.
 * The folder must exist. On any error the temp file is removed and the error thrown.
 *
 * @example
 * ```ts
 * await writeChunksAtomic('out/result.csv', resultCsvLines(result));
 * ```
 */
export async function writeChunksAtomic(file: string, pieces: Iterable<string>): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      for (const text of gatheredPieces(pieces)) await handle.write(text);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
