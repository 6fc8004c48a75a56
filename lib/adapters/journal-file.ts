/**
 * The result journal for the CLI: one JSON Lines file, appended (and flushed to disk) as each
 * batch is sent and answered. Records of every run go to the same file, each with its run id, so
 * a later run never overwrites what an earlier one recorded.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JournalError } from '../engine/errors.js';
import type { JournalRecord, JournalStore } from '../engine/types.js';
import { decodeJournal, encodeJournal } from './journal-codec.js';

/** A {@link JournalStore} backed by a local append-only file. */
export class FileJournalStore implements JournalStore {
  constructor(private readonly path: string) {}

  get where(): string {
    return this.path;
  }

  /** Appends `records` and syncs the file, so they survive the process being killed. */
  async append(_runId: string, records: readonly JournalRecord[]): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const file = await open(this.path, 'a');
      try {
        await file.appendFile(encodeJournal(records), 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
    } catch (error) {
      throw new JournalError(`cannot append to journal file ${this.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** The records of `runId`; none when the file does not exist. */
  async read(runId: string): Promise<JournalRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new JournalError(`cannot read journal file ${this.path}`, { cause: error });
    }
    return decodeJournal(text, `file ${this.path}`, runId);
  }
}
