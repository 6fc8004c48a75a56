/** Which principal a pull-time update exclusion covers, and the `pull-time-not-excluded` warning. */
import { describe, expect, it } from 'vitest';
import { isPullTimeExcluded, principalToExclude, pullTimeExclusionWarning, rulesUsePullTime } from '../../lib/core/pull-time-exclusion.js';
import type { RuleSet } from '../../lib/core/rules-model.js';

const SESSION = 'arn:aws:sts::123456789012:assumed-role/SweepRole/nightly';
const ROLE = 'arn:aws:iam::123456789012:role/SweepRole';

function rules(condition: RuleSet['policies'][number]['rules'][number]['condition']): RuleSet {
  return {
    defaults: { mode: 'dry-run', minAgeMs: 0, maxDeletionsPerRun: null, maxDeletePercentPerRepository: null },
    protect: { tags: [], repositories: [] },
    policies: [
      {
        name: 'p',
        repositories: { include: ['**'], exclude: [] },
        rules: [{ id: 'r', selection: { tagStatus: 'any', tagPatterns: [], excludeTagPatterns: [], storageClass: 'standard' }, condition, action: { type: 'expire' } }],
        origin: 'rules',
      },
    ],
  };
}
const PULL_RULES = rules({ type: 'sinceImagePulled', ms: 90 * 86_400_000 });

describe('isPullTimeExcluded', () => {
  it.each<[string, string, string[], boolean]>([
    ['session covered by its role', SESSION, [ROLE], true],
    ['session covered by its role registered with a path', SESSION, ['arn:aws:iam::123456789012:role/ops/SweepRole'], true],
    ['session ARN registered as such', SESSION, [SESSION], true],
    ['another role', SESSION, ['arn:aws:iam::123456789012:role/Other'], false],
    ['a role whose name ends the same', SESSION, ['arn:aws:iam::123456789012:role/MySweepRole'], false],
    ['same role name in another account', SESSION, ['arn:aws:iam::999999999999:role/SweepRole'], false],
    ['same role name in another partition', SESSION, ['arn:aws-cn:iam::123456789012:role/SweepRole'], false],
    ['a user by its ARN', 'arn:aws:iam::123456789012:user/ci', ['arn:aws:iam::123456789012:user/ci'], true],
    ['a user not listed', 'arn:aws:iam::123456789012:user/ci', [ROLE], false],
    ['no exclusions', SESSION, [], false],
    ['a user is not covered by a role of the same name', 'arn:aws:iam::123456789012:user/SweepRole', [ROLE], false],
  ])('%s', (_name, caller, exclusions, expected) => {
    expect(isPullTimeExcluded(caller, exclusions)).toBe(expected);
  });

  it('names the role to register for a session, the caller itself otherwise', () => {
    expect(principalToExclude(SESSION)).toBe(ROLE);
    expect(principalToExclude('arn:aws-us-gov:sts::123456789012:assumed-role/R/s')).toBe('arn:aws-us-gov:iam::123456789012:role/R');
    expect(principalToExclude('arn:aws:iam::123456789012:user/ci')).toBe('arn:aws:iam::123456789012:user/ci');
  });
});

describe('pullTimeExclusionWarning', () => {
  it('only when a rule uses last-pull time', () => {
    expect(rulesUsePullTime(PULL_RULES)).toBe(true);
    const pushRules = rules({ type: 'sinceImagePushed', ms: 1 });
    expect(rulesUsePullTime(pushRules)).toBe(false);
    expect(pullTimeExclusionWarning(pushRules, { callerArn: SESSION, exclusions: [] })).toBeNull();
  });

  it('none when excluded', () => {
    expect(pullTimeExclusionWarning(PULL_RULES, { callerArn: SESSION, exclusions: [ROLE] })).toBeNull();
  });

  it('names the session, the role and the command when not excluded', () => {
    const warning = pullTimeExclusionWarning(PULL_RULES, { callerArn: SESSION, exclusions: [] });
    expect(warning?.code).toBe('pull-time-not-excluded');
    expect(warning?.message).toContain(`${SESSION} (role ${ROLE}) is not a pull-time update exclusion`);
    expect(warning?.message).toContain(`aws ecr register-pull-time-update-exclusion --principal-arn ${ROLE}`);
  });

  it('says "unknown" when the principal could not be learned, and why the list is missing', () => {
    expect(pullTimeExclusionWarning(PULL_RULES, { callerError: 'GetCallerIdentity failed: AccessDenied' })?.message).toMatch(/principal this run uses is unknown \(GetCallerIdentity failed: AccessDenied\)/);
    expect(pullTimeExclusionWarning(PULL_RULES, { callerArn: SESSION, exclusionsError: 'AccessDeniedException' })?.message).toMatch(/exclusions could not be listed \(AccessDeniedException\)/);
  });
});
