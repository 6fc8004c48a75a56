/**
 * Totals per rule and the money estimate: table tests on hand-made results, properties that the
 * per-rule rows always add up to the run's own totals, and the price table's validation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ECR_PRICES, PriceTableError, parsePriceOverride, BYTES_PER_BILLED_GB } from '../../lib/core/ecr-prices.js';
import { formatUsd, moneyEstimate, moneyLines, ruleCostPerMonth } from '../../lib/core/report-money.js';
import { ruleTotals } from '../../lib/core/report-rules.js';
import { runFigures } from '../../lib/core/report-summary.js';
import { ConfigError } from '../../lib/errors.js';
import { buildSampleResult } from '../fixtures/sample-result.js';
import { arbitraryResult } from './support/random-result.js';

const GiB = 1024 ** 3;

describe('ruleTotals', () => {
  it('gives each deleting rule its images and bytes in the sample apply run, index manifests and already-gone images without bytes', () => {
    const result = buildSampleResult();
    const totals = ruleTotals(result);
    const release = totals.find((t) => t.rule === 'keep-last-2-releases')!;
    // idx-old (index: no bytes), its two children, signature and SBOM; old-arm64 may fail in the fixture.
    const expected = result.repositories
      .flatMap((r) => r.images)
      .filter((i) => i.rule === 'keep-last-2-releases' && i.outcome.status === 'deleted');
    expect(release.images).toBe(expected.length);
    expect(release.bytes).toBe(
      expected.filter((i) => i.role !== 'index' && !(i.outcome.status === 'deleted' && i.outcome.alreadyGone)).reduce((s, i) => s + (i.sizeInBytes ?? 0), 0),
    );
    // Rules that only kept images have no row; rows are sorted by bytes.
    expect(totals.every((t) => t.images > 0 || t.bytes > 0 || t.archivedImages > 0)).toBe(true);
    expect(totals.map((t) => t.bytes)).toEqual([...totals.map((t) => t.bytes)].sort((a, b) => b - a));
  });

  it.each(['apply', 'dry-run'] as const)('adds up to the run totals in the sample (%s)', (mode) => {
    const result = buildSampleResult({ mode });
    const f = runFigures(result);
    const totals = ruleTotals(result);
    const sum = (k: 'images' | 'bytes' | 'archivedImages') => totals.reduce((s, t) => s + t[k], 0);
    expect(sum('images')).toBe(f.dryRun ? f.wouldDelete : f.deleted);
    expect(sum('bytes')).toBe(f.dryRun ? f.bytesWouldFree : f.bytesFreed);
    expect(sum('bytes')).toBeGreaterThan(0);
  });

  it.each(['apply', 'dry-run'] as const)('always adds up to the run totals (property, %s)', (mode) => {
    fc.assert(
      fc.property(arbitraryResult(mode), (result) => {
        const f = runFigures(result);
        const totals = ruleTotals(result);
        const sum = (k: 'images' | 'bytes' | 'archivedImages') => totals.reduce((s, t) => s + t[k], 0);
        expect(sum('images')).toBe(f.dryRun ? f.wouldDelete : f.deleted);
        expect(sum('bytes')).toBe(f.dryRun ? f.bytesWouldFree : f.bytesFreed);
        if (!f.dryRun) expect(sum('archivedImages')).toBe(f.archived);
        // One row per rule.
        expect(new Set(totals.map((t) => t.rule)).size).toBe(totals.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('moneyEstimate', () => {
  const result = buildSampleResult();
  const freed = runFigures(result).bytesFreed;

  it('prices the bytes freed at the Region standard storage price, per GiB-month', () => {
    const money = moneyEstimate(result, 'us-east-1', ECR_PRICES);
    expect(money.price).toEqual({ standardPerGbMonth: 0.1, archivePerGbMonth: 0.1 });
    expect(money.freedBytes).toBe(freed);
    expect(money.freedPerMonth).toBeCloseTo((freed / GiB) * 0.1, 10);
    expect(money.checkedOn).toBe(ECR_PRICES.checkedOn);
    expect(money.source).toBe('https://aws.amazon.com/ecr/pricing/');
  });

  it('says there is no price for a Region the table does not have, and guesses nothing', () => {
    const money = moneyEstimate(result, 'eu-west-3', ECR_PRICES);
    expect(money.price).toBeNull();
    expect(money.freedPerMonth).toBeNull();
    expect(money.missing).toBe('no price for Region eu-west-3');
    expect(moneyLines(money, false).freed).toBe('Estimated storage cost freed: unknown (no price for Region eu-west-3)');
    expect(moneyEstimate(result, null, ECR_PRICES).missing).toBe('no Region known for this run');
  });

  it('prices archive transitions: standard cost moved and what the archive class costs instead', () => {
    const archived = buildSampleResult();
    const repo = archived.repositories[0]!;
    const img = repo.images.find((i) => i.role === 'image' && (i.sizeInBytes ?? 0) > 0)!;
    img.decision = 'transition';
    img.outcome = { status: 'archived' };
    const prices = parsePriceOverride('{"checkedOn":"2026-12-01","source":"test","regions":{"eu-west-1":{"standardPerGbMonth":0.1,"archivePerGbMonth":0.04}}}', 'test');
    const money = moneyEstimate(archived, 'eu-west-1', prices);
    expect(money.archivedBytes).toBe(img.sizeInBytes);
    expect(money.archivedStandardPerMonth).toBeCloseTo((img.sizeInBytes! / GiB) * 0.1, 10);
    expect(money.archivedArchivePerMonth).toBeCloseTo((img.sizeInBytes! / GiB) * 0.04, 10);
    expect(moneyLines(money, false).archived).toMatch(/^Estimated cost moved to archive: \$[\d.,]+ per month of standard storage, costing \$[\d.,<]+ per month in the archive class \(estimated\)$/);
  });

  it('labels every money figure as an estimate, in both modes', () => {
    for (const mode of ['apply', 'dry-run'] as const) {
      const lines = moneyLines(moneyEstimate(buildSampleResult({ mode }), 'us-east-1', ECR_PRICES), mode === 'dry-run');
      expect(lines.freed).toMatch(/^Estimated .*\(estimated\)$/);
      expect(lines.basis).toMatch(/^Estimate: .* prices of 2026-03-22 from https:\/\/aws\.amazon\.com\/ecr\/pricing\//);
    }
  });

  it('is linear in bytes and zero for nothing freed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 2 ** 45 }), (a, b) => {
        const money = moneyEstimate(buildSampleResult(), 'us-east-1', ECR_PRICES);
        expect(ruleCostPerMonth(a + b, money)!).toBeCloseTo(ruleCostPerMonth(a, money)! + ruleCostPerMonth(b, money)!, 6);
        expect(ruleCostPerMonth(0, money)).toBe(0);
      }),
    );
    expect(ruleCostPerMonth(BYTES_PER_BILLED_GB * 10, moneyEstimate(buildSampleResult(), 'us-east-1', ECR_PRICES))).toBeCloseTo(1, 10);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [0.004, '< $0.01'],
    [0.005, '$0.01'],
    [1, '$1.00'],
    [2.955, '$2.96'],
    [1234567.891, '$1,234,567.89'],
    [Number.NaN, 'unknown'],
  ])('%d → %s', (amount, text) => {
    expect(formatUsd(amount)).toBe(text);
  });
});

describe('parsePriceOverride', () => {
  it('lays the named Regions over the built-in table and takes the override date and source', () => {
    const table = parsePriceOverride('{"checkedOn":"2026-12-01","source":"our agreement","regions":{"eu-west-1":{"standardPerGbMonth":0.09},"us-east-1":{"standardPerGbMonth":0.08,"archivePerGbMonth":0.05}}}', 'prices.json');
    expect(table.regions['eu-west-1']).toEqual({ standardPerGbMonth: 0.09, archivePerGbMonth: null });
    expect(table.regions['us-east-1']).toEqual({ standardPerGbMonth: 0.08, archivePerGbMonth: 0.05 });
    expect(table.regions['ap-northeast-1']).toEqual(ECR_PRICES.regions['ap-northeast-1']);
    expect(table.checkedOn).toBe('2026-12-01');
    expect(table.source).toBe('our agreement');
  });

  it.each([
    ['{not json', /^prices\.json: not valid JSON/],
    ['{"checkedOn":"yesterday","source":"x","regions":{}}', /^prices\.json: invalid price table: checkedOn: a date yyyy-mm-dd/],
    ['{"checkedOn":"2026-12-01","regions":{}}', /source/],
    ['{"checkedOn":"2026-12-01","source":"x","regions":{"eu-west-1":{"standardPerGbMonth":-1}}}', /regions\.eu-west-1\.standardPerGbMonth/],
    ['{"checkedOn":"2026-12-01","source":"x","regions":{"Europe":{"standardPerGbMonth":0.1}}}', /a Region code such as eu-west-1/],
    ['{"checkedOn":"2026-12-01","source":"x","regions":{"eu-west-1":{"standardPerGbMonth":0.1,"standard":0.1}}}', /standard/],
  ])('rejects %s with an error naming where and what', (text, message) => {
    let error: unknown;
    try {
      parsePriceOverride(text, 'prices.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PriceTableError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('keeps the built-in table dated and cited, and prices no Region it could not confirm', () => {
    expect(ECR_PRICES.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ECR_PRICES.source).toBe('https://aws.amazon.com/ecr/pricing/');
    expect(Object.keys(ECR_PRICES.regions).sort()).toEqual(['ap-northeast-1', 'us-east-1']);
  });
});
