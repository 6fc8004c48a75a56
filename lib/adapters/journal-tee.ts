/**
 * A journal written to two places and read from the first: the CLI keeps the sweep's journal next
 * to its checkpoint (where every run of the sweep finds it, whatever its `--out`) and a copy in
 * the run's `--out` folder (where the person looks after an interruption).
 */
import type { JournalRecord, JournalStore } from '../engine/types.js';

/** A {@link JournalStore} that appends to `primary` then `copy`, and reads `primary`. */
export class TeeJournalStore implements JournalStore {
  constructor(
    private readonly primary: JournalStore,
    private readonly copy: JournalStore,
  ) {}

  get where(): string {
    return `${this.primary.where} (copy: ${this.copy.where})`;
  }

  /** Appends to both; fails (no delete is sent) if either cannot be written. */
  async append(runId: string, records: readonly JournalRecord[]): Promise<void> {
    await this.primary.append(runId, records);
    await this.copy.append(runId, records);
  }

  /** What the primary holds. */
  read(runId: string): Promise<JournalRecord[]> {
    return this.primary.read(runId);
  }
}
