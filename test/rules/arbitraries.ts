/**
 * fast-check generators of valid inputs: native lifecycle policies (ECR's constraints hold by
 * construction) and ecr-sweeper rules documents.
 */
import fc from 'fast-check';

const word = fc.constantFrom('prod', 'beta', 'alpha', 'release', 'pr', 'feature', 'v1', 'main', 'rc', 'x');
const nativePattern = fc
  .tuple(word, fc.constantFrom('', '*', '-*', '*-*', '*.*.*'), fc.boolean())
  .map(([w, tail, lead]) => `${lead ? '*' : ''}${w}${tail}`);

type NativeRule = {
  rulePriority: number;
  description?: string;
  selection: Record<string, unknown>;
  action: Record<string, unknown>;
};

const standardCondition = fc.oneof(
  fc.record({ countType: fc.constant('imageCountMoreThan'), countNumber: fc.integer({ min: 1, max: 1000 }), transition: fc.boolean() }),
  fc.record({ countType: fc.constant('sinceImagePushed'), countUnit: fc.constant('days'), countNumber: fc.integer({ min: 1, max: 3650 }), transition: fc.boolean() }),
  fc.record({ countType: fc.constant('sinceImagePulled'), countUnit: fc.constant('days'), countNumber: fc.integer({ min: 1, max: 3650 }), transition: fc.constant(true) }),
);

function build(cond: { transition: boolean } & Record<string, unknown>, selection: Record<string, unknown>, description: string | null): Omit<NativeRule, 'rulePriority'> {
  const { transition, ...count } = cond;
  return {
    ...(description !== null ? { description } : {}),
    selection: { ...selection, ...count },
    action: transition ? { type: 'transition', targetStorageClass: 'archive' } : { type: 'expire' },
  };
}

/** A valid native lifecycle policy object, in shuffled rule order with gaps in rulePriority. */
export const nativePolicyArb = fc
  .record({
    tagged: fc.uniqueArray(
      fc.record({
        list: fc.uniqueArray(nativePattern, { minLength: 1, maxLength: 3 }),
        prefix: fc.boolean(),
        cond: standardCondition,
        description: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      }),
      { maxLength: 5, selector: (r) => JSON.stringify([...r.list].sort()) },
    ),
    untagged: fc.option(standardCondition, { nil: null }),
    any: fc.option(standardCondition, { nil: null }),
    archive: fc.option(fc.record({ status: fc.constantFrom('any', 'untagged'), days: fc.integer({ min: 90, max: 1000 }) }), { nil: null }),
    gaps: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 10, maxLength: 10 }),
    seed: fc.integer(),
  })
  .filter((p) => p.tagged.length + (p.untagged ? 1 : 0) + (p.any ? 1 : 0) + (p.archive ? 1 : 0) > 0)
  .map((p) => {
    const ordered: Omit<NativeRule, 'rulePriority'>[] = [];
    for (const t of p.tagged) {
      // Prefix form only for plain words (a prefix takes no "*").
      const usePrefix = t.prefix && t.list.every((x) => /^[a-z0-9]+\*$/.test(x));
      const selection = usePrefix ? { tagStatus: 'tagged', tagPrefixList: t.list.map((x) => x.slice(0, -1)) } : { tagStatus: 'tagged', tagPatternList: t.list };
      ordered.push(build(t.cond, selection, t.description));
    }
    if (p.untagged) ordered.push(build(p.untagged, { tagStatus: 'untagged' }, null));
    if (p.any) ordered.push(build(p.any, { tagStatus: 'any' }, null));
    if (p.archive) {
      ordered.push({
        selection: { tagStatus: p.archive.status, storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: p.archive.days },
        action: { type: 'expire' },
      });
    }
    let priority = 0;
    const rules = ordered.map((r, i) => ({ rulePriority: (priority += p.gaps[i % p.gaps.length] ?? 1), ...r }));
    // Deterministic shuffle: ECR orders by rulePriority, not by position.
    const shuffled = rules.map((r, i) => ({ r, k: (i * 7919 + p.seed) % 13 })).sort((a, b) => a.k - b.k).map((x) => x.r);
    return { rules: shuffled };
  });

const duration = fc.tuple(fc.integer({ min: 1, max: 500 }), fc.constantFrom('s', 'm', 'h', 'd', 'w')).map(([n, u]) => `${n}${u}`);
const size = fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('B', 'kB', 'MB', 'GB', 'KiB', 'MiB', 'GiB')).map(([n, u]) => `${n}${u}`);
const tagPattern = fc.oneof(nativePattern, word.map((w) => `${w}-?`), word.map((w) => `/^${w}-\\d+$/`));
const when = fc.oneof(
  fc.record({ imageCountMoreThan: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ imageCountMoreThan: fc.integer({ min: 1, max: 100 }), orderBy: fc.constantFrom('pushedAt', 'semver') }),
  fc.record({ sinceImagePushed: duration }),
  fc.record({ sinceImagePulled: duration }),
  fc.record({ sizeLargerThan: size }),
  fc.record({ totalSizeMoreThan: size }),
);
const ruleBody = (select: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({
    description: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
    select,
    when,
    action: fc.option(fc.constantFrom('expire', 'transition'), { nil: undefined }),
  });

const policyArb = fc
  .record({
    tagged: fc.array(
      ruleBody(
        fc.record(
          { tagStatus: fc.constant('tagged'), tagPatterns: fc.array(tagPattern, { minLength: 1, maxLength: 3 }), excludeTagPatterns: fc.array(tagPattern, { minLength: 1, maxLength: 2 }) },
          { requiredKeys: ['tagStatus', 'tagPatterns'] },
        ),
      ),
      { maxLength: 4 },
    ),
    untagged: fc.option(ruleBody(fc.constant({ tagStatus: 'untagged' })), { nil: null }),
    any: fc.option(ruleBody(fc.record({ tagStatus: fc.constant('any'), excludeTagPatterns: fc.array(tagPattern, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['tagStatus'] })), { nil: null }),
    include: fc.array(fc.constantFrom('**', 'team-a/**', 'svc-*', 'app'), { minLength: 1, maxLength: 3 }),
  })
  .filter((p) => p.tagged.length + (p.untagged ? 1 : 0) + (p.any ? 1 : 0) > 0)
  .map((p) => {
    const bodies = [...p.tagged, ...(p.untagged ? [p.untagged] : []), ...(p.any ? [p.any] : [])];
    return {
      repositories: { include: p.include },
      rules: bodies.map((b, i) => Object.fromEntries(Object.entries({ id: `rule-${i + 1}`, ...b }).filter(([, v]) => v !== undefined))),
    };
  });

/** A valid rules document (as a plain object, ready for YAML.stringify). */
export const rulesDocumentArb = fc
  .record({
    defaults: fc.record(
      {
        mode: fc.constantFrom('dry-run', 'apply'),
        minAge: fc.oneof(duration, fc.constant('0s')),
        maxDeletionsPerRun: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
        maxDeletePercentPerRepository: fc.option(fc.double({ min: 0.5, max: 100, noNaN: true }), { nil: null }),
      },
      { requiredKeys: [] },
    ),
    protect: fc.record({ tags: fc.array(tagPattern, { maxLength: 3 }), repositories: fc.array(fc.constantFrom('infra/**', 'prod-*'), { maxLength: 2 }) }, { requiredKeys: [] }),
    policies: fc.array(policyArb, { minLength: 1, maxLength: 3 }),
  })
  .map((d) => ({ version: 1, ...d, policies: d.policies.map((p, i) => ({ name: `policy-${i + 1}`, ...p })) }));
