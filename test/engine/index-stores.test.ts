/**
 * Both index stores pass the same contract: nothing stored -> empty memory, save/load round trip
 * (every field, times to the millisecond), one document per registry, and a damaged or foreign
 * document is an IndexStoreError naming where it is. The S3 store runs against s3rver through the
 * real S3 client; the codec round trip is a property.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIndexMemory, encodeIndexMemory, encodeIndexMemoryPieces, indexStoreFileName } from '../../lib/adapters/index-store-codec.js';
import { defaultIndexStoreDir, FileIndexStore } from '../../lib/adapters/index-store-file.js';
import { S3IndexStore } from '../../lib/adapters/index-store-s3.js';
import type { IndexReadRecord } from '../../lib/core/index-memory.js';
import { IndexStoreError } from '../../lib/engine/errors.js';
import type { RegistryIdentity } from '../../lib/engine/ports.js';
import type { IndexStore } from '../../lib/engine/types.js';
import { startFakeS3, type FakeS3 } from '../reports/helpers/s3rver-server.js';

const REGISTRY: RegistryIdentity = { registryId: '123456789012', region: 'eu-west-1' };
const OTHER: RegistryIdentity = { registryId: '123456789012', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4510' };
const RECORD: IndexReadRecord = {
  childDigests: [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`],
  mediaType: 'application/vnd.oci.image.index.v1+json',
  repositoryName: 'team/app',
  readStartedAt: Date.parse('2026-06-01T00:00:00.123Z'),
  readAt: Date.parse('2026-06-01T00:00:00.456Z'),
  lastPulledBefore: Date.parse('2026-02-20T10:00:00.001Z'),
  pullTimeAfterRead: Date.parse('2026-06-01T00:00:00.300Z'),
  seenAt: Date.parse('2026-06-02T00:00:00.000Z'),
};
const DIGEST = `sha256:${'a'.repeat(64)}`;

interface Harness {
  store: IndexStore;
  corrupt(text: string): Promise<void>;
}

let s3: FakeS3;
let dir: string;
let counter = 0;
beforeAll(async () => {
  s3 = await startFakeS3(['reports']);
  dir = await mkdtemp(join(tmpdir(), 'index-store-'));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const harnesses: [string, () => Harness][] = [
  [
    'FileIndexStore',
    () => {
      const store = new FileIndexStore(join(dir, `nested-${++counter}`, 'ecr-sweeper'));
      return { store, corrupt: async (text) => {
        await store.save(REGISTRY, new Map());
        await writeFile(store.location(REGISTRY), text);
      } };
    },
  ],
  [
    'S3IndexStore',
    () => {
      const prefix = `ecr-sweeper-${++counter}`;
      const store = new S3IndexStore(s3.client, 'reports', prefix);
      return {
        store,
        corrupt: async (text) => {
          await s3.client.send(new PutObjectCommand({ Bucket: 'reports', Key: `${prefix}/index-store/${indexStoreFileName(REGISTRY)}`, Body: text }));
        },
      };
    },
  ],
];

describe.each(harnesses)('%s', (_name, make) => {
  it('loads an empty memory when nothing was stored', async () => {
    expect((await make().store.load(REGISTRY)).size).toBe(0);
  });

  it('round-trips a memory, replaces it, and keeps each registry apart', async () => {
    const { store } = make();
    const memory = new Map([[DIGEST, RECORD]]);
    await store.save(REGISTRY, memory);
    expect(await store.load(REGISTRY)).toEqual(memory);
    expect((await store.load(OTHER)).size).toBe(0);
    const { lastPulledBefore: _, mediaType: __, pullTimeAfterRead: ___, ...neverPulled } = RECORD;
    await store.save(REGISTRY, new Map([[DIGEST, neverPulled]]));
    expect(await store.load(REGISTRY)).toEqual(new Map([[DIGEST, neverPulled]]));
    expect(store.location(OTHER)).not.toBe(store.location(REGISTRY));
  });

  it.each([
    ['not JSON', '{"version":1,', /is not valid JSON/],
    ['another version', '{"version":2}', /version must be 1, got 2/],
    ['another registry', JSON.stringify({ version: 1, registry: OTHER, indexes: {} }), /belongs to another registry/],
    ['a bad entry', JSON.stringify({ version: 1, registry: REGISTRY, indexes: { [DIGEST]: { children: [1], repository: 'r' } } }), new RegExp(`indexes\\["${DIGEST}"\\]: children must be an array of digests`)],
    ['a bad time', JSON.stringify({ version: 1, registry: REGISTRY, indexes: { [DIGEST]: { children: [], repository: 'r', readStartedAt: 'soon', readAt: 'x', seenAt: 'x' } } }), /readStartedAt must be an ISO-8601 time, got "soon"/],
  ])('refuses %s with an IndexStoreError naming where', async (_what, text, message) => {
    const { store, corrupt } = make();
    await corrupt(text);
    const error = await store.load(REGISTRY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexStoreError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(store.location(REGISTRY).replace(/^s3:\/\//, ''));
  });
});

describe('index store codec', () => {
  it('round-trips any memory exactly', () => {
    const time = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
    const record = fc.record(
      {
        childDigests: fc.array(fc.stringMatching(/^sha256:[0-9a-f]{8}$/), { maxLength: 4 }),
        mediaType: fc.constantFrom('application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'),
        repositoryName: fc.stringMatching(/^[a-z]{2,8}(\/[a-z]{2,8})?$/),
        readStartedAt: time,
        readAt: time,
        lastPulledBefore: time,
        pullTimeAfterRead: time,
        seenAt: time,
      },
      { requiredKeys: ['childDigests', 'repositoryName', 'readStartedAt', 'readAt', 'seenAt'] },
    ).map((r) => ({ ...r, readAt: Math.max(r.readAt, r.readStartedAt) }));
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^sha256:[0-9a-f]{8}$/), record), (entries) => {
        const memory = new Map(Object.entries(entries));
        const text = encodeIndexMemory(OTHER, memory);
        expect(decodeIndexMemory(text, 'test', OTHER)).toEqual(memory);
      }),
    );
  });

  it('writes in pieces exactly the one JSON document, digests sorted, one piece per index', () => {
    const time = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
    const record = fc.record(
      {
        childDigests: fc.array(fc.string(), { maxLength: 3 }),
        mediaType: fc.string(),
        repositoryName: fc.string(),
        readStartedAt: time,
        readAt: time,
        lastPulledBefore: time,
        pullTimeAfterRead: time,
        seenAt: time,
      },
      { requiredKeys: ['childDigests', 'repositoryName', 'readStartedAt', 'readAt', 'seenAt'] },
    );
    const iso = (ms: number): string => new Date(ms).toISOString();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string().map((s) => `sha256:${s}`), record), { maxLength: 12 }), fc.constantFrom(REGISTRY, OTHER), (pairs, registry) => {
        const memory = new Map(pairs);
        // The document as one object, built independently of the codec (keys are digests, never
        // array indexes, which an object would put first).
        const indexes: Record<string, unknown> = {};
        for (const digest of [...memory.keys()].sort()) {
          const r = memory.get(digest)!;
          indexes[digest] = {
            children: r.childDigests,
            repository: r.repositoryName,
            readStartedAt: iso(r.readStartedAt),
            readAt: iso(r.readAt),
            seenAt: iso(r.seenAt),
            ...(r.mediaType !== undefined ? { mediaType: r.mediaType } : {}),
            ...(r.lastPulledBefore !== undefined ? { lastPulledBefore: iso(r.lastPulledBefore) } : {}),
            ...(r.pullTimeAfterRead !== undefined ? { pullTimeAfterRead: iso(r.pullTimeAfterRead) } : {}),
          };
        }
        const pieces = [...encodeIndexMemoryPieces(registry, memory)];
        expect(pieces.join('')).toBe(`${JSON.stringify({ version: 1, registry, indexes })}\n`);
        expect(pieces).toHaveLength(memory.size + 2);
        expect(encodeIndexMemory(registry, memory)).toBe(pieces.join(''));
      }),
    );
  });

  it('names files by account, Region and a hash of a custom endpoint', () => {
    expect(indexStoreFileName(REGISTRY)).toBe('index-123456789012-eu-west-1.json');
    expect(indexStoreFileName(OTHER)).toMatch(/^index-123456789012-eu-west-1-[0-9a-f]{12}\.json$/);
    expect(indexStoreFileName({ ...OTHER, endpoint: 'http://127.0.0.1:4511' })).not.toBe(indexStoreFileName(OTHER));
  });

  it('keeps the CLI store in the XDG cache directory, else ~/.cache', () => {
    expect(defaultIndexStoreDir({ XDG_CACHE_HOME: '/var/cache' })).toBe('/var/cache/ecr-sweeper');
    expect(defaultIndexStoreDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.cache/ecr-sweeper');
    expect(defaultIndexStoreDir({ HOME: '/home/u' })).toBe('/home/u/.cache/ecr-sweeper');
    expect(defaultIndexStoreDir({}, () => '/root')).toBe('/root/.cache/ecr-sweeper');
  });
});
