/**
 * Ages in reasons read as true as the comparison they explain (issue 11 §5): "pushed 14d ago > 14d"
 * was printed for 14 days and 9 seconds. Printed ages and thresholds are parsed back and compared,
 * for the formatter alone and through the planner, for every reason that compares an age.
 */
import { formatDuration, type Duration } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../lib/core/inventory.js';
import { formatAgeAgainst, formatSpan } from '../../lib/core/plan-reasons.js';
import { planRepository } from '../../lib/core/planner.js';
import type { Condition } from '../../lib/core/rules-model.js';
import { d, DAY, HOUR, NOW, rule, ruleSet } from './builders.js';

const UNIT_MS: Record<string, number> = { d: DAY, h: HOUR, m: 60_000, s: 1_000 };

/** "14d 0h 0m 9.3s" → milliseconds; throws on anything else, so a format change is noticed. */
function parseSpan(text: string): number {
  const negative = text.startsWith('-');
  let ms = 0;
  for (const part of (negative ? text.slice(1) : text).split(' ')) {
    const m = /^(\d+(?:\.\d{1,3})?)([dhms])$/.exec(part);
    if (!m) throw new Error(`not a span: ${JSON.stringify(text)}`);
    ms += Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  }
  return negative ? -ms : ms;
}

const threshold = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((n) => n * DAY),
  fc.integer({ min: 0, max: 400 * 24 }).map((n) => n * HOUR),
  fc.integer({ min: 0, max: 400 * 86_400 }).map((n) => n * 1_000),
);
/** An age near the threshold (the hard cases) or anywhere. */
const ageAround = (t: number) =>
  fc.oneof(
    fc.integer({ min: -2 * DAY, max: 2 * DAY }).map((delta) => Math.max(0, t + delta)),
    fc.integer({ min: -2_000, max: 2_000 }).map((delta) => Math.max(0, t + delta)),
    fc.integer({ min: 0, max: 500 * DAY }),
  );

describe('formatAgeAgainst', () => {
  it('the threshold reads exactly; the age never reads as more than it is, and compares with the threshold as the real age does', () => {
    fc.assert(
      fc.property(threshold.chain((t) => fc.tuple(fc.constant(t), ageAround(t))), ([t, a]) => {
        const printed = formatAgeAgainst(a, t);
        const age = parseSpan(printed.age);
        expect(parseSpan(printed.threshold)).toBe(t);
        expect(age).toBeLessThanOrEqual(a);
        if (a > t) expect(age).toBeGreaterThan(t);
        if (a < t) expect(age).toBeLessThan(t);
        if (a === t) expect(age).toBeLessThanOrEqual(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('adds units only while needed: one unit less would no longer read greater', () => {
    fc.assert(
      fc.property(threshold.chain((t) => fc.tuple(fc.constant(t), ageAround(t))), ([t, a]) => {
        fc.pre(a > t);
        const age = formatAgeAgainst(a, t).age;
        const parts = age.split(' ');
        const last = parts[parts.length - 1]!;
        // One step coarser: without the last decimal of the seconds, else without the last unit.
        let coarser: string;
        if (last.includes('.')) coarser = [...parts.slice(0, -1), last.slice(0, -2).replace(/\.$/, '') + 's'].join(' ');
        else if (parts.length > 1) coarser = parts.slice(0, -1).join(' ');
        else return; // a single whole unit: the coarsest an age prints
        expect(parseSpan(coarser), `${age} could be ${coarser}`).toBeLessThanOrEqual(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('formatSpan reads back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000 * DAY, max: 1000 * DAY }), (ms) => {
        expect(parseSpan(formatSpan(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });
});

/** The printed span as formatDuration builds it, for every call (the formatter before its texts were remembered). */
function referenceSpan(ms: number, step: number): string {
  const STEPS = [DAY, HOUR, 60_000, 1_000, 100, 10, 1];
  const UNITS = ['days', 'hours', 'minutes', 'seconds'] as const;
  const SUFFIX: Record<string, string> = { xDays: 'd', xHours: 'h', xMinutes: 'm', xSeconds: 's' };
  const abs = Math.abs(ms);
  const kept = abs - (abs % STEPS[step]!);
  if (kept === 0) return '0s';
  const values = [Math.floor(kept / DAY), Math.floor((kept % DAY) / HOUR), Math.floor((kept % HOUR) / 60_000), (kept % 60_000) / 1_000];
  let first = 0;
  while (values[first] === 0) first++;
  const duration: Duration = {};
  for (let u = first; u <= Math.min(step, UNITS.length - 1); u++) duration[UNITS[u]!] = values[u];
  const text = formatDuration(duration, { format: [...UNITS], zero: true, locale: { formatDistance: (token, count) => `${count}${SUFFIX[token] ?? ` ${token}`}` } });
  return ms < 0 ? `-${text}` : text;
}

function referenceAgeAgainst(ageMs: number, thresholdMs: number): { age: string; threshold: string } {
  const STEPS = [DAY, HOUR, 60_000, 1_000, 100, 10, 1];
  const abs = Math.abs(ageMs);
  let step = 0;
  while (step < STEPS.length - 1 && abs < STEPS[step]!) step++;
  if (ageMs > thresholdMs) while (step < STEPS.length - 1 && abs - (abs % STEPS[step]!) <= thresholdMs) step++;
  const t = Math.abs(thresholdMs);
  let last = STEPS.length - 1;
  while (last > 0 && t % STEPS[last - 1]! === 0) last--;
  return { age: referenceSpan(ageMs, step), threshold: referenceSpan(thresholdMs, last) };
}

describe('remembered spans', () => {
  it('print exactly what formatDuration prints, the first time and every time after (property)', () => {
    // Few distinct values, drawn again and again, so most calls are answered from memory.
    const span = fc.oneof(fc.integer({ min: -3, max: 40 }).map((n) => n * DAY), fc.integer({ min: -2 * DAY, max: 60 * DAY }), fc.constantFrom(0, 1, 999, 1_000, 9_300, HOUR + 1));
    fc.assert(
      fc.property(fc.array(fc.tuple(span, span), { minLength: 1, maxLength: 30 }), (pairs) => {
        for (const [age, limit] of [...pairs, ...pairs]) {
          expect(formatAgeAgainst(age, limit)).toEqual(referenceAgeAgainst(age, limit));
          expect(formatSpan(limit)).toBe(referenceAgeAgainst(0, limit).threshold);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('ages in plan reasons', () => {
  const plan = (images: ImageRecord[], conditions: Condition[], minAgeMs = 0) =>
    planRepository({ repositoryName: 'repo', images }, ruleSet(conditions.map((c, k) => rule(`r${k}`, {}, c)), { minAgeMs }), NOW);

  it("the issue's case: 14d and 9s against 14d reads 'pushed 14d 0h 0m 9s ago > 14d'", () => {
    const p = plan([{ imageDigest: d('a'), imageTags: ['pr-5'], imagePushedAt: NOW - 14 * DAY - 9_000 }], [{ type: 'sinceImagePushed', ms: 14 * DAY }]);
    expect(p.images[0]!.reason).toBe('delete: pushed 14d 0h 0m 9s ago > 14d (rule r0)');
  });

  it('minAge: an image 1s short of 3d reads younger ("pushed 2d ago"), never "pushed 3d ago < minAge 3d"', () => {
    const p = plan([{ imageDigest: d('a'), imagePushedAt: NOW - 3 * DAY + 1_000 }], [{ type: 'sinceImagePushed', ms: 0 }], 3 * DAY);
    expect(p.images[0]!.reason).toBe('keep: younger than minAge 3d (pushed 2d ago) (rule r0 would delete it)');
  });

  // Every reason that compares an age with a threshold, and the relation it claims.
  const COMPARED = /(?:pushed|last pulled|restored from archive|archived) (\S+(?: \S+)*?) ago (>|is not more than) (\S+(?: \S+)*?) \(rule/;
  const YOUNGER = /younger than minAge (\S+(?: \S+)*?) \(pushed (\S+(?: \S+)*?) ago\)/;

  it('for pushed, pulled and archived ages and minAge, the printed numbers compare as the reason says', () => {
    const kind = fc.constantFrom('sinceImagePushed' as const, 'sinceImagePulled' as const, 'sinceImageTransitioned' as const);
    fc.assert(
      fc.property(
        threshold,
        fc.integer({ min: 0, max: 3 * DAY }),
        kind,
        fc.array(fc.record({ delta: fc.integer({ min: -3 * DAY, max: 3 * DAY }), fine: fc.integer({ min: -1_500, max: 1_500 }), pulled: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        (t, minAgeMs, type, raws) => {
          const images: ImageRecord[] = raws.map((r, i) => {
            const at = NOW - Math.max(0, t + r.delta + r.fine);
            const record: ImageRecord = { imageDigest: `sha256:${i.toString(16).padStart(64, '0')}`, imagePushedAt: at };
            if (type === 'sinceImagePulled' && r.pulled) record.lastRecordedPullTime = at;
            if (type === 'sinceImageTransitioned') Object.assign(record, { imageStatus: 'ARCHIVED', lastArchivedAt: at, imagePushedAt: at - DAY });
            return record;
          });
          const condition = { type, ms: t } as Condition;
          const rs = ruleSet([rule('r', { storageClass: type === 'sinceImageTransitioned' ? 'archive' : 'standard' }, condition)], { minAgeMs });
          let compared = 0;
          for (const image of planRepository({ repositoryName: 'repo', images }, rs, NOW).images) {
            const c = COMPARED.exec(image.reason);
            if (c) {
              compared++;
              const [age, limit] = [parseSpan(c[1]!), parseSpan(c[3]!)];
              expect(limit).toBe(t);
              if (c[2] === '>') expect(age, image.reason).toBeGreaterThan(limit);
              else expect(age, image.reason).toBeLessThanOrEqual(limit);
            }
            const y = YOUNGER.exec(image.reason);
            if (y) {
              compared++;
              expect(parseSpan(y[1]!)).toBe(minAgeMs);
              expect(parseSpan(y[2]!), image.reason).toBeLessThan(parseSpan(y[1]!));
            }
          }
          expect(compared).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
