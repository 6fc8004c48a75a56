import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RulesValidationError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/core/duration.js';
import { parseRules } from '../../lib/core/rules-parser.js';
import { rulesDocumentArb } from './arbitraries.js';

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
});
