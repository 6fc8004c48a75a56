/**
 * Checkpoint store for the CLI: one JSON file, written atomically (temp file + rename) so a
 * run killed mid-write never leaves a half-written checkpoint.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CheckpointError } from '../engine/errors.js';
import type { Checkpoint, CheckpointStore } from '../engine/types.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';

/** A {@link CheckpointStore} backed by a local file. */
export class FileCheckpointStore implements CheckpointStore {
  constructor(private readonly path: string) {}

  /** The checkpoint, or null when there is none. */
  async load(): Promise<Checkpoint | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CheckpointError(`cannot read checkpoint file ${this.path}`, { cause: error });
    }
    return decodeCheckpoint(text, `file ${this.path}`);
  }

  /** Replaces the checkpoint. */
  async save(checkpoint: Checkpoint): Promise<void> {
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temp, encodeCheckpoint(checkpoint), 'utf8');
      await rename(temp, this.path);
    } catch (error) {
      throw new CheckpointError(`cannot write checkpoint file ${this.path}`, { cause: error });
    }
  }

  /** Removes the checkpoint; no error when there is none. */
  async clear(): Promise<void> {
    try {
      await rm(this.path, { force: true });
    } catch (error) {
      throw new CheckpointError(`cannot remove checkpoint file ${this.path}`, { cause: error });
    }
  }
}
