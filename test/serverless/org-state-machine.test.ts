/**
 * The organization state machine (serverless.yml `orgSweep`), packaged offline by osls with the
 * serverless-step-functions plugin: the compiled definition validates with asl-validator, has the
 * shape the fan-out relies on (plan Map, RecordPlan, apply Map, Finish), and its roles grant only
 * what each step needs; `--region eu-west-1` leaves no other Region in it.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantiate, type Instance, type Json, type Template } from './cloudformation-template.js';
import { packageService } from './package-service.js';
import { readZipEntries } from './zip-entries.js';

const root = join(import.meta.dirname, '..', '..');
type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Record<string, Json>;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ItemReader?: { Resource: string; ReaderConfig?: Record<string, Json>; Parameters: Record<string, Json> };
  ItemBatcher?: unknown;
  ItemSelector?: Record<string, Json>;
  ItemsPath?: string;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ResultWriter?: { Resource: string; Parameters: Record<string, Json> };
  ItemProcessor?: Machine & { ProcessorConfig: { Mode: string; ExecutionType?: string } };
  Choices?: { Variable: string; BooleanEquals?: boolean; Next: string }[];
  Default?: string;
}
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: Json;
  Condition?: Json;
}

const ORG_FUNCTIONS = ['OrgStart', 'OrgPlanShard', 'OrgRecordPlan', 'OrgApplyShard', 'OrgFinish'];
const ORG_ROLES = ['OrgReadRole', 'OrgApplyRole', 'OrgFinishRole', 'OrgStateMachineRole', 'OrgScheduleRole'];
const WORK_OBJECTS = 'arn:aws:s3:::<ReportBucket>/ecr-sweeper/runs/*';

let dir: string;
let template: Template;
let stack: Instance;
let machine: Machine;

function statementsOf(roleId: string): Statement[] {
  const role = stack.resources[roleId]!.Properties as { Policies: { PolicyDocument: { Statement: Statement[] } }[] };
  return role.Policies.flatMap((p) => p.PolicyDocument.Statement);
}
const actions = (s: Statement): string[] => [s.Action ?? []].flat();
const granting = (roleId: string, action: string): Statement[] => statementsOf(roleId).filter((s) => s.Effect === 'Allow' && actions(s).includes(action));

/** Every state of the machine, nested Maps' included, by name. */
function allStates(m: Machine, out: Record<string, State> = {}): Record<string, State> {
  for (const [name, state] of Object.entries(m.States)) {
    out[name] = state;
    if (state.ItemProcessor) allStates(state.ItemProcessor, out);
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecr-sweeper-org-package-'));
  await packageService(root, 'npx', ['osls', 'package', '--stage', 'prod', '--region', 'eu-west-1', '--package', dir]);
  template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  // Resolved as CloudFormation would in eu-west-1 (a created report bucket: no reportBucket param).
  stack = instantiate(template, {}, { 'AWS::Region': 'eu-west-1' });
  machine = JSON.parse(stack.resources.OrgSweepStateMachine!.Properties.DefinitionString as string) as Machine;
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('orgSweep state machine, compiled', () => {
  it('validates with asl-validator, which does refuse a broken copy', () => {
    const verdict = aslValidator(structuredClone(machine));
    expect(verdict.isValid, verdict.isValid ? '' : verdict.errorsText('\n')).toBe(true);
    const broken = structuredClone(machine) as unknown as { States: Record<string, Record<string, unknown>> };
    broken.States.PlanShards!.MaxConcurrency = 'forty';
    broken.States.Finish!.Next = 'Nowhere';
    const refused = aslValidator(broken);
    expect(refused.isValid).toBe(false);
    expect(refused.errorsText()).toMatch(/MaxConcurrency/);
  });

  it('runs Start, the planning Map, RecordPlan, then (apply only) the apply Map, then Finish', () => {
    const s = machine.States;
    expect(machine.StartAt).toBe('Start');
    expect(s.Start!.Next).toBe('PlanShards');
    // Whatever the planning Map does (even giving up), RecordPlan comes next: the plan is always recorded.
    expect(s.PlanShards!.Next).toBe('RecordPlan');
    expect(s.PlanShards!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.planMapError', Next: 'RecordPlan' }]);
    expect(s.RecordPlan!.Next).toBe('ApplyOrNot');
    expect(s.ApplyOrNot!.Choices).toEqual([{ Variable: '$.apply', BooleanEquals: true, Next: 'ApplyShards' }]);
    expect(s.ApplyOrNot!.Default).toBe('Finish');
    // ApplyShards is reached from the choice after RecordPlan and from nowhere else.
    const into = (name: string) => Object.entries(allStates(machine)).filter(([, st]) => st.Next === name || st.Default === name || st.Choices?.some((c) => c.Next === name) || st.Catch?.some((c) => c.Next === name)).map(([n]) => n);
    expect(into('ApplyShards')).toEqual(['ApplyOrNot']);
    expect(s.ApplyShards!.Next).toBe('Finish');
    expect(s.ApplyShards!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.applyMapError', Next: 'Finish' }]);
    expect(s.Finish!.End).toBe(true);
  });

  it.each([
    ['PlanShards', '$.lanesKey', 'PlanShard', 'OrgPlanShard'],
    ['ApplyShards', '$.applyLanesKey', 'ApplyShard', 'OrgApplyShard'],
  ])('%s: Distributed Map reading its lanes from S3, bounded, tolerant, writing its results to the work prefix', (name, keyPath, task, fn) => {
    const map = machine.States[name]!;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor!.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: '<ReportBucket>', 'Key.$': keyPath } });
    expect(map.MaxConcurrency).toBe(40);
    expect(map.ToleratedFailurePercentage).toBe(10);
    expect(map.ResultWriter).toEqual({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: '<ReportBucket>', Prefix: 'ecr-sweeper/runs/map-results' } });
    // One lane per child (no batcher): a lane is one target's shards, run one at a time by an inline Map.
    expect(map.ItemBatcher).toBeUndefined();
    expect(map.ItemSelector).toEqual({ 'run.$': '$.run', 'lane.$': '$$.Map.Item.Value' });
    const lane = Object.values(map.ItemProcessor!.States);
    expect(lane).toHaveLength(1);
    expect(lane[0]).toMatchObject({ Type: 'Map', ItemsPath: '$.lane.shards', MaxConcurrency: 1, ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } } });
    const step = lane[0]!.ItemProcessor!.States[task]!;
    expect(step.Parameters).toEqual({ FunctionName: `<${fn}LambdaFunction.Arn>`, 'Payload.$': '$' });
    // A failed shard does not stop its lane: no part is written, and RecordPlan/Finish report it failed.
    expect(step.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${task}Failed` }]);
  });

  it('retries every Lambda task on the invoke failing or throttled, never on the function\'s own error', () => {
    const tasks = Object.entries(allStates(machine)).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(['ApplyShard', 'Finish', 'PlanShard', 'RecordPlan', 'Start']);
    for (const [name, task] of tasks) {
      expect(task.Resource, name).toBe('arn:aws:states:::lambda:invoke');
      expect(task.Retry, name).toEqual([
        { ErrorEquals: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 },
      ]);
    }
  });

  it('is scheduled by a rule that is off unless orgScheduleEnabled, and alarms on failed executions', () => {
    const rule = Object.values(stack.resources).find((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties).includes('OrgSweepStateMachine'))!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', State: 'DISABLED', Targets: [{ Arn: '<OrgSweepStateMachine>', Input: '{}', RoleArn: '<OrgScheduleRole.Arn>' }] });
    // The schedule's role starts this state machine and does nothing else.
    expect(statementsOf('OrgScheduleRole').map((s) => [actions(s), s.Resource])).toEqual([[['states:StartExecution'], '<OrgSweepStateMachine>']]);
    const alarm = stack.resources.OrgSweepFailedAlarm!.Properties;
    expect(alarm).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: '<OrgSweepStateMachine>' }], Threshold: 1 });
    expect(stack.resources.OrgSweepStateMachine!.Properties.RoleArn).toBe('<OrgStateMachineRole.Arn>');
  });
});

describe('orgSweep IAM', () => {
  it('grants no wildcard action, and sts:AssumeRole only on the target role name', () => {
    for (const id of ORG_ROLES) {
      for (const s of statementsOf(id)) {
        expect(s.Effect, id).toBe('Allow');
        for (const a of actions(s)) expect(a, `${id} ${a}`).not.toContain('*');
      }
    }
    for (const id of ['OrgReadRole', 'OrgApplyRole']) {
      expect(granting(id, 'sts:AssumeRole').map((s) => s.Resource)).toEqual(['arn:aws:iam::*:role/EcrSweeperTarget']);
    }
    // Target resolution: the organization's accounts and OU tree, and `regions: all` at home; only OrgReadRole (Start) reads them.
    expect(statementsOf('OrgReadRole').flatMap(actions).filter((a) => /^(organizations|ec2):/.test(a)).sort()).toEqual(
      ['ec2:DescribeRegions', 'organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent', 'organizations:ListRoots'],
    );
    for (const id of ['OrgApplyRole', 'OrgFinishRole', 'OrgStateMachineRole']) expect(statementsOf(id).flatMap(actions).filter((a) => /^(organizations|ec2):/.test(a)), id).toEqual([]);
    // Finish and the state machine reach no other account.
    expect(granting('OrgFinishRole', 'sts:AssumeRole')).toEqual([]);
    expect(granting('OrgStateMachineRole', 'sts:AssumeRole')).toEqual([]);
    expect(granting('OrgScheduleRole', 'sts:AssumeRole')).toEqual([]);
  });

  it('lets only the apply-shard role delete or archive, on governed repositories of this account and Region', () => {
    for (const action of ['ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass']) {
      expect(granting('OrgApplyRole', action).map((s) => s.Resource)).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/*']);
      for (const id of ['OrgReadRole', 'OrgFinishRole', 'OrgStateMachineRole']) expect(granting(id, action), `${id} ${action}`).toEqual([]);
    }
    expect(stack.resources.OrgApplyShardLambdaFunction!.Properties.Role).toBe('<OrgApplyRole.Arn>');
    for (const fn of ['OrgStart', 'OrgPlanShard', 'OrgRecordPlan']) expect(stack.resources[`${fn}LambdaFunction`]!.Properties.Role).toBe('<OrgReadRole.Arn>');
    expect(stack.resources.OrgFinishLambdaFunction!.Properties.Role).toBe('<OrgFinishRole.Arn>');
    // Finish touches no registry at all.
    expect(statementsOf('OrgFinishRole').flatMap(actions).filter((a) => a.startsWith('ecr:'))).toEqual([]);
  });

  it('gives the two shard functions 2048 MB of /tmp for their image part store, RecordPlan and Finish (every shard\'s images) 10240 MB, and each org role the abort of a failed multipart upload under the prefix', () => {
    for (const fn of ['OrgPlanShard', 'OrgApplyShard']) expect(stack.resources[`${fn}LambdaFunction`]!.Properties.EphemeralStorage, fn).toEqual({ Size: 2048 });
    for (const fn of ['OrgRecordPlan', 'OrgFinish']) expect(stack.resources[`${fn}LambdaFunction`]!.Properties.EphemeralStorage, fn).toEqual({ Size: 10240 });
    expect(stack.resources.OrgStartLambdaFunction!.Properties.EphemeralStorage).toBeUndefined();
    for (const id of ['OrgReadRole', 'OrgApplyRole', 'OrgFinishRole']) {
      expect(granting(id, 's3:AbortMultipartUpload').map((s) => s.Resource), id).toEqual(['arn:aws:s3:::<ReportBucket>/ecr-sweeper/*']);
    }
  });

  it('holds the state machine to its five functions, its own child executions and the work prefix', () => {
    expect(granting('OrgStateMachineRole', 'lambda:InvokeFunction').flatMap((s) => [s.Resource].flat())).toEqual(ORG_FUNCTIONS.map((f) => `<${f}LambdaFunction.Arn>`));
    expect(granting('OrgStateMachineRole', 'states:StartExecution').map((s) => s.Resource)).toEqual(['arn:aws:states:eu-west-1:123456789012:stateMachine:ecr-sweeper-prod-org']);
    expect(granting('OrgStateMachineRole', 'states:DescribeExecution').map((s) => s.Resource)).toEqual(['arn:aws:states:eu-west-1:123456789012:execution:ecr-sweeper-prod-org/*']);
    const s3 = statementsOf('OrgStateMachineRole').filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => [actions(s).sort(), s.Resource])).toEqual([[['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], WORK_OBJECTS]]);
    expect(statementsOf('OrgStateMachineRole').flatMap(actions).sort()).toEqual(
      ['lambda:InvokeFunction', 's3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject', 'states:DescribeExecution', 'states:StartExecution', 'states:StopExecution'].sort(),
    );
    // Only Step Functions of this account may use it.
    const trust = (stack.resources.OrgStateMachineRole!.Properties.AssumeRolePolicyDocument as { Statement: Statement[] & { Principal?: Json }[] }).Statement;
    expect(trust).toEqual([{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }]);
    // The shard checkpoints cleared by apply-shard: under the work prefix only.
    expect(granting('OrgApplyRole', 's3:DeleteObject').map((s) => s.Resource)).toEqual([WORK_OBJECTS]);
  });
});

describe('orgSweep packaged with --region eu-west-1', () => {
  it('sweeps eu-west-1: no other Region in the stack, no fixed ECR Region in the functions, ARNs in eu-west-1', () => {
    expect(JSON.stringify(template)).not.toMatch(/us-east-1|us-west-2/);
    for (const fn of ORG_FUNCTIONS) {
      const variables = (stack.resources[`${fn}LambdaFunction`]!.Properties as { Environment: { Variables: Record<string, Json> } }).Environment.Variables;
      expect(variables, fn).not.toHaveProperty('ECR_REGION');
      expect(variables.REPORT_BUCKET, fn).toBe('<ReportBucket>');
    }
    // The home registry reads and the logs name eu-west-1.
    expect(granting('OrgReadRole', 'ecr:DescribeRepositories').map((s) => s.Resource)).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/*']);
    for (const s of granting('OrgReadRole', 'ecs:ListClusters')) expect(s.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
    expect(granting('OrgApplyRole', 'logs:PutLogEvents').map((s) => s.Resource)).toEqual(['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/ecr-sweeper-prod-orgApplyShard:*']);
  });

  it('bundles each org function with its handler and the default rules, under 5 MB (sizes printed for docs/deploy.md)', () => {
    const sizes: Record<string, string> = {};
    for (const fn of ['orgStart', 'orgPlanShard', 'orgRecordPlan', 'orgApplyShard', 'orgFinish']) {
      const zip = join(dir, `${fn}.zip`);
      const names = readZipEntries(zip).map((e) => e.name);
      const file = fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      expect(names, fn).toContain(`functions/${file}.mjs`);
      expect(names, fn).toContain('rules/default.yml');
      expect(statSync(zip).size, fn).toBeLessThan(5 * 1024 * 1024);
      sizes[fn] = `${(statSync(zip).size / 1024).toFixed(0)} KiB zipped, ${(readZipEntries(zip).reduce((n, e) => n + e.size, 0) / 1e6).toFixed(1)} MB unzipped`;
    }
    console.log('org bundle sizes:', sizes);
  });
});
