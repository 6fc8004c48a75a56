/**
 * The index store document, shared by the file and S3 stores so both validate the same way: a
 * damaged document is an IndexStoreError naming where it came from and which entry is wrong.
 * Times are ISO-8601 so a person can read the file.
 */
import { createHash } from 'node:crypto';
import type { IndexMemory, IndexReadRecord } from '../core/index-memory.js';
import { IndexStoreError } from '../engine/errors.js';
import type { RegistryIdentity } from '../engine/ports.js';

interface StoredIndex {
  children: string[];
  mediaType?: string;
  repository: string;
  readStartedAt: string;
  readAt: string;
  /** Absent when the index had never been pulled before the read. */
  lastPulledBefore?: string;
  /** The pull time ECR showed just after the read; absent when the read did not move it. */
  pullTimeAfterRead?: string;
  seenAt: string;
}

interface StoredDocument {
  version: 1;
  registry: RegistryIdentity;
  indexes: Record<string, StoredIndex>;
}

/**
 * The store's name for a registry's memory: `index-<account>-<region>.json`, plus a hash of the
 * endpoint for a custom one (an emulator on another port is another registry).
 */
export function indexStoreFileName(registry: RegistryIdentity): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');
  const endpoint = registry.endpoint === undefined ? '' : `-${createHash('sha256').update(registry.endpoint).digest('hex').slice(0, 12)}`;
  return `index-${safe(registry.registryId)}-${safe(registry.region)}${endpoint}.json`;
}

/** Serialises a memory (digests sorted, so the same memory gives the same bytes). */
export function encodeIndexMemory(registry: RegistryIdentity, memory: IndexMemory): string {
  return [...encodeIndexMemoryPieces(registry, memory)].join('');
}

/**
 * The text of {@link encodeIndexMemory} in pieces, one per index, so a store can write a large
 * memory (a million images hold about 100,000 indexes: ~45 MiB of JSON) without ever holding its
 * whole text, nor a second copy of every entry. Joined, the pieces are exactly
 * `JSON.stringify({ version: 1, registry, indexes })` plus a newline.
 */
export function* encodeIndexMemoryPieces(registry: RegistryIdentity, memory: IndexMemory): Generator<string> {
  yield `{"version":1,"registry":${JSON.stringify(registry)},"indexes":{`;
  let first = true;
  for (const digest of [...memory.keys()].sort()) {
    const r = memory.get(digest) as IndexReadRecord;
    const stored: StoredIndex = {
      children: [...r.childDigests],
      repository: r.repositoryName,
      readStartedAt: new Date(r.readStartedAt).toISOString(),
      readAt: new Date(r.readAt).toISOString(),
      seenAt: new Date(r.seenAt).toISOString(),
    };
    if (r.mediaType !== undefined) stored.mediaType = r.mediaType;
    if (r.lastPulledBefore !== undefined) stored.lastPulledBefore = new Date(r.lastPulledBefore).toISOString();
    if (r.pullTimeAfterRead !== undefined) stored.pullTimeAfterRead = new Date(r.pullTimeAfterRead).toISOString();
    yield `${first ? '' : ','}${JSON.stringify(digest)}:${JSON.stringify(stored)}`;
    first = false;
  }
  yield '}}\n';
}

/**
 * Parses and validates a stored memory; `where` names the file or object in errors. A document
 * made for another registry is refused: its reads say nothing about this one's pull times.
 */
export function decodeIndexMemory(text: string, where: string, registry: RegistryIdentity): Map<string, IndexReadRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new IndexStoreError(`index store ${where} is not valid JSON`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new IndexStoreError(`index store ${where} is not a JSON object`);
  const doc = parsed as Partial<StoredDocument>;
  if (doc.version !== 1) throw new IndexStoreError(`index store ${where} is invalid: version must be 1, got ${JSON.stringify(doc.version)}`);
  const r = doc.registry;
  if (r?.registryId !== registry.registryId || r.region !== registry.region || (r.endpoint ?? null) !== (registry.endpoint ?? null)) {
    throw new IndexStoreError(`index store ${where} belongs to another registry (${JSON.stringify(r)}), not ${JSON.stringify(registry)}`);
  }
  if (typeof doc.indexes !== 'object' || doc.indexes === null || Array.isArray(doc.indexes)) {
    throw new IndexStoreError(`index store ${where} is invalid: indexes must be an object keyed by digest`);
  }
  const memory = new Map<string, IndexReadRecord>();
  for (const [digest, entry] of Object.entries(doc.indexes)) {
    memory.set(digest, decodeEntry(entry, `index store ${where}, indexes["${digest}"]`));
  }
  return memory;
}

function decodeEntry(value: unknown, where: string): IndexReadRecord {
  const e = value as Partial<Record<keyof StoredIndex, unknown>> | null;
  const bad = (what: string): IndexStoreError => new IndexStoreError(`${where}: ${what}`);
  if (typeof e !== 'object' || e === null) throw bad('must be an object');
  if (!Array.isArray(e.children) || !e.children.every((c) => typeof c === 'string' && c !== '')) throw bad('children must be an array of digests');
  if (typeof e.repository !== 'string' || e.repository === '') throw bad('repository must be a repository name');
  if (e.mediaType !== undefined && typeof e.mediaType !== 'string') throw bad('mediaType must be a string');
  const time = (key: 'readStartedAt' | 'readAt' | 'seenAt' | 'lastPulledBefore' | 'pullTimeAfterRead'): number => {
    const text = e[key];
    const ms = typeof text === 'string' ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(ms)) throw bad(`${key} must be an ISO-8601 time, got ${JSON.stringify(text)}`);
    return ms;
  };
  const record: IndexReadRecord = {
    childDigests: e.children as string[],
    repositoryName: e.repository,
    readStartedAt: time('readStartedAt'),
    readAt: time('readAt'),
    seenAt: time('seenAt'),
  };
  if (record.readAt < record.readStartedAt) throw bad('readAt is before readStartedAt');
  if (e.mediaType !== undefined) record.mediaType = e.mediaType;
  if (e.lastPulledBefore !== undefined) record.lastPulledBefore = time('lastPulledBefore');
  if (e.pullTimeAfterRead !== undefined) record.pullTimeAfterRead = time('pullTimeAfterRead');
  return record;
}
