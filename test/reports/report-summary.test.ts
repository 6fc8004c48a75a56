import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectFailures,
  failureSummary,
  imagesListed,
  runFigures,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  plannedBytes,
  summarizeRepositories,
  topRepositories,
  totalBytes,
  type RepositorySummary,
} from '../../lib/core/report-summary.js';
import { joinKey, reportFolder, reportFolderProblem } from '../../lib/core/report-layout.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

const GiB = 1024 ** 3;

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1 MiB'],
    [5 * 1024 ** 2 + 300 * 1024, '5.3 MiB'],
    [29.58 * GiB, '29.6 GiB'],
    [3 * 1024 ** 4, '3 TiB'],
    [-1, 'unknown'],
    [Number.NaN, 'unknown'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('never prints 1024 of a unit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(formatBytes(n)).not.toMatch(/^1024 /);
        expect(formatBytes(n)).toMatch(/^\d+(\.\d)? (B|KiB|MiB|GiB|TiB|PiB)$/);
      }),
    );
  });
});

describe('formatters', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
    [-4200, '-4,200'],
  ])('formatCount(%d) = %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it('formats any UTC ISO time as its date and minute (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        expect(formatTime(iso)).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
        // The same instant with an offset takes the slow path and must agree.
        const offset = iso.replace('Z', '+00:00');
        expect(formatTime(offset)).toBe(formatTime(iso));
      }),
    );
  });

  it.each([
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4 min 05 s'],
    [-5, 'unknown'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    ['2026-11-27T06:00:00.000Z', '2026-11-27 06:00 UTC'],
    ['2026-11-27T23:30:00+02:00', '2026-11-27 21:30 UTC'],
    [null, '-'],
    ['yesterday', '-'],
  ])('formatTime(%j) = %s', (iso, text) => {
    expect(formatTime(iso)).toBe(text);
  });
});

describe('repository figures', () => {
  it('uses bytes freed and images deleted in apply mode', () => {
    const result = buildSampleResult();
    const byName = new Map(summarizeRepositories(result).map((s) => [s.repositoryName, s]));
    const trainer = result.repositories.find((r) => r.repositoryName === 'ml/trainer-gpu')!;
    expect(byName.get('ml/trainer-gpu')).toEqual({ repositoryName: 'ml/trainer-gpu', bytes: trainer.counts.bytesFreed, images: 4, failed: 0 });
    expect(totalBytes(result)).toBe(result.totals.bytesFreed);
  });

  it('uses what would be freed in a dry run, leaving index manifests out', () => {
    const result = buildSampleResult({ mode: 'dry-run' });
    const payments = result.repositories.find((r) => r.repositoryName === 'api/payments')!;
    const expected = payments.images
      .filter((i) => i.decision === 'delete' && i.role !== 'index')
      .reduce((s, i) => s + (i.sizeInBytes ?? 0), 0);
    expect(plannedBytes(payments)).toBe(expected);
    expect(summarizeRepositories(result).find((s) => s.repositoryName === 'api/payments')).toMatchObject({ bytes: expected, images: 5 });
    expect(result.totals.bytesFreed).toBe(0);
    expect(totalBytes(result)).toBeGreaterThan(0);
  });

  it('ranks by bytes, drops repositories that contributed nothing, and folds the rest into others', () => {
    const s = (repositoryName: string, bytes: number, images: number): RepositorySummary => ({ repositoryName, bytes, images, failed: 0 });
    const { top, others } = topRepositories([s('a', 10, 1), s('b', 30, 1), s('zero', 0, 0), s('c', 30, 2), s('d', 5, 1), s('e', 0, 3)], 2);
    expect(top.map((t) => t.repositoryName)).toEqual(['c', 'b']);
    expect(others).toEqual({ repositoryName: 'others (3 repositories)', repositories: 3, bytes: 15, images: 5, failed: 0 });
    expect(topRepositories([s('a', 1, 1)], 5).others).toBeNull();
  });

  it('keeps every byte when folding into others (property)', () => {
    const summary = fc.record({
      repositoryName: fc.string({ maxLength: 5 }),
      bytes: fc.nat({ max: 1e12 }),
      images: fc.nat({ max: 1e4 }),
      failed: fc.nat({ max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(summary, { maxLength: 30 }), fc.nat({ max: 40 }), (all, n) => {
        const { top, others } = topRepositories(all, n);
        const sum = top.reduce((t, x) => t + x.bytes, 0) + (others?.bytes ?? 0);
        expect(sum).toBe(all.reduce((t, x) => t + x.bytes, 0));
        expect(top.length).toBeLessThanOrEqual(n);
      }),
    );
  });

  it('lists repository errors first, then failed deletions with their codes', () => {
    const failures = collectFailures(buildSampleResult());
    expect(failures.map((f) => [f.repositoryName, f.code])).toEqual([
      ['ml/notebooks', 'AccessDeniedException'],
      ['api/payments', 'ImageReferencedByManifestList'],
      ['batch/report-worker', 'KmsError'],
    ]);
    expect(failures[0]?.imageDigest).toBeUndefined();
    expect(failures[2]?.imageTags).toEqual(['build-1401']);
  });

  it('counts every failure once: the list is failed repositories plus failed deletions (property)', () => {
    const statuses = ['completed', 'blocked', 'failed', 'not-started', 'protected', 'unmanaged'] as const;
    fc.assert(
      fc.property(fc.array(fc.record({ status: fc.constantFrom(...statuses), failedImages: fc.nat({ max: 3 }), withError: fc.boolean() }), { maxLength: 8 }), (specs) => {
        const result = buildSampleResult({ extraRepositories: specs.length, imagesPerExtraRepository: 4 });
        result.repositories = specs.length > 0 ? result.repositories.slice(-specs.length) : [];
        specs.forEach((spec, i) => {
          const repository = result.repositories[i]!;
          repository.status = spec.status;
          if (spec.withError) repository.error = { code: 'E', message: 'm' };
          else delete repository.error;
          repository.images.forEach((image, k) => {
            image.outcome = k < spec.failedImages ? { status: 'failed', code: 'X', message: 'y' } : { status: 'kept', reason: 'r' };
          });
        });
        result.totals.failed = result.repositories.reduce((n, r) => n + r.images.filter((i) => i.outcome.status === 'failed').length, 0);
        result.totals.failedRepositories = result.repositories.filter((r) => r.status === 'failed').length;
        const figures = runFigures(result);
        expect(collectFailures(result)).toHaveLength(figures.failedDeletions + figures.failedRepositories);
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    [0, 0, ''],
    [1, 0, '1 failed deletion'],
    [2, 1, '2 failed deletions, 1 failed repository'],
    [0, 3, '3 failed repositories'],
    [1200, 0, '1,200 failed deletions'],
  ])('failureSummary(%d deletions, %d repositories) = %j', (failedDeletions, failedRepositories, text) => {
    expect(failureSummary({ failedDeletions, failedRepositories })).toBe(text);
  });

  it.each([
    ['protected', 0, false],
    ['unmanaged', 0, false],
    ['failed', 0, false],
    ['not-started', 0, false],
    ['completed', 0, true],
    ['blocked', 0, true],
    ['protected', 2, true],
    ['failed', 3, true],
  ])('a %s repository with %d images was listed: %s', (status, images, listed) => {
    expect(imagesListed({ status, images: Array.from({ length: images }) })).toBe(listed);
  });

  it('figures: a dry run counts "would delete" and what would be freed, an apply run what was done', () => {
    const dry = runFigures(buildSampleResult({ mode: 'dry-run' }));
    expect(dry).toMatchObject({ dryRun: true, deleted: 0, skipped: 0, failedDeletions: 0, wouldDelete: 28, planned: 28, bytesFreed: 0, notListedRepositories: 3 });
    expect(dry.bytesWouldFree).toBe(totalBytes(buildSampleResult({ mode: 'dry-run' })));
    const apply = runFigures(buildSampleResult());
    expect(apply).toMatchObject({ dryRun: false, deleted: 25, skipped: 1, failedDeletions: 2, failedRepositories: 1, wouldDelete: 0, bytesWouldFree: 0 });
  });

  it('reports no image failures in a dry run', () => {
    expect(collectFailures(buildSampleResult({ mode: 'dry-run' })).map((f) => f.code)).toEqual(['AccessDeniedException']);
  });
});

describe('report layout', () => {
  it.each([
    ['run-1', '2026-11-27T23:59:59.999Z', '2026-11-27/run-1'],
    ['sweep_2026.11.27', '2026-01-02T00:00:00+01:00', '2026-01-01/sweep_2026.11.27'],
    ['A', new Date(Date.UTC(2030, 5, 1)), '2030-06-01/A'],
  ])('folder for %s at %s is %s', (runId, date, folder) => {
    expect(reportFolder(runId, date)).toBe(folder);
  });

  it.each([
    ['../up', /run id/],
    ['a/b', /run id/],
    ['', /run id/],
    ['.hidden', /run id/],
    ['a..b', /run id/],
    ['x'.repeat(129), /run id/],
  ])('rejects run id %j', (runId, message) => {
    expect(reportFolderProblem(runId, '2026-11-27T00:00:00Z')).toMatch(message);
    expect(() => reportFolder(runId, '2026-11-27T00:00:00Z')).toThrow(message);
  });

  it('rejects an invalid date', () => {
    expect(reportFolderProblem('run', 'not a date')).toMatch(/not a valid time/);
  });

  it.each([
    ['', 'k', 'k'],
    ['p', 'k', 'p/k'],
    ['/p/q/', 'k', 'p/q/k'],
  ])('joinKey(%j, %j) = %j', (prefix, key, joined) => {
    expect(joinKey(prefix, key)).toBe(joined);
  });
});
