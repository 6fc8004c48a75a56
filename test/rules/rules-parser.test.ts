import { describe, expect, it } from 'vitest';
import { RulesValidationError, type RuleIssue } from '../../lib/errors.js';
import { parseRules } from '../../lib/core/rules-parser.js';

const DAY = 86_400_000;

/** Rules text from lines, so tests can state line numbers plainly. */
const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

function issuesOf(text: string, options: Parameters<typeof parseRules>[1] = { file: 'rules.yml' }): RuleIssue[] {
  try {
    parseRules(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return [...(error as RulesValidationError).issues];
  }
  throw new Error('expected the rules to be rejected');
}

/** A valid one-policy document with the given rule lines (indented under `rules:`), rules start at line 6. */
const withRules = (...ruleLines: string[]) =>
  lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["**"] }', '    rules:', ...ruleLines.map((l) => `      ${l}`));

describe('parseRules: valid files', () => {
  it('maps every field to the normalised RuleSet', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  mode: apply',
      '  minAge: 3d',
      '  maxDeletionsPerRun: 500',
      '  maxDeletePercentPerRepository: 50',
      'protect:',
      '  tags: [latest, "prod*", "/^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$/"]',
      '  repositories: ["infra/**"]',
      'policies:',
      '  - name: services',
      '    repositories:',
      '      include: ["team-a/**", "team-b/*"]',
      '      exclude: ["team-a/legacy-*"]',
      '    rules:',
      '      - id: untagged-7d',
      '        description: untagged leftovers',
      '        select: { tagStatus: untagged }',
      '        when: { sinceImagePushed: 7d }',
      '      - id: releases',
      '        select: { tagStatus: tagged, tagPatterns: ["v*"], excludeTagPatterns: ["*-pinned"] }',
      '        when: { imageCountMoreThan: 20, orderBy: semver }',
      '      - id: big',
      '        select: { tagStatus: any, excludeTagPatterns: ["keep-*"] }',
      '        when: { sizeLargerThan: 1.5GiB }',
      '      - id: budget',
      '        select: { tagStatus: tagged, tagPatterns: ["*"] }',
      '        when: { totalSizeMoreThan: 20GB }',
      '      - id: cold',
      '        select: { tagStatus: tagged, tagPatterns: ["feature-?-*"] }',
      '        when: { sinceImagePulled: 2w }',
      '        action: transition',
      '      - id: archived',
      '        select: { tagStatus: any, storageClass: archive }',
      '        when: { sinceImageTransitioned: 90d }',
    );
    const rs = parseRules(text, { file: 'rules.yml' });
    expect(rs.source).toBe('rules.yml');
    expect(rs.defaults).toEqual({ mode: 'apply', minAgeMs: 3 * DAY, maxDeletionsPerRun: 500, maxDeletePercentPerRepository: 50 });
    expect(rs.protect).toEqual({ tags: ['latest', 'prod*', '/^v\\d+\\.\\d+\\.\\d+$/'], repositories: ['infra/**'] });
    const [policy] = rs.policies;
    expect(policy?.name).toBe('services');
    expect(policy?.origin).toBe('rules');
    expect(policy?.repositories).toEqual({ include: ['team-a/**', 'team-b/*'], exclude: ['team-a/legacy-*'] });
    expect(policy?.rules.map((r) => [r.id, r.condition, r.action.type])).toEqual([
      ['untagged-7d', { type: 'sinceImagePushed', ms: 7 * DAY }, 'expire'],
      ['releases', { type: 'imageCountMoreThan', count: 20, orderBy: 'semver' }, 'expire'],
      ['big', { type: 'sizeLargerThan', bytes: 1.5 * 1024 ** 3 }, 'expire'],
      ['budget', { type: 'totalSizeMoreThan', bytes: 20_000_000_000 }, 'expire'],
      ['cold', { type: 'sinceImagePulled', ms: 14 * DAY }, 'transition'],
      ['archived', { type: 'sinceImageTransitioned', ms: 90 * DAY }, 'expire'],
    ]);
    expect(policy?.rules[1]).toMatchObject({
      selection: { tagStatus: 'tagged', tagPatterns: ['v*'], excludeTagPatterns: ['*-pinned'], storageClass: 'standard' },
      source: { file: 'rules.yml', line: 20, column: 9 },
    });
    expect(policy?.rules[0]?.description).toBe('untagged leftovers');
    expect(policy?.rules[4]?.action).toEqual({ type: 'transition', targetStorageClass: 'archive' });
    expect(policy?.rules[5]?.selection.storageClass).toBe('archive');
  });

  it('defaults to dry-run, a 1d grace period and no limits', () => {
    const rs = parseRules(withRules('- id: a', '  select: { tagStatus: untagged }', '  when: { imageCountMoreThan: 1 }'));
    expect(rs.defaults).toEqual({ mode: 'dry-run', minAgeMs: DAY, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null });
    expect(rs.protect).toEqual({ tags: [], repositories: [] });
    expect(rs.policies[0]?.rules[0]?.condition).toEqual({ type: 'imageCountMoreThan', count: 1, orderBy: 'pushedAt' });
    expect(rs.source).toBeUndefined();
  });

  it('accepts minAge 0s and explicit null limits', () => {
    const rs = parseRules(
      lines('version: 1', 'defaults: { minAge: 0s, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null }', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', '    rules:', '      - { id: a, select: { tagStatus: any }, when: { sinceImagePushed: 30m } }'),
    );
    expect(rs.defaults.minAgeMs).toBe(0);
    expect(rs.policies[0]?.rules[0]?.condition).toEqual({ type: 'sinceImagePushed', ms: 30 * 60_000 });
  });

  it('supports YAML anchors, aliases and merge keys, and locates errors inside them', () => {
    const text = lines(
      'version: 1',
      'x-untagged: &untagged { tagStatus: untagged }',
      'policies:',
      '  - name: a',
      '    repositories: &repos { include: ["a/*"] }',
      '    rules:',
      '      - &rule { id: untagged, select: *untagged, when: { sinceImagePushed: 7d } }',
      '  - name: b',
      '    repositories: { <<: *repos, exclude: ["a/x"] }',
      '    rules: [*rule]',
    );
    // The top-level anchor holder is an unknown key: reported like any other.
    expect(issuesOf(text)).toEqual([expect.objectContaining({ line: 2, column: 1, path: 'x-untagged' })]);
    const rs = parseRules(text.replace('x-untagged: &untagged { tagStatus: untagged }\n', '').replace('select: *untagged', 'select: &untagged { tagStatus: untagged }'));
    expect(rs.policies[1]?.repositories).toEqual({ include: ['a/*'], exclude: ['a/x'] });
    expect(rs.policies[1]?.rules[0]?.selection.tagStatus).toBe('untagged');
  });

  it('reads inline lifecycle policies with ECR semantics', () => {
    const rs = parseRules(
      lines(
        'version: 1',
        'policies:',
        '  - name: native',
        '    repositories: { include: ["legacy/*"] }',
        '    lifecyclePolicy:',
        '      rules:',
        '        - rulePriority: 2',
        '          selection: { tagStatus: any, countType: imageCountMoreThan, countNumber: 10 }',
        '          action: { type: expire }',
        '        - rulePriority: 1',
        '          selection: { tagStatus: tagged, tagPrefixList: [prod], countType: sinceImagePushed, countUnit: days, countNumber: 30 }',
        '          action: { type: expire }',
      ),
      { file: 'r.yml' },
    );
    const policy = rs.policies[0];
    expect(policy?.origin).toBe('lifecyclePolicy');
    expect(policy?.rules.map((r) => r.id)).toEqual(['priority-1', 'priority-2']);
    expect(policy?.rules[0]?.selection.tagPatterns).toEqual(['prod*']);
    expect(policy?.rules[0]?.source).toEqual({ file: 'r.yml', line: 10, column: 11 });
  });

  it('reads a lifecycle policy file through the reader, relative path as written', () => {
    const json = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }, null, 2);
    const asked: string[] = [];
    const rs = parseRules(lines('version: 1', 'policies:', '  - name: n', '    repositories: { include: ["*"] }', '    lifecyclePolicy: ./native/p.json'), {
      file: 'dir/rules.yml',
      readFile: (p) => {
        asked.push(p);
        return { text: json, file: 'dir/native/p.json' };
      },
    });
    expect(asked).toEqual(['./native/p.json']);
    expect(rs.policies[0]?.rules[0]).toMatchObject({ id: 'priority-1', source: { file: 'dir/native/p.json', line: 3 } });
  });
});

describe('parseRules: every problem, with its line and column', () => {
  it.each<[string, string, Partial<Omit<RuleIssue, 'message'>> & { message: RegExp }]>([
    ['YAML syntax: bad indentation', lines('version: 1', 'policies:', '  - name: p', ' repositories: x'), { line: 4, column: 1, message: /^YAML syntax: All mapping items must start at the same column/ }],
    ['YAML syntax: unclosed flow sequence', lines('version: 1', 'protect:', '  tags: [a, b', 'policies: []'), { line: 4, message: /^YAML syntax: / }],
    ['YAML: duplicate key', lines('version: 1', 'version: 1', 'policies: []'), { line: 2, column: 1, message: /^YAML syntax: Map keys must be unique/ }],
    ['YAML: several documents', lines('version: 1', '---', 'version: 1'), { line: 2, column: 1, message: /^YAML syntax: a rules file holds one YAML document, but a second one starts at line 2, column 1; remove the "---"/ }],
    ['YAML: a document after an end marker', lines('version: 1', 'policies: []', '...', 'extra: 1'), { line: 4, column: 1, message: /^YAML syntax: a rules file holds one YAML document, but a second one starts at line 4, column 1/ }],
    ['empty file', '', { line: 1, column: 1, path: '', message: /the rules file is empty/ }],
    ['file with only comments', lines('# nothing yet'), { line: 1, column: 1, message: /the rules file is empty/ }],
    ['root is a list', lines('- a'), { line: 1, column: 1, path: '', message: /expected a mapping/ }],
    ['version missing', lines('policies: []'), { line: 1, column: 1, path: 'version', message: /missing required key "version" \(must be 1\)/ }],
    ['version 2', lines('version: 2', 'policies: []'), { line: 1, column: 10, path: 'version', message: /version must be 1/ }],
    ['no policies', lines('version: 1', 'policies: []'), { line: 2, column: 11, path: 'policies', message: /list at least one policy/ }],
    ['unknown top-level key, with suggestion', lines('version: 1', 'polices: []', 'policies: []'), { line: 2, column: 1, path: 'polices', message: /unknown key "polices" — did you mean "policies"\?/ }],
    ['unknown key, listing allowed keys', lines('version: 1', 'defaults: { color: red }', 'policies: []'), { line: 2, column: 13, path: 'defaults.color', message: /unknown key "color" \(allowed here: mode, minAge, maxDeletionsPerRun, maxDeletePercentPerRepository\)/ }],
    ['mode typo', lines('version: 1', 'defaults:', '  mode: dryrun', 'policies: []'), { line: 3, column: 9, path: 'defaults.mode', message: /expected one of "dry-run", "apply", got "dryrun"/ }],
    ['minAge without unit', lines('version: 1', 'defaults:', '  minAge: 3', 'policies: []'), { line: 3, column: 11, path: 'defaults.minAge', message: /expected a duration such as 30m, 12h, 14d or 2w.*got number 3/ }],
    ['minAge unknown unit', lines('version: 1', 'defaults:', '  minAge: 3 days', 'policies: []'), { line: 3, path: 'defaults.minAge', message: /expected a duration/ }],
    ['maxDeletionsPerRun zero', lines('version: 1', 'defaults:', '  maxDeletionsPerRun: 0', 'policies: []'), { line: 3, column: 23, message: /maxDeletionsPerRun must be at least 1/ }],
    ['percent over 100', lines('version: 1', 'defaults:', '  maxDeletePercentPerRepository: 120', 'policies: []'), { line: 3, message: /at most 100/ }],
    ['percent zero', lines('version: 1', 'defaults:', '  maxDeletePercentPerRepository: 0', 'policies: []'), { line: 3, message: /more than 0/ }],
    ['invalid regex in protect', lines('version: 1', 'protect:', '  tags: ["/v(/"]', 'policies: []'), { line: 3, column: 10, path: 'protect.tags[0]', message: /invalid regular expression \/v\(\/: /i }],
    ['glob with bad characters', lines('version: 1', 'protect:', '  tags: ["v[0-9]"]', 'policies: []'), { line: 3, path: 'protect.tags[0]', message: /invalid glob "v\[0-9\]".*write \/regex\// }],
    ['slash but not a regex', lines('version: 1', 'protect:', '  tags: ["/v1"]', 'policies: []'), { line: 3, message: /starts with "\/" but is not a \/regex\// }],
    ['repository glob with a space', lines('version: 1', 'protect:', '  repositories: ["team a"]', 'policies: []'), { line: 3, message: /no spaces/ }],
    ['policy without repositories', lines('version: 1', 'policies:', '  - name: p', '    rules: []'), { line: 3, column: 5, path: 'policies[0].repositories', message: /missing required key "repositories"/ }],
    ['empty include', lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: [] }', '    lifecyclePolicy: x.json'), { line: 4, column: 30, message: /list at least one repository glob/ }],
    ['policy with neither rules nor lifecyclePolicy', lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }'), { line: 3, column: 5, path: 'policies[0]', message: /needs rules or lifecyclePolicy/ }],
    [
      'policy with both rules and lifecyclePolicy',
      withRules('- { id: a, select: { tagStatus: any }, when: { imageCountMoreThan: 1 } }', 'lifecyclePolicy: x.json').replace('      lifecyclePolicy', '    lifecyclePolicy'),
      { line: 7, column: 5, path: 'policies[0].lifecyclePolicy', message: /either rules or lifecyclePolicy, not both/ },
    ],
    [
      'duplicate policy names',
      lines('version: 1', 'policies:', '  - { name: p, repositories: { include: [a] }, lifecyclePolicy: x.json }', '  - { name: p, repositories: { include: [b] }, lifecyclePolicy: x.json }'),
      { line: 4, column: 13, path: 'policies[1].name', message: /already used by policies\[0\]/ },
    ],
    ['rule id not kebab-case', withRules('- id: Keep_Releases', '  select: { tagStatus: any }', '  when: { imageCountMoreThan: 1 }'), { line: 6, column: 13, path: 'policies[0].rules[0].id', message: /kebab-case/ }],
    [
      'duplicate rule ids',
      withRules('- { id: a, select: { tagStatus: untagged }, when: { imageCountMoreThan: 1 } }', '- { id: a, select: { tagStatus: tagged, tagPatterns: [x] }, when: { imageCountMoreThan: 1 } }'),
      { line: 7, column: 15, path: 'policies[0].rules[1].id', message: /rule id "a" is already used by rules\[0\]/ },
    ],
    ['unknown rule key, with suggestion', withRules('- id: a', '  selct: { tagStatus: any }', '  when: { imageCountMoreThan: 1 }'), { line: 7, column: 9, path: 'policies[0].rules[0].selct', message: /did you mean "select"\?/ }],
    ['missing when', withRules('- id: a', '  select: { tagStatus: any }'), { line: 6, column: 9, path: 'policies[0].rules[0].when', message: /missing required key "when"/ }],
    ['tagged without patterns', withRules('- id: a', '  select: { tagStatus: tagged }', '  when: { imageCountMoreThan: 1 }'), { line: 7, column: 30, path: 'policies[0].rules[0].select.tagStatus', message: /needs tagPatterns \(use \["\*"\]/ }],
    ['untagged with patterns', withRules('- id: a', '  select: { tagStatus: untagged, tagPatterns: ["x*"] }', '  when: { imageCountMoreThan: 1 }'), { line: 7, column: 40, path: 'policies[0].rules[0].select.tagPatterns', message: /"untagged" takes no tagPatterns/ }],
    ['untagged with excludes', withRules('- id: a', '  select: { tagStatus: untagged, excludeTagPatterns: ["x*"] }', '  when: { imageCountMoreThan: 1 }'), { line: 7, message: /"untagged" takes no excludeTagPatterns/ }],
    ['any with patterns', withRules('- id: a', '  select: { tagStatus: any, tagPatterns: ["x*"] }', '  when: { imageCountMoreThan: 1 }'), { line: 7, message: /tagPatterns need tagStatus "tagged"/ }],
    ['empty pattern list', withRules('- id: a', '  select: { tagStatus: tagged, tagPatterns: [] }', '  when: { imageCountMoreThan: 1 }'), { line: 7, message: /list at least one pattern, or leave the key out/ }],
    ['bad tagStatus', withRules('- id: a', '  select: { tagStatus: all }', '  when: { imageCountMoreThan: 1 }'), { line: 7, column: 30, message: /expected one of "tagged", "untagged", "any", got "all"/ }],
    ['bad storageClass', withRules('- id: a', '  select: { tagStatus: any, storageClass: glacier }', '  when: { imageCountMoreThan: 1 }'), { line: 7, message: /expected one of "standard", "archive"/ }],
    ['zero conditions', withRules('- id: a', '  select: { tagStatus: any }', '  when: {}'), { line: 8, column: 15, path: 'policies[0].rules[0].when', message: /no expiry condition: give at least one of imageCountMoreThan, sinceImagePushed.*several must all hold/ }],
    ['a bad value in a compound condition', withRules('- id: a', '  select: { tagStatus: any }', '  when:', '    imageCountMoreThan: 5', '    sinceImagePushed: 14days'), { line: 10, column: 29, path: 'policies[0].rules[0].when.sinceImagePushed', message: /expected a duration such as 30m/ }],
    ['count zero', withRules('- id: a', '  select: { tagStatus: any }', '  when: { imageCountMoreThan: 0 }'), { line: 8, column: 37, message: /imageCountMoreThan must be at least 1/ }],
    ['count negative', withRules('- id: a', '  select: { tagStatus: any }', '  when: { imageCountMoreThan: -3 }'), { line: 8, message: /imageCountMoreThan must be at least 1/ }],
    ['count not whole', withRules('- id: a', '  select: { tagStatus: any }', '  when: { imageCountMoreThan: 2.5 }'), { line: 8, message: /imageCountMoreThan must be a whole number/ }],
    ['count as a string', withRules('- id: a', '  select: { tagStatus: any }', '  when: { imageCountMoreThan: "5" }'), { line: 8, message: /whole number, got "5"/ }],
    ['orderBy without a count', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sinceImagePushed: 3d, orderBy: semver }'), { line: 8, column: 39, message: /orderBy only applies to imageCountMoreThan/ }],
    ['orderBy unknown', withRules('- id: a', '  select: { tagStatus: any }', '  when: { imageCountMoreThan: 3, orderBy: name }'), { line: 8, message: /expected one of "pushedAt", "semver"/ }],
    ['unparseable duration', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sinceImagePushed: 14days }'), { line: 8, column: 35, message: /expected a duration such as 30m.*got "14days"/ }],
    ['zero duration', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sinceImagePushed: 0d }'), { line: 8, message: /must be longer than 0/ }],
    ['unparseable size', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sizeLargerThan: 500 MiBs }'), { line: 8, message: /expected a size such as 500MiB or 20GB/ }],
    ['size without unit', withRules('- id: a', '  select: { tagStatus: any }', '  when: { totalSizeMoreThan: 500 }'), { line: 8, message: /expected a size.*got number 500/ }],
    ['duration too large', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sinceImagePushed: 99999999999999w }'), { line: 8, column: 35, message: /duration "99999999999999w" is too large/ }],
    ['minAge too large', lines('version: 1', 'defaults: { minAge: 99999999999999w }', 'policies: []'), { line: 2, column: 21, path: 'defaults.minAge', message: /too large/ }],
    ['size too large', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sizeLargerThan: 99999999TiB }'), { line: 8, message: /size "99999999TiB" is too large/ }],
    ['size with a fraction of a byte', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sizeLargerThan: 1.5B }'), { line: 8, message: /not a whole number of bytes/ }],
    ['lifecyclePolicy as a list', lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', '    lifecyclePolicy: [1]'), { line: 5, column: 22, message: /expected "attached", a path to a lifecycle policy/ }],
    ['sinceImageTransitioned on standard storage', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sinceImageTransitioned: 90d }'), { line: 8, message: /sinceImageTransitioned needs select.storageClass: archive/ }],
    ['transition of archived images', withRules('- id: a', '  select: { tagStatus: any, storageClass: archive }', '  when: { sinceImageTransitioned: 90d }', '  action: transition'), { line: 9, message: /cannot select images that are already archived/ }],
    ['unknown action', withRules('- id: a', '  select: { tagStatus: any }', '  when: { sinceImagePushed: 9d }', '  action: delete'), { line: 9, column: 17, message: /expected one of "expire", "transition", got "delete"/ }],
    [
      'rule after an all-selecting rule',
      withRules('- { id: all, select: { tagStatus: any }, when: { imageCountMoreThan: 9 } }', '- { id: late, select: { tagStatus: untagged }, when: { sinceImagePushed: 1d } }'),
      { line: 7, column: 9, path: 'policies[0].rules[1]', message: /rules\[0\] selects every standard image .* put the "any" rule last/ },
    ],
    [
      'two untagged rules',
      withRules('- { id: a, select: { tagStatus: untagged }, when: { sinceImagePushed: 9d } }', '- { id: b, select: { tagStatus: untagged }, when: { imageCountMoreThan: 3 } }'),
      { line: 7, path: 'policies[0].rules[1].select.tagStatus', message: /rules\[0\] already selects untagged standard images/ },
    ],
    ['lifecyclePolicy of the wrong type', lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', '    lifecyclePolicy: 3'), { line: 5, column: 22, message: /expected "attached", a path to a lifecycle policy \.json file or an inline lifecycle policy/ }],
    ['lifecyclePolicy JSON text in a string', lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', "    lifecyclePolicy: '{\"rules\": []}'"), { line: 5, column: 22, message: /looks like JSON text in a string/ }],
    [
      'inline lifecycle policy errors point into the YAML',
      lines(
        'version: 1',
        'policies:',
        '  - name: p',
        '    repositories: { include: ["*"] }',
        '    lifecyclePolicy:',
        '      rules:',
        '        - rulePriority: 4',
        '          selection: { tagStatus: tagged, countType: imageCountMoreThan, countNumber: 1 }',
        '          action: { type: expire }',
      ),
      { line: 8, column: 35, path: 'policies[0].lifecyclePolicy.rules[0].selection.tagStatus', message: /^rule priority 4: tagStatus "tagged" requires tagPatternList or tagPrefixList/ },
    ],
  ])('%s', (_name, text, expected) => {
    const issues = issuesOf(text);
    const { message, ...where } = expected;
    const match = issues.find((i) => message.test(i.message) && Object.entries(where).every(([k, v]) => i[k as keyof RuleIssue] === v));
    expect(match, JSON.stringify(issues, null, 1)).toBeDefined();
    expect(match?.file).toBe('rules.yml');
  });

  it('lists every problem of a file in one error, in file order', () => {
    const text = lines(
      'version: 1',
      'defaults:',
      '  mode: aply',
      'policies:',
      '  - name: p',
      '    repositories: { include: ["*"] }',
      '    rules:',
      '      - id: a',
      '        select: { tagStatus: tagged }',
      '        when: { imageCountMoreThan: 0, sinceImagePushed: 3x }',
      '      - id: a',
      '        select: { tagStatus: untagged }',
      '        when: {}',
    );
    const issues = issuesOf(text);
    expect(issues.map((i) => i.line)).toEqual([3, 9, 10, 10, 11, 13]);
    const error = (() => {
      try {
        parseRules(text, { file: 'rules.yml' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/^invalid rules \(6 problems\):\n {2}rules\.yml:3:9 defaults\.mode: expected one of/);
  });

  it('reports an unreadable lifecycle policy file at the path in the rules file', () => {
    const text = lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', '    lifecyclePolicy: missing.json');
    const issues = issuesOf(text, {
      file: 'rules.yml',
      readFile: () => {
        throw new Error('ENOENT: no such file');
      },
    });
    expect(issues).toEqual([
      { file: 'rules.yml', line: 5, column: 22, path: 'policies[0].lifecyclePolicy', message: 'cannot read lifecycle policy file "missing.json": ENOENT: no such file' },
    ]);
    expect(issuesOf(text)[0]?.message).toMatch(/need a file reader/);
  });

  it('names no yaml-library function when a file holds several documents', () => {
    const issues = issuesOf(lines('version: 1', 'policies: []', '---', 'version: 1', '---', 'policies: []'));
    expect(issues).toEqual([
      { file: 'rules.yml', line: 3, column: 1, path: '', message: expect.stringContaining('a second one starts at line 3, column 1') },
    ]);
    expect(issues[0]?.message).not.toMatch(/parseAllDocuments|YAML\./);
  });

  const nativeFile = (text: string) =>
    issuesOf(lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', '    lifecyclePolicy: ./native/p.json'), {
      file: 'rules.yml',
      readFile: () => ({ file: 'native/p.json', text }),
    });

  it.each<[string, string, { line: number; column: number; message: string }]>([
    ['two commas', '{\n  "rules": [\n    { "rulePriority": 1,, }\n  ]\n}\n', { line: 3, column: 25, message: "JSON syntax: expected a double-quoted property name, found ','" }],
    ['a missing comma', '{\n  "rules": [\n    { "rulePriority": 1 "selection": {} }\n  ]\n}\n', { line: 3, column: 25, message: `JSON syntax: expected ',' or '}' after a property value, found '"'` }],
    ['a trailing comma', '{\n  "rules": [\n    {},\n  ]\n}\n', { line: 4, column: 3, message: "JSON syntax: trailing comma before ']'" }],
    ['a misspelt literal', '{ "rules": tru }', { line: 1, column: 12, message: 'JSON syntax: unexpected word "tru"; a value is a "string", a number, true, false, null, an {object} or an [array]' }],
    ['a cut-off file', '{\n  "rules": [\n', { line: 3, column: 1, message: 'JSON syntax: expected a value, found the end of the file' }],
    ['single quotes', "{ 'rules': [] }", { line: 1, column: 3, message: `JSON syntax: expected a double-quoted property name, found '''` }],
    ['a repeated key', '{ "rules": [], "rules": [] }', { line: 1, column: 16, message: 'JSON: a key appears twice in the same object; each key may appear once' }],
  ])('reports a JSON syntax error in a lifecycle policy file as JSON, at that file\'s position: %s', (_name, text, expected) => {
    expect(nativeFile(text)).toEqual([{ file: 'native/p.json', path: '', ...expected }]);
  });

  it('says a lifecycle policy file written in YAML must be JSON', () => {
    const issues = nativeFile('rules:\n  - rulePriority: 1\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'native/p.json', line: 1, column: 1 });
    expect(issues[0]?.message).toMatch(/^a lifecycle policy file must be JSON \(ECR rejects YAML\); JSON syntax: unexpected word "rules"/);
  });

  it('reports problems inside a lifecycle policy file with that file\'s positions', () => {
    const issues = issuesOf(lines('version: 1', 'policies:', '  - name: p', '    repositories: { include: ["*"] }', '    lifecyclePolicy: p.json'), {
      file: 'rules.yml',
      readFile: () => ({
        file: 'p.json',
        text: '{\n  "rules": [\n    { "rulePriority": 1, "selection": { "tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 9 }, "action": { "type": "expire" } }\n  ]\n}\n',
      }),
    });
    expect(issues).toEqual([
      expect.objectContaining({ file: 'p.json', line: 3, path: 'rules[0].action.type', message: expect.stringMatching(/^rule priority 1: countType "sinceImagePulled" must be used with action "transition"/) }),
    ]);
  });
});
