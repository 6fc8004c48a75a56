/**
 * The rules file's `targets:` and `organization:` blocks (issue 10): what each valid block means
 * (the setting target resolution reads), and every kind of bad value refused with its path, line,
 * column and a message that says what to write instead, naming both places when two clash.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../lib/core/rules-parser.js';
import { TARGETS_LIMITS } from '../../lib/core/rules-limits.js';
import { hashRules } from '../../lib/engine/sweep.js';
import { RulesValidationError, type RuleIssue } from '../../lib/errors.js';

const POLICIES = ['policies:', '  - name: p', '    repositories: { include: ["**"] }', '    rules:', '      - { id: a, select: { tagStatus: untagged }, when: { sinceImagePushed: 7d } }'];

/** A valid file with `lines` between `version: 1` (line 1) and the policies: the first is line 2. */
const withLines = (...lines: string[]) => `${['version: 1', ...lines, ...POLICIES].join('\n')}\n`;

function issuesOf(text: string): RuleIssue[] {
  try {
    parseRules(text, { file: 'r.yml' });
  } catch (error) {
    expect(error).toBeInstanceOf(RulesValidationError);
    return [...(error as RulesValidationError).issues];
  }
  throw new Error('expected the rules to be rejected');
}

const brief = (issues: RuleIssue[]) => issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);

describe('targets: valid blocks', () => {
  it('neither block leaves RuleSet.targets unset, so the rule set and its hash are what they were before targets existed', () => {
    const rs = parseRules(withLines());
    expect('targets' in rs).toBe(false);
    const legacy = parseRules(withLines());
    expect(hashRules(rs)).toBe(hashRules(legacy));
  });

  it('a target list keeps each entry as written: role name or ARN, external id, Region list or all', () => {
    const rs = parseRules(
      withLines(
        'targets:',
        '  - accountId: "012345678901"',
        '    roleName: EcrSweeperTarget',
        '    externalId: sweeper-ext-1',
        '    regions: [eu-west-1, us-east-1]',
        '  - accountId: "222222222222"',
        '    roleArn: arn:aws:iam::222222222222:role/platform/EcrSweeperTarget',
        '    regions: all',
        '  - { accountId: "333333333333", regions: [us-gov-west-1, cn-north-1, us-iso-east-1, us-isob-east-1] }',
        '  - { accountId: "444444444444", roleName: team/Sweeper, regions: [ap-southeast-2] }',
      ),
    );
    expect(rs.targets).toEqual({
      kind: 'list',
      targets: [
        { accountId: '012345678901', roleName: 'EcrSweeperTarget', externalId: 'sweeper-ext-1', regions: ['eu-west-1', 'us-east-1'] },
        { accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/platform/EcrSweeperTarget', regions: 'all' },
        { accountId: '333333333333', regions: ['us-gov-west-1', 'cn-north-1', 'us-iso-east-1', 'us-isob-east-1'] },
        { accountId: '444444444444', roleName: 'team/Sweeper', regions: ['ap-southeast-2'] },
      ],
    });
  });

  it('the same account in two entries with different Regions is two sets of targets, not a duplicate', () => {
    const rs = parseRules(withLines('targets:', '  - { accountId: "111111111111", roleName: r, regions: [eu-west-1] }', '  - { accountId: "111111111111", roleName: r2, regions: [us-east-1] }'));
    expect(rs.targets?.kind).toBe('list');
  });

  it('an organization block fills absent filters with empty lists (empty include = every account)', () => {
    const rs = parseRules(withLines('organization:', '  roleName: EcrSweeperTarget', '  regions: all'));
    expect(rs.targets).toEqual({ kind: 'organization', roleName: 'EcrSweeperTarget', regions: 'all', accounts: { include: [], exclude: [] }, ous: { include: [], exclude: [] } });
  });

  it('an organization block with every filter', () => {
    const rs = parseRules(
      withLines(
        'organization:',
        '  roleName: EcrSweeperTarget',
        '  externalId: "x-1234"',
        '  regions: [eu-west-1]',
        '  accounts: { include: ["111111111111"], exclude: ["222222222222"] }',
        '  ous: { include: [ou-ab12-cd34ef56], exclude: [ou-ab12-99999999] }',
      ),
    );
    expect(rs.targets).toEqual({
      kind: 'organization',
      roleName: 'EcrSweeperTarget',
      externalId: 'x-1234',
      regions: ['eu-west-1'],
      accounts: { include: ['111111111111'], exclude: ['222222222222'] },
      ous: { include: ['ou-ab12-cd34ef56'], exclude: ['ou-ab12-99999999'] },
    });
  });

  it('targets change the rules hash (a checkpoint of another set of targets does not resume)', () => {
    const one = parseRules(withLines('targets:', '  - { accountId: "111111111111", roleName: r, regions: [eu-west-1] }'));
    const two = parseRules(withLines('targets:', '  - { accountId: "111111111111", roleName: r, regions: [eu-west-2] }'));
    expect(hashRules(one)).not.toBe(hashRules(two));
  });
});

describe('targets: refused, with the place and what to write', () => {
  it.each<[string, string[], string[]]>([
    [
      'an unquoted account id',
      ['targets:', '  - { accountId: 111111111111, roleName: r, regions: [eu-west-1] }'],
      ['3:18 targets[0].accountId: an account id is 12 digits in quotes (e.g. "012345678901"): unquoted, YAML reads it as a number and drops leading zeros, got number 111111111111'],
    ],
    ['an 11-digit account id', ['targets:', '  - { accountId: "11111111111", roleName: r, regions: [eu-west-1] }'], ['3:18 targets[0].accountId: an account id is exactly 12 digits, got "11111111111"']],
    [
      'a misspelt Region, with the name it meant',
      ['targets:', '  - { accountId: "111111111111", roleName: r, regions: [eu-west1, euwest2] }'],
      [
        '3:57 targets[0].regions[0]: expected a Region name such as eu-west-1, got "eu-west1" — did you mean "eu-west-1"?',
        '3:67 targets[0].regions[1]: expected a Region name such as eu-west-1, got "euwest2" — did you mean "eu-west-2"?',
      ],
    ],
    [
      'one Region given as a string',
      ['targets:', '  - { accountId: "111111111111", roleName: r, regions: eu-west-1 }'],
      ['3:56 targets[0].regions: expected a list of Regions such as [eu-west-1, us-east-1], or all, got "eu-west-1" — write it as a list: [eu-west-1]'],
    ],
    ['"al" for all', ['targets:', '  - { accountId: "111111111111", roleName: r, regions: al }'], ['3:56 targets[0].regions: expected a list of Regions such as [eu-west-1, us-east-1], or all, got "al" — did you mean all?']],
    ['an empty Region list', ['targets:', '  - { accountId: "111111111111", roleName: r, regions: [] }'], ['3:56 targets[0].regions: list at least one Region, or write all']],
    ['no regions', ['targets:', '  - { accountId: "111111111111", roleName: r }'], ['3:5 targets[0].regions: missing required key "regions" (a list of Regions such as [eu-west-1, us-east-1], or all)']],
    [
      'a role name with a space',
      ['targets:', '  - { accountId: "111111111111", roleName: "Ecr Sweeper", regions: [eu-west-1] }'],
      ['3:44 targets[0].roleName: a role name is 1 to 64 of letters, digits and +=,.@_- (optionally after a path such as "team/"), got "Ecr Sweeper"'],
    ],
    ['a role name of 65 characters', ['targets:', `  - { accountId: "111111111111", roleName: ${'r'.repeat(65)}, regions: [eu-west-1] }`], [`3:44 targets[0].roleName: a role name is 1 to 64 of letters, digits and +=,.@_- (optionally after a path such as "team/"), got "${'r'.repeat(57)}..."`]],
    [
      'a role ARN that is not one',
      ['targets:', '  - { accountId: "111111111111", roleArn: "arn:aws:iam::111111111111:user/bob", regions: [eu-west-1] }'],
      ['3:43 targets[0].roleArn: expected a role ARN such as "arn:aws:iam::123456789012:role/EcrSweeperTarget", got "arn:aws:iam::111111111111:user/bob"'],
    ],
    [
      'a role ARN of another account',
      ['targets:', '  - accountId: "111111111111"', '    roleArn: arn:aws:iam::222222222222:role/EcrSweeperTarget', '    regions: [eu-west-1]'],
      ["4:14 targets[0].roleArn: the role ARN is in account 222222222222, but accountId is 111111111111: the target's role must be in the target's account"],
    ],
    [
      'roleName and roleArn together',
      ['targets:', '  - accountId: "111111111111"', '    roleName: r', '    roleArn: arn:aws:iam::111111111111:role/r', '    regions: [eu-west-1]'],
      ['5:5 targets[0].roleArn: give roleName or roleArn, not both'],
    ],
    [
      'an external id of one character',
      ['targets:', '  - { accountId: "111111111111", roleName: r, externalId: x, regions: [eu-west-1] }'],
      ['3:59 targets[0].externalId: an external id is 2 to 1,224 of letters, digits and +=,.@:/_- (what STS accepts), got "x"'],
    ],
    [
      'a misspelt key, with the keys allowed',
      ['targets:', '  - { accountId: "111111111111", role: r, regions: [eu-west-1] }'],
      ['3:34 targets[0].role: unknown key "role" (allowed here: accountId, roleName, roleArn, externalId, regions)'],
    ],
    ['an empty list', ['targets: []'], ["2:10 targets: list at least one target, or leave targets out to sweep the caller's own account and Region"]],
    ['targets as a mapping', ['targets: { accountId: "111111111111" }'], ['2:10 targets: expected a list, got a mapping']],
  ])('%s', (_name, lines, expected) => {
    expect(brief(issuesOf(withLines(...lines)))).toEqual(expected);
  });

  it('the same account and Region twice, in two entries or in one: both places named', () => {
    const issues = issuesOf(
      withLines(
        'targets:',
        '  - { accountId: "111111111111", roleName: r, regions: [eu-west-1, us-east-1] }',
        '  - { accountId: "222222222222", roleName: r, regions: [us-east-1, us-east-1] }',
        '  - { accountId: "111111111111", roleName: r, regions: [eu-west-2, us-east-1] }',
      ),
    );
    expect(brief(issues)).toEqual([
      '4:68 targets[1].regions[1]: account 222222222222, us-east-1 is already a target at targets[1].regions[0] (line 4); list each account and Region once',
      '5:68 targets[2].regions[1]: account 111111111111, us-east-1 is already a target at targets[0].regions[1] (line 3); list each account and Region once',
    ]);
  });

  it('an account with regions: all and the same account again, either way round', () => {
    const issues = issuesOf(
      withLines(
        'targets:',
        '  - { accountId: "111111111111", roleName: r, regions: all }',
        '  - { accountId: "111111111111", roleName: r, regions: [eu-west-1] }',
        '  - { accountId: "222222222222", roleName: r, regions: [eu-west-1] }',
        '  - { accountId: "222222222222", roleName: r, regions: all }',
      ),
    );
    expect(brief(issues)).toEqual([
      '4:57 targets[1].regions[0]: account 111111111111 (all its Regions) is already a target at targets[0].regions (line 3); list each account and Region once',
      '6:56 targets[3].regions: account 222222222222 (all its Regions) is already a target at targets[2].regions[0] (line 5); list each account and Region once',
    ]);
  });

  it('targets and organization together: refused, naming both lines', () => {
    const issues = issuesOf(withLines('targets:', '  - { accountId: "111111111111", roleName: r, regions: [eu-west-1] }', 'inUse: {}', 'organization:', '  roleName: r', '  regions: all'));
    expect(brief(issues)).toEqual([
      '5:1 organization: targets and organization cannot both be given: targets (line 2) lists the targets, organization (line 5) takes them from the organization; keep one',
    ]);
  });

  it.each<[string, string[], string[]]>([
    ['no roleName', ['organization:', '  regions: all'], ['3:3 organization.roleName: missing required key "roleName": expected a role name such as "EcrSweeperTarget"']],
    ['a roleArn (one role name serves every account)', ['organization:', '  roleName: r', '  roleArn: arn:aws:iam::111111111111:role/r', '  regions: all'], ['4:3 organization.roleArn: unknown key "roleArn" (allowed here: roleName, externalId, regions, accounts, ous)']],
    ['a malformed OU id', ['organization:', '  roleName: r', '  regions: all', '  ous: { exclude: [ou-1] }'], ['5:20 organization.ous.exclude[0]: an OU id looks like "ou-ab12-cd34ef56", got "ou-1"']],
    ['an account id that is too short', ['organization:', '  roleName: r', '  regions: all', '  accounts: { include: ["1234"] }'], ['5:25 organization.accounts.include[0]: an account id is 12 digits in quotes (e.g. "012345678901"), got "1234"']],
    [
      'an account both included and excluded',
      ['organization:', '  roleName: r', '  regions: all', '  accounts:', '    include: ["111111111111"]', '    exclude: ["111111111111"]'],
      ['7:15 organization.accounts.exclude[0]: "111111111111" is also in organization.accounts.include[0] (line 6); exclude always wins, so remove one of them'],
    ],
    [
      'an OU listed twice',
      ['organization:', '  roleName: r', '  regions: all', '  ous: { include: [ou-ab12-cd34ef56, ou-ab12-cd34ef56] }'],
      ['5:38 organization.ous.include[1]: "ou-ab12-cd34ef56" is already listed at organization.ous.include[0] (line 5)'],
    ],
    ['a misspelt filter key', ['organization:', '  roleName: r', '  regions: all', '  accounts: { exclud: [] }'], ['5:15 organization.accounts.exclud: unknown key "exclud" — did you mean "exclude"?']],
  ])('organization: %s', (_name, lines, expected) => {
    expect(brief(issuesOf(withLines(...lines)))).toEqual(expected);
  });
});

describe('targets: limits are checked before the entries, so an oversized list is refused at once', () => {
  it(`more than ${TARGETS_LIMITS.maxTargets} targets`, () => {
    const n = TARGETS_LIMITS.maxTargets + 1;
    const lines = Array.from({ length: n }, (_, i) => `  - { accountId: "${String(i).padStart(12, '0')}", roleName: r, regions: [eu-west-1] }`);
    const issues = issuesOf(withLines('targets:', ...lines));
    // Only the limit: the entries are not validated one by one past it.
    expect(brief(issues)).toEqual(['3:3 targets: 1,001 targets; at most 1,000']);
  });

  it(`exactly ${TARGETS_LIMITS.maxTargets} targets are accepted`, () => {
    const lines = Array.from({ length: TARGETS_LIMITS.maxTargets }, (_, i) => `  - { accountId: "${String(i).padStart(12, '0')}", roleName: r, regions: [eu-west-1] }`);
    const rs = parseRules(withLines('targets:', ...lines));
    expect(rs.targets?.kind === 'list' && rs.targets.targets.length).toBe(TARGETS_LIMITS.maxTargets);
  });

  it(`more than ${TARGETS_LIMITS.maxRegions} Regions in one list`, () => {
    const regions = Array.from({ length: TARGETS_LIMITS.maxRegions + 1 }, (_, i) => `xx-test-${i % 10}`).join(', ');
    expect(brief(issuesOf(withLines('targets:', `  - { accountId: "111111111111", roleName: r, regions: [${regions}] }`)))).toEqual(['3:56 targets[0].regions: 201 Regions in one list; at most 200']);
    expect(brief(issuesOf(withLines('organization:', '  roleName: r', `  regions: [${regions}]`)))).toEqual(['4:12 organization.regions: 201 Regions in one list; at most 200']);
  });

  it(`more than ${TARGETS_LIMITS.maxIds} ids in an organization filter`, () => {
    const ids = Array.from({ length: TARGETS_LIMITS.maxIds + 1 }, (_, i) => `"${String(i).padStart(12, '0')}"`).join(', ');
    expect(brief(issuesOf(withLines('organization:', '  roleName: r', '  regions: all', `  accounts: { exclude: [${ids}] }`)))).toEqual([
      '5:24 organization.accounts.exclude: 1,001 ids in one list; at most 1,000',
    ]);
  });
});
