import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RulesValidationError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/core/duration.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { nativePolicyArb, rulesDocumentArb } from './arbitraries.js';
import { parseLifecyclePolicy } from '../../lib/core/lifecycle-policy.js';

/** Every path into a JSON value, the root's (`[]`) first. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

/** Replaces, in place, the part of `doc` at its `pick`-th non-root path (modulo their count) with `value`. */
function replaceSomePart(doc: object, pick: number, value: unknown): void {
  const all = paths(doc).filter((p) => p.length > 0);
  const path = all[pick % all.length]!;
  let parent: Record<string | number, unknown> = doc as never;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as never;
  parent[path[path.length - 1]!] = value;
}

describe('parseRules properties', () => {
  it('any valid generated rules document parses, keeping policies, rule ids, order and defaults', () => {
    fc.assert(
      fc.property(rulesDocumentArb, (doc) => {
        const rs = parseRules(stringify(doc), { file: 'gen.yml' });
        expect(rs.policies.map((p) => p.name)).toEqual(doc.policies.map((p) => p.name));
        expect(rs.policies.map((p) => p.rules.map((r) => r.id))).toEqual(doc.policies.map((p) => p.rules.map((r) => r.id)));
        expect(rs.defaults.mode).toBe(doc.defaults.mode ?? 'dry-run');
        expect(rs.defaults.minAgeMs).toBe(parseDuration(doc.defaults.minAge ?? '1d'));
        expect(rs.defaults.maxDeletionsPerRun).toBe(doc.defaults.maxDeletionsPerRun ?? null);
        for (const policy of rs.policies) {
          for (const rule of policy.rules) {
            expect(rule.source?.file).toBe('gen.yml');
            expect(rule.source?.line).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the same text always gives the same RuleSet', () => {
    fc.assert(
      fc.property(rulesDocumentArb, (doc) => {
        const text = stringify(doc);
        expect(parseRules(text)).toEqual(parseRules(text));
      }),
      { numRuns: 50 },
    );
  });

  it('an unknown key anywhere in a valid document is reported at that key', () => {
    fc.assert(
      fc.property(rulesDocumentArb, fc.nat(), (doc, pick) => {
        const policy = doc.policies[pick % doc.policies.length]!;
        const rule = policy.rules[pick % policy.rules.length]!;
        (rule as Record<string, unknown>).extraKey = true;
        let error: unknown;
        try {
          parseRules(stringify(doc));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RulesValidationError);
        const issues = (error as RulesValidationError).issues;
        expect(issues).toHaveLength(1);
        expect(issues[0]?.message).toMatch(/^unknown key "extraKey"/);
        expect(issues[0]?.path).toMatch(/^policies\[\d+\]\.rules\[\d+\]\.extraKey$/);
      }),
      { numRuns: 100 },
    );
  });

  it('never fails with anything but a RulesValidationError, whatever value replaces any part of a valid document', () => {
    const replacement = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('99999999999999w', '0d', '1.5B', '99999999TiB', '/(/', '', '*'.repeat(9), -1, 0, 1e300, '__proto__', 'constructor'),
    );
    fc.assert(
      fc.property(rulesDocumentArb, fc.nat(), replacement, (doc, pick, value) => {
        replaceSomePart(doc, pick, value);
        try {
          parseRules(stringify(doc));
        } catch (error) {
          expect(error).toBeInstanceOf(RulesValidationError);
          for (const issue of (error as RulesValidationError).issues) {
            expect(issue.line).toBeGreaterThan(0);
            expect(issue.column).toBeGreaterThan(0);
            expect(issue.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a native policy with any part replaced is either valid or rejected with a RulesValidationError', () => {
    fc.assert(
      fc.property(nativePolicyArb, fc.nat(), fc.jsonValue({ maxDepth: 2 }), (policy, pick, value) => {
        replaceSomePart(policy, pick, value);
        try {
          const rules = parseLifecyclePolicy(JSON.stringify(policy, null, 2));
          expect(rules.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(RulesValidationError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
