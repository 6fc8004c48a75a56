/**
 * Checkpoint store for the CLI: a small index file and, in the folder `<file>.plans/` beside it,
 * one part per stored repository plan (`checkpoint-parts.ts`), each written atomically (temp
 * file + rename) so a run killed mid-write never leaves a half-written checkpoint. An older
 * checkpoint holding its plans inline is still read.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint, CheckpointStore } from '../engine/types.js';
import { PartedCheckpoint } from './checkpoint-parts.js';

/** A {@link CheckpointStore} backed by a local file and a folder of plan parts beside it. */
export class FileCheckpointStore implements CheckpointStore {
  private readonly parted: PartedCheckpoint;

  constructor(private readonly path: string) {
    const parts = `${path}.plans`;
    this.parted = new PartedCheckpoint({
      where: `file ${path}`,
      wherePart: (name) => `file ${join(parts, name)}`,
      readIndex: async () => {
        try {
          return await readFile(path, 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw new CheckpointError(`cannot read checkpoint file ${path}`, { cause: error });
        }
      },
      writeIndex: (text) => writeAtomic(path, text, `cannot write checkpoint file ${path}`),
      readPart: (name) => readFile(join(parts, name), 'utf8'),
      writePart: (name, text) => writeAtomic(join(parts, name), text, `cannot write checkpoint part ${join(parts, name)}`),
      clear: async () => {
        try {
          await rm(path, { force: true });
          await rm(parts, { recursive: true, force: true });
        } catch (error) {
          throw new CheckpointError(`cannot remove checkpoint file ${path}`, { cause: error });
        }
      },
    });
  }

  /** The checkpoint, or null when there is none. */
  load(): Promise<Checkpoint | null> {
    return this.parted.load();
  }

  /** Replaces the checkpoint: the plans not stored yet, then the index. */
  save(checkpoint: Checkpoint): Promise<void> {
    return this.parted.save(checkpoint);
  }

  /** Removes the checkpoint and its parts; no error when there is none. */
  clear(): Promise<void> {
    return this.parted.clear();
  }
}

async function writeAtomic(file: string, text: string, message: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (error) {
    throw new CheckpointError(message, { cause: error });
  }
}
