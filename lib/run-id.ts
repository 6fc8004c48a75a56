/**
 * Run ids, the same for the CLI and the Lambda functions: a run's reports, checkpoint and logs
 * are keyed by it, so one format serves every place that reads them back.
 */
import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time and is safe as an S3 path segment or a directory name:
 * `20261127T030000Z-9f1c2a7b` (UTC second, then 32 random bits so runs started in the same
 * second do not collide).
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}
