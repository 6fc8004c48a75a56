/**
 * The pure memory of index reads (lib/core/index-memory.ts): which recorded pull time is the
 * tool's own read, and how a run's reads are merged into the store and pruned.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FORGET_UNSEEN_MS,
  mergeIndexMemory,
  OWN_READ_TOLERANCE_MS,
  pullTimeWithoutOwnRead,
  type IndexReadRecord,
} from '../../lib/core/index-memory.js';

const DAY = 86_400_000;
const READ_START = Date.parse('2026-06-01T00:00:00.000Z');
const READ_END = READ_START + 800;
const BEFORE = READ_START - 101 * DAY;

const AFTER = READ_START + 300;

/** A read whose pull ECR showed right after it (the principal is not excluded). */
function read(overrides: Partial<IndexReadRecord> = {}): IndexReadRecord {
  return { childDigests: ['sha256:c1', 'sha256:c2'], repositoryName: 'app', readStartedAt: READ_START, readAt: READ_END, lastPulledBefore: BEFORE, pullTimeAfterRead: AFTER, seenAt: READ_END, ...overrides };
}

/** A read that left no pull time (an excluded principal, or a registry recording pulls late). */
function unshownRead(overrides: Partial<IndexReadRecord> = {}): IndexReadRecord {
  const { pullTimeAfterRead: _, ...r } = read(overrides);
  return r;
}

describe('pullTimeWithoutOwnRead', () => {
  const { lastPulledBefore: _never, ...neverPulled } = read();
  it.each<[string, number | undefined, IndexReadRecord | undefined, string, number | undefined]>([
    ['exactly the pull time the read left', AFTER, read(), 'app', BEFORE],
    ['earlier than the read left (a pull between listing and read, overwritten by it)', AFTER - 100, read(), 'app', BEFORE],
    ['1 ms after the pull time the read left: someone pulled', AFTER + 1, read(), 'app', AFTER + 1],
    ['2 s after the read: someone pulled', READ_START + 2_000, read(), 'app', READ_START + 2_000],
    ['a pull a day later', READ_END + DAY, read(), 'app', READ_END + DAY],
    ['never pulled before the read: the read gives no first pull', AFTER, neverPulled, 'app', undefined],
    ['never pulled at all', undefined, read(), 'app', undefined],
    ['no remembered read', AFTER, undefined, 'app', AFTER],
    ['read in another repository (pull times are per repository)', AFTER, read(), 'other', AFTER],
    ['no pull shown after the read: a pull inside the read window is the read', READ_START + 400, unshownRead(), 'app', BEFORE],
    ['no pull shown after the read: within tolerance after it', READ_END + OWN_READ_TOLERANCE_MS, unshownRead(), 'app', BEFORE],
    ['no pull shown after the read: beyond tolerance is a pull', READ_END + OWN_READ_TOLERANCE_MS + 1, unshownRead(), 'app', READ_END + OWN_READ_TOLERANCE_MS + 1],
    ['no pull shown after the read: the value from before stays', BEFORE, unshownRead(), 'app', BEFORE],
  ])('%s', (_name, current, record, repository, expected) => {
    expect(pullTimeWithoutOwnRead(current, repository, record)).toBe(expected);
  });

  const timeArb = fc.integer({ min: READ_START - 400 * DAY, max: READ_START + 400 * DAY });
  const readArb = fc
    .record({
      start: timeArb,
      duration: fc.integer({ min: 0, max: 60_000 }),
      before: fc.option(timeArb, { nil: undefined }),
      shown: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
    })
    .map(({ start, duration, before, shown }) => {
      const r: IndexReadRecord = { childDigests: [], repositoryName: 'app', readStartedAt: start, readAt: start + duration, seenAt: start + duration };
      if (before !== undefined && before <= start) r.lastPulledBefore = before;
      if (shown !== undefined) r.pullTimeAfterRead = start + Math.min(shown, duration);
      return r;
    });

  it('never hides a pull later than the read, and only ever answers the registry value or the one from before the read', () => {
    fc.assert(
      fc.property(readArb, fc.option(timeArb, { nil: undefined }), (r, current) => {
        const seen = pullTimeWithoutOwnRead(current, 'app', r);
        expect(seen === current || seen === r.lastPulledBefore).toBe(true);
        const lastOwn = r.pullTimeAfterRead ?? r.readAt + OWN_READ_TOLERANCE_MS;
        if (current !== undefined && current > lastOwn) expect(seen).toBe(current);
      }),
    );
  });

  it("the tool's read never makes an index look more recently pulled than it was", () => {
    fc.assert(
      fc.property(readArb, (r) => {
        const recordedForRead = r.pullTimeAfterRead ?? r.readStartedAt;
        expect(pullTimeWithoutOwnRead(recordedForRead, 'app', r)).toBe(r.lastPulledBefore);
      }),
    );
  });
});

describe('mergeIndexMemory', () => {
  const NOW = READ_END + DAY;
  const entry = (repo: string, seenAt: number, extra: Partial<IndexReadRecord> = {}): IndexReadRecord => read({ repositoryName: repo, seenAt, ...extra });

  it('adds the run entries, keeps what it did not look at, forgets what is gone or unseen for long', () => {
    const stored = new Map([
      ['sha256:kept-elsewhere', entry('other', NOW - DAY)],
      ['sha256:gone', entry('app', NOW - DAY)],
      ['sha256:stale', entry('other', NOW - DEFAULT_FORGET_UNSEEN_MS - 1)],
      ['sha256:seen', entry('app', NOW - DAY)],
    ]);
    const merged = mergeIndexMemory(stored, { entries: new Map([['sha256:seen', entry('app', NOW)], ['sha256:new', entry('app', NOW)]]), listedRepositories: new Set(['app']), now: NOW });
    expect([...merged.keys()].sort()).toEqual(['sha256:kept-elsewhere', 'sha256:new', 'sha256:seen']);
    expect(merged.get('sha256:seen')?.seenAt).toBe(NOW);
  });

  it('keeps at most maxEntries, the most recently seen', () => {
    const stored = new Map(Array.from({ length: 5 }, (_, i) => [`sha256:${i}`, entry('other', NOW - i * DAY)] as const));
    const merged = mergeIndexMemory(stored, { entries: new Map(), listedRepositories: new Set(), now: NOW }, { maxEntries: 3 });
    expect([...merged.keys()].sort()).toEqual(['sha256:0', 'sha256:1', 'sha256:2']);
  });

  it('two runs that read the same index: the later window, with the pull time from before the earlier read', () => {
    const earlier = read();
    // The second run listed after the first run's read, so its "before" is the pull the first read left.
    const later = read({ readStartedAt: READ_START + 60_000, readAt: READ_START + 60_500, lastPulledBefore: AFTER, pullTimeAfterRead: READ_START + 60_200, seenAt: NOW });
    for (const [stored, fresh] of [[earlier, later], [later, earlier]] as const) {
      const merged = mergeIndexMemory(new Map([['sha256:i', stored]]), { entries: new Map([['sha256:i', fresh]]), listedRepositories: new Set(['app']), now: NOW });
      expect(merged.get('sha256:i')).toEqual({ ...later, lastPulledBefore: BEFORE, seenAt: NOW });
    }
  });

  it('is idempotent and never loses an entry of the run (below the cap)', () => {
    const repoArb = fc.constantFrom('a', 'b', 'c');
    const recordArb = fc.record({ repo: repoArb, seenAgo: fc.integer({ min: 0, max: 400 }) }).map(({ repo, seenAgo }) => entry(repo, NOW - seenAgo * DAY));
    const memoryArb = fc.dictionary(fc.constantFrom('sha256:1', 'sha256:2', 'sha256:3', 'sha256:4', 'sha256:5'), recordArb).map((d) => new Map(Object.entries(d)));
    fc.assert(
      fc.property(memoryArb, memoryArb, fc.subarray(['a', 'b', 'c']), (stored, run, listed) => {
        const entries = new Map([...run].map(([d, r]) => [d, { ...r, seenAt: NOW }] as const));
        const update = { entries, listedRepositories: new Set(listed), now: NOW };
        const once = mergeIndexMemory(stored, update);
        for (const digest of entries.keys()) expect(once.has(digest)).toBe(true);
        expect(mergeIndexMemory(once, update)).toEqual(once);
      }),
    );
  });
});
