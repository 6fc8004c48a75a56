/**
 * The in-use scan of an organization run, shared on S3 by every invocation of the state machine
 * (design point 6, docs/deploy.md "Organizations"): Start scans every target's sources once and
 * stores the outcome; each shard reuses it while it is fresh enough for the guard (planning takes
 * any age within the run; deletion asks for one no older than `rescanAfter`), and a shard that
 * needs a newer one scans and stores it for the shards after it.
 *
 * Faults: an unreadable or malformed stored scan is treated as absent (a fresh scan is made, the
 * safe side); a scan that cannot be stored is still used by this invocation (the others only scan
 * again). A stored scan keeps its failed sources, so a source that failed in Start blocks deletion
 * in every shard until a later scan reads it.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { InUseScanOutcome } from '../engine/in-use-scan.js';
import type { SharedInUseScanCache } from '../engine/org-ports.js';
import type { SweepLogger } from '../engine/types.js';

/** What a cache is asked: a scan that started no earlier than `now - maxAgeMs`. */
export interface InUseScanRequest {
  now: number;
  maxAgeMs: number;
}

/** An in-use scan cache backed by one S3 object (per run). */
export class S3InUseScanCache implements SharedInUseScanCache {
  /** This invocation's own scan in progress or done: a second request in the same process waits for it. */
  private own: Promise<InUseScanOutcome> | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly logger?: SweepLogger,
  ) {}

  /** `s3://bucket/key`. */
  get where(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  /**
   * A scan that started at or after `now - maxAgeMs`: this process's own (even in flight), else the
   * stored one, else `scanFresh()`'s, which is stored for the other invocations.
   */
  async scan(request: InUseScanRequest, scanFresh: () => Promise<InUseScanOutcome>): Promise<InUseScanOutcome> {
    const oldest = request.now - request.maxAgeMs;
    if (this.own) {
      const mine = await this.own;
      if (mine.startedAt >= oldest) return mine;
    }
    const stored = await this.load();
    if (stored && stored.startedAt >= oldest) return stored;
    const fresh = scanFresh().then(async (outcome) => {
      await this.store(outcome);
      return outcome;
    });
    this.own = fresh;
    return fresh;
  }

  /** The stored scan, or null when there is none or it cannot be used. */
  async load(): Promise<InUseScanOutcome | null> {
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'NoSuchKey' && name !== 'NotFound') this.logger?.warn('stored in-use scan unreadable; scanning afresh', { where: this.where, error: messageOf(error) });
      return null;
    }
    const parsed = parseOutcome(text);
    if (parsed === null) this.logger?.warn('stored in-use scan malformed; scanning afresh', { where: this.where });
    return parsed;
  }

  /** Stores `outcome` for the other invocations. */
  async store(outcome: InUseScanOutcome): Promise<void> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: JSON.stringify(outcome), ContentType: 'application/json' }));
    } catch (error) {
      this.logger?.warn('in-use scan could not be stored; other shards will scan again', { where: this.where, error: messageOf(error) });
    }
  }
}

/** The outcome in `text`, or null unless it has a finite `startedAt` and the two lists. */
function parseOutcome(text: string): InUseScanOutcome | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const o = value as Partial<InUseScanOutcome> | null;
  if (!o || typeof o !== 'object' || typeof o.startedAt !== 'number' || !Number.isFinite(o.startedAt)) return null;
  if (!Array.isArray(o.usages) || !Array.isArray(o.sources)) return null;
  return o as InUseScanOutcome;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
