/**
 * deploy/target-role.yml, the role the sweeper assumes in each target account (a StackSet
 * template): every name resolves, parameter values are checked as CloudFormation checks them, and
 * for every combination of the switches the roles get exactly the intended actions on exactly the
 * intended resources, trusted by exactly the given principals under exactly the asked conditions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  instantiate,
  parseTemplate,
  structuralProblems,
  TemplateInstantiateError,
  TemplateParseError,
  type Instance,
  type Json,
  type Template,
} from './cloudformation-template.js';

const root = join(import.meta.dirname, '..', '..');
const TEMPLATE_TEXT = readFileSync(join(root, 'deploy', 'target-role.yml'), 'utf8');
const template = parseTemplate(TEMPLATE_TEXT);

const SWEEP = 'arn:aws:iam::111122223333:role/ecr-sweeper-prod-SweepRole-AbC123';
const SWEEP_2 = 'arn:aws:iam::111122223333:role/ops/ecr-sweeper-cli';
const PLAN = 'arn:aws:iam::111122223333:role/ecr-sweeper-prod-PlanRole-XyZ789';
const EXTERNAL_ID = 'ecr-sweeper-7f3a';
const ORG_ID = 'o-a1b2c3d4e5';

const ECR_READ = ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:ListImages', 'ecr:ListPullTimeUpdateExclusions', 'ecr:ListTagsForResource'];
const IN_USE_READ = [
  'ecs:ListClusters', 'ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:ListServices', 'ecs:DescribeServices', 'ecs:DescribeServiceRevisions',
  'ecs:ListTaskDefinitionFamilies', 'ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition',
  'lambda:ListFunctions', 'lambda:ListVersionsByFunction', 'lambda:ListAliases', 'lambda:GetFunction',
  'batch:DescribeJobDefinitions', 'apprunner:ListServices', 'apprunner:DescribeService',
];
const READ = [...ECR_READ, ...IN_USE_READ, 'ec2:DescribeRegions'].sort();
const DELETE = ['ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass'];

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: Json;
  Action?: string | string[];
  NotAction?: Json;
  Resource?: Json;
  NotResource?: Json;
  Condition?: Json;
}

/** Every combination of the template's switches, with the parameter values that set them. */
const VARIANTS = [false, true].flatMap((allowDelete) =>
  [false, true].flatMap((planRoles) =>
    [false, true].flatMap((externalId) =>
      [false, true].map((orgId) => ({
        allowDelete, planRoles, externalId, orgId,
        params: {
          SweepRoleArns: SWEEP,
          AllowDelete: String(allowDelete),
          ...(planRoles ? { PlanRoleArns: PLAN } : {}),
          ...(externalId ? { ExternalId: EXTERNAL_ID } : {}),
          ...(orgId ? { PrincipalOrgId: ORG_ID } : {}),
        },
      })),
    ),
  ),
);

function label(v: (typeof VARIANTS)[number]): string {
  return `AllowDelete=${v.allowDelete} plan=${v.planRoles} externalId=${v.externalId} orgId=${v.orgId}`;
}

/** A role's permission statements: its inline policies and the managed policies the stack attaches. */
function permissionStatements(instance: Instance, roleId: string): Statement[] {
  const role = instance.resources[roleId];
  if (!role) throw new Error(`${roleId} is not created`);
  const inline = ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  const managed = ((role.Properties.ManagedPolicyArns ?? []) as string[]).flatMap((arn) => {
    const id = /^<(\w+)>$/.exec(arn)?.[1];
    const policy = id === undefined ? undefined : instance.resources[id];
    // An AWS-managed policy would grant what this file cannot show: none is allowed.
    if (!policy || policy.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${roleId} attaches a policy not defined in the template: ${arn}`);
    return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  });
  return [...inline, ...managed];
}

function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat()))].sort();
}

function resourcesOf(statements: Statement[], action: string): Json[] {
  return statements.filter((s) => [s.Action].flat().includes(action)).map((s) => s.Resource);
}

function trustOf(instance: Instance, roleId: string): Statement[] {
  return (instance.resources[roleId]!.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
}

/** Every IAM statement anywhere in a (template or instance) tree. */
function allStatements(node: Json, out: Statement[] = []): Statement[] {
  if (Array.isArray(node)) node.forEach((n) => allStatements(n, out));
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, Json>;
    if (typeof obj.Effect === 'string' && ('Action' in obj || 'NotAction' in obj)) out.push(obj as unknown as Statement);
    else Object.values(obj).forEach((v) => allStatements(v, out));
  }
  return out;
}

describe('deploy/target-role.yml: a valid template', () => {
  it('is plain long-form YAML whose every Ref, GetAtt, Sub variable and condition resolves', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(structuralProblems(template)).toEqual([]);
    // Every combination instantiates: no reference to a resource that the combination leaves out.
    for (const variant of VARIANTS) expect(() => instantiate(template, variant.params), label(variant)).not.toThrow();
  });

  it('the structural check finds what would break a deployment', () => {
    const broken = structuredClone(template) as Template;
    const role = broken.Resources.TargetRole!.Properties!;
    role.RoleName = { Ref: 'RoleNme' };
    role.Description = { 'Fn::Sub': '${GovernedRepos} ${ReadPolicy.Arn}' };
    role.Policies = { 'Fn::If': ['MayDelete', [], { Ref: 'AWS::NoValue' }] };
    broken.Outputs!.RoleArn!.Value = { 'Fn::GetAtt': ['TargetRol', 'Arn'] };
    delete broken.Conditions!.HasExternalId;
    expect(structuralProblems(broken)).toEqual(
      expect.arrayContaining([
        'Resources.TargetRole.Properties.RoleName.Ref: Ref to unknown RoleNme',
        'Resources.TargetRole.Properties.Description.Fn::Sub: Fn::Sub variable ${GovernedRepos} resolves to nothing',
        'Resources.TargetRole.Properties.Policies.Fn::If: Fn::If on unknown condition MayDelete',
        'Outputs.RoleArn.Value.Fn::GetAtt: GetAtt of unknown resource TargetRol',
        expect.stringMatching(/Fn::If on unknown condition HasExternalId/),
        'condition CanDelete is never used',
        'parameter RoleName is never used',
      ]),
    );
    // A reference to a resource the parameters do not create is refused, as CloudFormation does.
    const dangling = structuredClone(template) as Template;
    dangling.Outputs!.RoleArn!.Value = { 'Fn::GetAtt': ['ReadOnlyRole', 'Arn'] };
    expect(() => instantiate(dangling, { SweepRoleArns: SWEEP })).toThrow(TemplateInstantiateError);
  });

  it('uses no short-form tags, which a plain YAML reader would not see as CloudFormation', () => {
    expect(TEMPLATE_TEXT).not.toMatch(/!(Ref|Sub|If|GetAtt|Join|Equals|Not|Select|Split)\b/);
    expect(() => parseTemplate('Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { RoleName: !Ref Name }\n')).toThrow(TemplateParseError);
  });

  it('creates the role EcrSweeperTarget by default, with a one-hour session cap, and outputs its ARN', () => {
    const instance = instantiate(template, { SweepRoleArns: SWEEP });
    expect(Object.keys(instance.resources).sort()).toEqual(['ReadPolicy', 'TargetRole']);
    const role = instance.resources.TargetRole!;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.RoleName).toBe('EcrSweeperTarget');
    // Role chaining from Lambda caps the session at an hour whatever the role says.
    expect(role.Properties.MaxSessionDuration).toBe(3600);
    // Path '/': the sweeper builds arn:aws:iam::<account>:role/<roleName> from the name alone.
    expect(role.Properties.Path).toBeUndefined();
    expect(instance.outputs).toEqual({ RoleArn: '<TargetRole.Arn>' });
    expect(instantiate(template, { SweepRoleArns: SWEEP, RoleName: 'SweeperProd' }).resources.TargetRole!.Properties.RoleName).toBe('SweeperProd');
  });
});

describe('deploy/target-role.yml: permissions', () => {
  it.each(VARIANTS.map((v) => [label(v), v] as const))('%s: the sweep role gets exactly the reads, plus the deletes only with AllowDelete=true', (_, variant) => {
    const instance = instantiate(template, variant.params);
    const actions = actionsOf(permissionStatements(instance, 'TargetRole'));
    expect(actions).toEqual(variant.allowDelete ? [...READ, ...DELETE].sort() : READ);
  });

  it.each(VARIANTS.map((v) => [label(v), v] as const))('%s: the read-only role exists only with plan roles, and only ever reads', (_, variant) => {
    const instance = instantiate(template, variant.params);
    if (!variant.planRoles) {
      expect(instance.resources.ReadOnlyRole).toBeUndefined();
      expect(instance.outputs).not.toHaveProperty('ReadOnlyRoleArn');
      return;
    }
    expect(actionsOf(permissionStatements(instance, 'ReadOnlyRole'))).toEqual(READ);
    expect(instance.resources.ReadOnlyRole!.Properties.RoleName).toBe('EcrSweeperTargetReadOnly');
    expect(instance.resources.ReadOnlyRole!.Properties.MaxSessionDuration).toBe(3600);
    expect(instance.outputs.ReadOnlyRoleArn).toBe('<ReadOnlyRole.Arn>');
  });

  it('deletes and archives only in the governed repositories, in every Region of the account', () => {
    const instance = instantiate(template, { SweepRoleArns: SWEEP, AllowDelete: 'true', GovernedRepositories: 'apps/*' });
    const statements = permissionStatements(instance, 'TargetRole');
    // IAM is global: one role serves the sweeps of every Region of its account.
    const governed = 'arn:aws:ecr:*:123456789012:repository/apps/*';
    expect(resourcesOf(statements, 'ecr:BatchDeleteImage')).toEqual([governed]);
    expect(resourcesOf(statements, 'ecr:UpdateImageStorageClass')).toEqual([governed]);
    for (const action of ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:ListImages', 'ecr:GetLifecyclePolicy']) {
      expect(resourcesOf(statements, action), action).toEqual([governed]);
    }
    // Listing repositories and reading their tags has no name to scope by, but stays in this account.
    expect(resourcesOf(statements, 'ecr:DescribeRepositories')).toEqual(['arn:aws:ecr:*:123456789012:repository/*']);
    expect(resourcesOf(statements, 'ecr:ListTagsForResource')).toEqual(['arn:aws:ecr:*:123456789012:repository/*']);
    // Registry-level and in-use reads name no resource type narrower than '*'.
    for (const action of ['ecr:ListPullTimeUpdateExclusions', 'ec2:DescribeRegions', ...IN_USE_READ]) {
      expect(resourcesOf(statements, action), action).toEqual(['*']);
    }
    // The default governs every repository of the account.
    const all = permissionStatements(instantiate(template, { SweepRoleArns: SWEEP, AllowDelete: 'true' }), 'TargetRole');
    expect(resourcesOf(all, 'ecr:BatchDeleteImage')).toEqual(['arn:aws:ecr:*:123456789012:repository/*']);
  });

  it('grants no wildcard action, no NotAction or NotResource, and nothing from a policy outside the template', () => {
    const statements = allStatements(template);
    expect(statements.length).toBeGreaterThan(5);
    expect(statements.filter((s) => s.Effect !== 'Allow')).toEqual([]);
    expect(statements.filter((s) => s.NotAction !== undefined || s.NotResource !== undefined)).toEqual([]);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => /[*?]/.test(String(a)))).toEqual([]);
    for (const variant of VARIANTS) {
      const instance = instantiate(template, variant.params);
      // permissionStatements throws on any ManagedPolicyArns entry that is not this template's own policy.
      for (const id of Object.keys(instance.resources).filter((r) => instance.resources[r]!.Type === 'AWS::IAM::Role')) {
        expect(permissionStatements(instance, id).length).toBeGreaterThan(0);
      }
    }
    // The check itself: a wildcard action would be found.
    const widened = structuredClone(template) as Template;
    ((widened.Resources.ReadPolicy!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement[0]!).Action = ['ecr:*'];
    expect(allStatements(widened).flatMap((s) => [s.Action].flat()).filter((a) => /[*?]/.test(String(a)))).toEqual(['ecr:*']);
  });

  it("reads exactly the ECR actions serverless.yml's own sweep and plan roles read", () => {
    // The target role stands in for those roles in another account: a read one gains, the other must too.
    const serverless = parse(readFileSync(join(root, 'serverless.yml'), 'utf8')) as { custom: { iam: { ecrRead: { Statement: Statement[] } } } };
    const home = actionsOf(serverless.custom.iam.ecrRead.Statement);
    const target = actionsOf(permissionStatements(instantiate(template, { SweepRoleArns: SWEEP }), 'TargetRole')).filter((a) => a.startsWith('ecr:'));
    expect(target).toEqual(home);
    expect(target).toEqual(ECR_READ);
  });
});

describe('deploy/target-role.yml: trust', () => {
  it.each(VARIANTS.map((v) => [label(v), v] as const))('%s: only the given roles, sts:AssumeRole only, with exactly the asked conditions', (_, variant) => {
    const instance = instantiate(template, variant.params);
    const expectedCondition =
      variant.externalId || variant.orgId
        ? {
            StringEquals: {
              ...(variant.externalId ? { 'sts:ExternalId': EXTERNAL_ID } : {}),
              ...(variant.orgId ? { 'aws:PrincipalOrgID': ORG_ID } : {}),
            },
          }
        : undefined;
    const roles: [string, string[]][] = [['TargetRole', [SWEEP]]];
    if (variant.planRoles) roles.push(['ReadOnlyRole', [PLAN]]);
    for (const [id, principals] of roles) {
      const trust = trustOf(instance, id);
      expect(trust, id).toHaveLength(1);
      const statement = trust[0]!;
      expect(statement.Effect).toBe('Allow');
      expect(statement.Action).toBe('sts:AssumeRole');
      expect(statement.Principal).toEqual({ AWS: principals });
      // An empty parameter leaves no condition at all, not an empty one.
      if (expectedCondition === undefined) expect(statement).not.toHaveProperty('Condition');
      else expect(statement.Condition).toEqual(expectedCondition);
    }
  });

  it('the plan roles can never assume the role that deletes; the sweep roles are trusted by it alone', () => {
    const instance = instantiate(template, { SweepRoleArns: `${SWEEP},${SWEEP_2}`, PlanRoleArns: PLAN, AllowDelete: 'true' });
    expect(trustOf(instance, 'TargetRole')[0]!.Principal).toEqual({ AWS: [SWEEP, SWEEP_2] });
    expect(trustOf(instance, 'ReadOnlyRole')[0]!.Principal).toEqual({ AWS: [PLAN] });
    expect(JSON.stringify(instance.resources.TargetRole)).not.toContain(PLAN);
  });

  it.each([
    ['a wildcard role ARN', { SweepRoleArns: 'arn:aws:iam::111122223333:role/*' }, 'SweepRoleArns'],
    ['a pattern in a role name', { SweepRoleArns: 'arn:aws:iam::111122223333:role/ecr-sweeper-?' }, 'SweepRoleArns'],
    ['a whole account', { SweepRoleArns: 'arn:aws:iam::111122223333:root' }, 'SweepRoleArns'],
    ['an account id alone', { SweepRoleArns: '111122223333' }, 'SweepRoleArns'],
    ['"*"', { SweepRoleArns: '*' }, 'SweepRoleArns'],
    ['an empty item in the list', { SweepRoleArns: `${SWEEP},` }, 'SweepRoleArns'],
    ['no sweep role at all', { SweepRoleArns: '' }, 'SweepRoleArns'],
    ['a wildcard plan role', { SweepRoleArns: SWEEP, PlanRoleArns: 'arn:aws:iam::111122223333:role/*' }, 'PlanRoleArns'],
    ['a user instead of a role', { SweepRoleArns: 'arn:aws:iam::111122223333:user/alice' }, 'SweepRoleArns'],
    ['a malformed organization id', { SweepRoleArns: SWEEP, PrincipalOrgId: 'o-*' }, 'PrincipalOrgId'],
    ['a one-character external id', { SweepRoleArns: SWEEP, ExternalId: 'x' }, 'ExternalId'],
    ['an external id with a space', { SweepRoleArns: SWEEP, ExternalId: 'ab cd' }, 'ExternalId'],
    ['AllowDelete=yes', { SweepRoleArns: SWEEP, AllowDelete: 'yes' }, 'AllowDelete'],
    ['a glob in the governed repositories', { SweepRoleArns: SWEEP, GovernedRepositories: 'apps/{a,b}' }, 'GovernedRepositories'],
  ])('refuses %s before anything is created', (_, params, parameter) => {
    expect(() => instantiate(template, params)).toThrow(new RegExp(`parameter ${parameter}:`));
  });

  it('requires the sweep role ARNs: the template has no default that could trust anyone', () => {
    expect(template.Parameters!.SweepRoleArns!.Default).toBeUndefined();
    expect(() => instantiate(template, {})).toThrow(/SweepRoleArns has no value/);
  });
});
