/**
 * Reading and writing result journal lines (JSON Lines), shared by the file and S3 stores. A line
 * that is not a journal record is an error naming its place; a last line cut short by a crash
 * (no newline at the end) is dropped, since a write that never finished recorded nothing.
 */
import { JournalError } from '../engine/errors.js';
import type { JournalRecord } from '../engine/types.js';

const EVENTS = new Set(['sending', 'delete-answer', 'outcome', 'repository']);

/** One line per record, each ending in a newline. */
export function encodeJournal(records: readonly JournalRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The records of `runId` in `text`; `where` names the file or object in errors. */
export function decodeJournal(text: string, where: string, runId: string): JournalRecord[] {
  const lines = text.split('\n');
  // The part after the last newline is a write cut short (or empty): not a record.
  lines.pop();
  const records: JournalRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new JournalError(`journal ${where} line ${i + 1} is not valid JSON`, { cause: error });
    }
    const r = parsed as Partial<JournalRecord> | null;
    if (typeof r !== 'object' || r === null || !EVENTS.has(r.event as string) || typeof r.runId !== 'string' || typeof r.repositoryName !== 'string') {
      throw new JournalError(`journal ${where} line ${i + 1} is not a journal record (event, runId and repositoryName are required)`);
    }
    if (r.event !== 'repository' && typeof (r as { imageDigest?: unknown }).imageDigest !== 'string') {
      throw new JournalError(`journal ${where} line ${i + 1}: imageDigest must be a string`);
    }
    if (r.runId === runId) records.push(r as JournalRecord);
  });
  return records;
}
