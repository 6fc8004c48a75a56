/**
 * Writing a large text to a local file from its pieces, atomically (temp file, then rename), in
 * writes of about a MiB: the text is never held whole, and an interrupted write leaves the old
 * file (or none), never half a file.
 */
import { open, rename, rm } from 'node:fs/promises';

/** Pieces are gathered up to this many characters before each write. */
const WRITE_SIZE = 1 << 20;

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
      let buffer: string[] = [];
      let size = 0;
      for (const piece of pieces) {
        buffer.push(piece);
        size += piece.length;
        if (size >= WRITE_SIZE) {
          await handle.write(buffer.join(''));
          buffer = [];
          size = 0;
        }
      }
      if (size > 0) await handle.write(buffer.join(''));
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
