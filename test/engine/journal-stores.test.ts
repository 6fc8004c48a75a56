/**
 * Both journal stores pass the same contract: nothing -> no records, appends read back in order,
 * only the run asked for, a last line cut short by a crash is dropped, and a damaged line is a
 * JournalError naming where it is. The S3 store runs against s3rver through the real S3 client.
 * And a sweep whose journal cannot be written deletes nothing it could not record.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../lib/adapters/journal-file.js';
import { S3JournalStore } from '../../lib/adapters/journal-s3.js';
import { JournalError } from '../../lib/engine/errors.js';
import { JournalWriter } from '../../lib/engine/journal.js';
import type { JournalRecord, JournalStore } from '../../lib/engine/types.js';
import { runSweep } from '../../lib/engine/sweep.js';
import { startFakeS3, type FakeS3 } from '../reports/helpers/s3rver-server.js';
import { FakeEcr, digestOf } from './support/fake-ecr.js';
import { DAY, ruleSet, untaggedOlderThan } from './support/rules.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';

const AT = '2026-06-01T00:00:00.000Z';
const sending = (runId: string, digest: string): JournalRecord => ({ event: 'sending', runId, at: AT, repositoryName: 'team/api', imageDigest: digest });
const deleted = (runId: string, digest: string): JournalRecord => ({ event: 'delete-answer', runId, at: AT, repositoryName: 'team/api', imageDigest: digest, answer: 'deleted' });

interface Harness {
  store: JournalStore;
  /** Adds raw text where the store reads run `runId` from. */
  inject(runId: string, text: string): Promise<void>;
}

let s3: FakeS3;
let dir: string;
let counter = 0;
beforeAll(async () => {
  s3 = await startFakeS3(['reports']);
  dir = await mkdtemp(join(tmpdir(), 'journal-store-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const harnesses: [string, () => Harness][] = [
  [
    'FileJournalStore',
    () => {
      const path = join(dir, `nested-${++counter}`, 'result.journal.jsonl');
      return {
        store: new FileJournalStore(path),
        inject: async (_runId, text) => {
          await mkdir(dirname(path), { recursive: true });
          await appendFile(path, text);
        },
      };
    },
  ],
  [
    'S3JournalStore',
    () => {
      const prefix = `sweeps-${++counter}/journal`;
      let n = 0;
      return {
        store: new S3JournalStore(s3.client, 'reports', prefix),
        inject: async (runId, text) => {
          await s3.client.send(new PutObjectCommand({ Bucket: 'reports', Key: `${prefix}/${runId}/part-999999999999999-zzzzzz-${String(++n).padStart(6, '0')}.jsonl`, Body: text }));
        },
      };
    },
  ],
];

describe.each(harnesses)('%s', (_name, make) => {
  it('reads nothing before the first append, then every append in order, of the run asked for only', async () => {
    const { store } = make();
    expect(await store.read('run-1')).toEqual([]);
    await store.append('run-1', [sending('run-1', 'a'), sending('run-1', 'b')]);
    await store.append('run-2', [sending('run-2', 'x')]);
    await store.append('run-1', [deleted('run-1', 'a')]);
    expect(await store.read('run-1')).toEqual([sending('run-1', 'a'), sending('run-1', 'b'), deleted('run-1', 'a')]);
    expect(await store.read('run-2')).toEqual([sending('run-2', 'x')]);
  });

  it('drops a last line cut short by a crash', async () => {
    const { store, inject } = make();
    await store.append('run-1', [sending('run-1', 'a')]);
    await inject('run-1', JSON.stringify(deleted('run-1', 'a')).slice(0, 30));
    expect(await store.read('run-1')).toEqual([sending('run-1', 'a')]);
  });

  it.each([
    ['not JSON', '{oops\n', /line 1 is not valid JSON/],
    ['not a record', '{"event":"party","runId":"run-1","repositoryName":"r"}\n', /line 1 is not a journal record/],
    ['no digest', '{"event":"sending","runId":"run-1","repositoryName":"r"}\n', /line 1: imageDigest must be a string/],
  ])('rejects a damaged line (%s) naming where it is', async (_case, text, message) => {
    const { store, inject } = make();
    await inject('run-1', text);
    const error = await store.read('run-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('JournalWriter', () => {
  it('groups writes handed over while one is in flight, and resolves each once written', async () => {
    const writes: number[] = [];
    let release: () => void = () => undefined;
    const store: JournalStore = {
      where: 'memory',
      append: async (_runId, records) => {
        writes.push(records.length);
        if (writes.length === 1) await new Promise<void>((r) => (release = r));
      },
      read: async () => [],
    };
    const writer = new JournalWriter(store, 'run-1', () => 0);
    const first = writer.write([sending('run-1', 'a')]);
    const second = writer.write([sending('run-1', 'b')]);
    const third = writer.write([sending('run-1', 'c'), sending('run-1', 'd')]);
    release();
    await Promise.all([first, second, third]);
    expect(writes).toEqual([1, 3]);
  });

  it('rejects every waiting write with a JournalError naming the store when a write fails', async () => {
    const store: JournalStore = { where: '/full/disk.jsonl', append: async () => { throw new Error('ENOSPC'); }, read: async () => [] };
    const writer = new JournalWriter(store, 'run-1', () => 0);
    const error = await writer.write([sending('run-1', 'a')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toMatch(/the journal \/full\/disk.jsonl could not be written: ENOSPC/);
  });
});

describe('runSweep with a journal that cannot be written', () => {
  it('sends no BatchDeleteImage whose images could not be recorded, and aborts the run saying why', async () => {
    const NOW = Date.parse(AT);
    const fake = new FakeEcr()
      .add('a', { digest: digestOf('a1'), pushedAt: NOW - 30 * DAY, size: 1 })
      .add('b', { digest: digestOf('b1'), pushedAt: NOW - 30 * DAY, size: 1 });
    const store: JournalStore = { where: '/full/disk.jsonl', append: async () => { throw new Error('ENOSPC'); }, read: async () => [] };
    const { result } = await runSweep({ registry: ecrRegistry(fake.client), clock: () => NOW, journal: store }, { ruleSet: ruleSet([untaggedOlderThan(7)]), mode: 'apply', now: NOW, concurrency: 1 });
    expect(fake.deleteCalls).toEqual([]);
    expect(fake.digests('a')).toHaveLength(1);
    expect(fake.digests('b')).toHaveLength(1);
    expect(result.abortedReason).toMatch(/the result journal could not be written \(the journal \/full\/disk.jsonl could not be written: ENOSPC\), so no more deletions were sent/);
    expect(result.totals.deleted).toBe(0);
    expect(result.repositories.find((r) => r.repositoryName === 'a')?.error?.code).toBe('JournalError');
  });
});
