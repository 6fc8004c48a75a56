/**
 * Packages the service with osls, offline and without credentials, and checks the generated
 * CloudFormation: schedule, least-privilege roles, report bucket, runtime, and bundle sizes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageService } from './package-service.js';
import { readZipEntries, readZipEntry } from './zip-entries.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

type Json = unknown;
interface Template {
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, Json>; DependsOn?: Json }>;
}

/** Evaluates a template's conditions; they only compare literal strings once params are resolved. */
function evaluateConditions(template: Template): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const evaluate = (node: Json): boolean => {
    const obj = node as Record<string, Json>;
    if ('Fn::Equals' in obj) {
      const [a, b] = obj['Fn::Equals'] as [Json, Json];
      if (typeof a !== 'string' || typeof b !== 'string') throw new Error(`non-literal Fn::Equals: ${JSON.stringify(node)}`);
      return a === b;
    }
    if ('Fn::Not' in obj) return !evaluate((obj['Fn::Not'] as Json[])[0]);
    if ('Condition' in obj) return out[obj.Condition as string] ?? evaluate(template.Conditions?.[obj.Condition as string]);
    throw new Error(`unsupported condition ${JSON.stringify(node)}`);
  };
  for (const [name, node] of Object.entries(template.Conditions ?? {})) out[name] = evaluate(node);
  return out;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves Fn::If and AWS::NoValue (dropping list items and keys), leaving other intrinsics as they are. */
function resolveIfs(node: Json, conditions: Record<string, boolean>): Json | typeof NO_VALUE {
  if (Array.isArray(node)) {
    return node.map((n) => resolveIfs(n, conditions)).filter((n) => n !== NO_VALUE);
  }
  if (node && typeof node === 'object') {
    const obj = node as Record<string, Json>;
    if ('Ref' in obj && obj.Ref === 'AWS::NoValue') return NO_VALUE;
    if ('Fn::If' in obj) {
      const [name, yes, no] = obj['Fn::If'] as [string, Json, Json];
      const value = conditions[name];
      if (value === undefined) throw new Error(`unknown condition ${name}`);
      return resolveIfs(value ? yes : no, conditions);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(obj)) {
      const r = resolveIfs(v, conditions);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return node;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  // The prod stack is packaged with --region eu-west-1 (see beforeAll).
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
};

/**
 * Evaluates the string intrinsics the templates use (Sub, Join, Split, Select, pseudo-parameter
 * Refs) so resource ARNs can be compared as the strings CloudFormation would produce. A resource
 * Ref or GetAtt becomes `<LogicalId>` / `<LogicalId.Attr>`.
 */
function evaluate(node: Json): Json {
  if (Array.isArray(node)) return node.map(evaluate);
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, Json>;
  const sub = (template: string, vars: Record<string, Json>): string =>
    template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in vars) return String(evaluate(vars[name]));
      if (name in PSEUDO) return PSEUDO[name]!;
      return `<${name}>`;
    });
  if ('Fn::Sub' in obj) {
    const arg = obj['Fn::Sub'];
    return Array.isArray(arg) ? sub(arg[0] as string, arg[1] as Record<string, Json>) : sub(arg as string, {});
  }
  if ('Fn::Join' in obj) {
    const [sep, items] = obj['Fn::Join'] as [string, Json];
    return (evaluate(items) as string[]).join(sep);
  }
  if ('Fn::Split' in obj) {
    const [sep, text] = obj['Fn::Split'] as [string, Json];
    return String(evaluate(text)).split(sep);
  }
  if ('Fn::Select' in obj) {
    const [index, list] = obj['Fn::Select'] as [number, Json];
    const items = evaluate(list) as Json[];
    if (index >= items.length) throw new Error(`Fn::Select index ${index} out of range`);
    return items[index]!;
  }
  if ('Ref' in obj && typeof obj.Ref === 'string') return PSEUDO[obj.Ref] ?? `<${obj.Ref}>`;
  if ('Fn::GetAtt' in obj) return `<${(obj['Fn::GetAtt'] as string[]).join('.')}>`;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, evaluate(v)]));
}

interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: Json;
  Condition?: Json;
}

function roleStatements(template: Template, logicalId: string): Statement[] {
  const conditions = evaluateConditions(template);
  const role = resolveIfs(template.Resources[logicalId], conditions) as {
    Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[]; ManagedPolicyArns?: unknown };
  };
  return role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
}

function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat()))].sort();
}

/** Every IAM statement anywhere in the template: role policies and bucket policies alike. */
function allStatements(node: Json, out: Statement[] = []): Statement[] {
  if (Array.isArray(node)) node.forEach((n) => allStatements(n, out));
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, Json>;
    if (typeof obj.Effect === 'string' && ('Action' in obj || 'NotAction' in obj)) out.push(obj as unknown as Statement);
    else Object.values(obj).forEach((v) => allStatements(v, out));
  }
  return out;
}

const ECR_READ = ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:ListImages', 'ecr:ListPullTimeUpdateExclusions', 'ecr:ListTagsForResource'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** The in-use sources' read actions (lib/adapters/in-use-*.ts), and nothing else of those services. */
const ECS_IN_USE = [
  'ecs:DescribeServiceRevisions', 'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListClusters',
  'ecs:ListServices', 'ecs:ListTaskDefinitionFamilies', 'ecs:ListTaskDefinitions', 'ecs:ListTasks',
];
const LAMBDA_IN_USE = ['lambda:GetFunction', 'lambda:ListAliases', 'lambda:ListFunctions', 'lambda:ListVersionsByFunction'];
const IN_USE = [...ECS_IN_USE, ...LAMBDA_IN_USE, 'apprunner:DescribeService', 'apprunner:ListServices', 'batch:DescribeJobDefinitions'];

describe('serverless.yml packaged by osls', () => {
  let prodDir: string;
  let dev: Template;
  let prod: Template;

  beforeAll(async () => {
    // `npm run package` as written (stage dev, into .serverless/) with an existing report bucket,
    // then the prod stage with the optional Slack, rules and repository-scope params, into a temp dir.
    await packageService(root, 'npm', ['run', 'package', '--', '--param', 'reportBucket=shared-reports']);
    dev = JSON.parse(readFileSync(join(root, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'));
    prodDir = mkdtempSync(join(tmpdir(), 'ecr-sweeper-package-'));
    await packageService(
      root,
      'npx',
      [
        'osls', 'package', '--stage', 'prod', '--region', 'eu-west-1', '--package', prodDir,
        '--param', 'slackWebhookSsmParameter=/ecr-sweeper/prod/slack-webhook',
        '--param', 'governedRepositories=apps/*',
        '--param', 'rulesS3Uri=s3://config-bucket/ecr-sweeper/rules.yml',
        '--param', 'inUseBucket=k8s-inventory',
        '--param', 'inUsePrefix=clusters/in-use',
      ],
    );
    prod = JSON.parse(readFileSync(join(prodDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 600_000);

  afterAll(() => {
    if (prodDir) rmSync(prodDir, { recursive: true, force: true });
  });

  it('sweeps the Region it is deployed to: `--region eu-west-1` leaves no other Region in the stack', () => {
    // The registry Region was once a param defaulting to us-east-1, whatever --region said.
    expect(JSON.stringify(prod)).not.toContain('us-east-1');
    expect(JSON.stringify(dev)).not.toContain('us-east-1');
    for (const template of [prod, dev]) {
      for (const fn of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
        const variables = ((fn.Properties as { Environment?: { Variables?: Record<string, Json> } }).Environment?.Variables ?? {});
        // The functions sweep their own AWS_REGION (set by Lambda), not a Region fixed at package time.
        expect(variables).not.toHaveProperty('ECR_REGION');
      }
    }
  });

  it('schedules the sweep with an EventBridge rule that targets the sweep function', () => {
    // (The other rule starts the organization state machine: test/serverless/org-state-machine.test.ts.)
    const rules = Object.values(prod.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && !JSON.stringify(r).includes('OrgSweepStateMachine'));
    expect(rules).toHaveLength(1);
    const props = rules[0]!.Properties as { ScheduleExpression: string; State: string; Targets: { Arn: Json }[] };
    expect(props.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(props.State).toBe('ENABLED');
    expect(props.Targets).toHaveLength(1);
    expect(props.Targets[0]!.Arn).toEqual({ 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] });
    // dev packages the same rule, switched off.
    const devRule = Object.values(dev.Resources).find((r) => r.Type === 'AWS::Events::Rule' && !JSON.stringify(r).includes('OrgSweepStateMachine'));
    expect((devRule!.Properties as { State: string }).State).toBe('DISABLED');
    // EventBridge may invoke the sweep, and only the sweep.
    const permissions = Object.values(prod.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    expect(permissions.map((p) => (p.Properties as { FunctionName: Json }).FunctionName)).toEqual([
      { 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] },
    ]);
  });

  it('gives the sweep role exactly the actions it needs, BatchDeleteImage and UpdateImageStorageClass on governed repositories only', () => {
    const statements = roleStatements(prod, 'SweepRole');
    expect(actionsOf(statements)).toEqual(
      [
        ...ECR_READ, ...IN_USE, 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass', 'kms:Decrypt', ...LOGS,
        's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sqs:SendMessage', 'ssm:GetParameter',
      ].sort(),
    );
    const resourcesOf = (action: string): Json[] =>
      statements.filter((s) => [s.Action].flat().includes(action)).map((s) => evaluate(s.Resource ?? null));
    expect(resourcesOf('ecr:BatchDeleteImage')).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/apps/*']);
    expect(resourcesOf('ecr:UpdateImageStorageClass')).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/apps/*']);
    expect(resourcesOf('ecr:DescribeImages')).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/apps/*']);
    // Listing repositories has no name to scope by; nor has reading the tags that select them.
    expect(resourcesOf('ecr:DescribeRepositories')).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/*']);
    // Pull-time update exclusions are registry-level: nothing narrower to name.
    expect(resourcesOf('ecr:ListPullTimeUpdateExclusions')).toEqual(['*']);
    expect(resourcesOf('ecr:ListTagsForResource')).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/*']);
    // A governed repository's attached lifecycle policy (lifecyclePolicy: attached).
    expect(resourcesOf('ecr:GetLifecyclePolicy')).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/apps/*']);
    // Reports and checkpoint: the stack's bucket, under the prefix only.
    expect(resourcesOf('s3:PutObject')).toEqual(['arn:aws:s3:::<ReportBucket>/ecr-sweeper/*']);
    // A large report goes up in parts; a failed upload is aborted, under the same prefix only.
    expect(resourcesOf('s3:AbortMultipartUpload')).toEqual(['arn:aws:s3:::<ReportBucket>/ecr-sweeper/*']);
    expect(resourcesOf('s3:DeleteObject')).toEqual(['arn:aws:s3:::<ReportBucket>/ecr-sweeper/checkpoints/*']);
    // The in-use bucket (listed under its prefix only, see below), then the report bucket.
    expect(resourcesOf('s3:ListBucket')).toEqual(['arn:aws:s3:::k8s-inventory', '<ReportBucket.Arn>']);
    // In-use files under their prefix; reports; rules from S3: that one object.
    expect(resourcesOf('s3:GetObject')).toEqual([
      'arn:aws:s3:::k8s-inventory/clusters/in-use/*',
      'arn:aws:s3:::<ReportBucket>/ecr-sweeper/*',
      'arn:aws:s3:::config-bucket/ecr-sweeper/rules.yml',
    ]);
    // Slack webhook: one parameter, decrypted only through SSM and only for that parameter.
    const parameterArn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/ecr-sweeper/prod/slack-webhook';
    expect(resourcesOf('ssm:GetParameter')).toEqual([parameterArn]);
    const kms = evaluate(statements.find((s) => [s.Action].flat().includes('kms:Decrypt'))!) as Statement;
    expect(kms.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': parameterArn },
    });
    expect(resourcesOf('sqs:SendMessage')).toEqual(['<SweepFailureQueue.Arn>']);
    expect(resourcesOf('logs:PutLogEvents')).toEqual(['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/ecr-sweeper-prod-sweep:*']);
  });

  it('gives the plan role read-only ECR access and no BatchDeleteImage or UpdateImageStorageClass at all', () => {
    expect(actionsOf(roleStatements(prod, 'PlanRole'))).toEqual([...ECR_READ, ...IN_USE, ...LOGS, 's3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject'].sort());
    // The index store lives under the report prefix (reports policy); ListBucket only tells "not written yet" from "denied".
    const planStatements = roleStatements(prod, 'PlanRole');
    // (The in-use prefix's ListBucket, held to that prefix, is checked with the in-use reads below.)
    expect(planStatements.filter((s) => [s.Action].flat().includes('s3:ListBucket')).map((s) => evaluate(s.Resource ?? null))).toEqual(['arn:aws:s3:::k8s-inventory', '<ReportBucket.Arn>']);
    const planActions = allStatements(prod.Resources.PlanRole).flatMap((s) => [s.Action].flat());
    expect(planActions.filter((a) => String(a).includes('Delete'))).toEqual([]);
    // Nor can it archive: a plan changes nothing in the registry.
    expect(planActions.filter((a) => String(a).includes('StorageClass'))).toEqual([]);
    // Without the optional params, no SSM, Secrets Manager or KMS access is granted to anyone.
    expect(actionsOf(roleStatements(dev, 'SweepRole'))).not.toEqual(expect.arrayContaining(['ssm:GetParameter']));
    expect(actionsOf(roleStatements(dev, 'SweepRole')).filter((a) => /^(ssm|secretsmanager|kms):/.test(a))).toEqual([]);
  });

  it('lets both roles read what the in-use sources scan, in their own account and Region only, and nothing of those services beyond reads', () => {
    for (const template of [prod, dev]) {
      for (const id of ['SweepRole', 'PlanRole']) {
        const statements = roleStatements(template, id).map((s) => evaluate(s) as Statement);
        const granting = (action: string) => statements.filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action));
        for (const action of IN_USE) {
          const grants = granting(action);
          expect(grants, `${id} ${action}`).toHaveLength(1);
          const grant = grants[0]!;
          if (grant.Resource === '*') {
            // No resource-level permissions for these List/Describe actions: held to the stack's Region instead.
            expect(grant.Condition, `${id} ${action}`).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
          } else {
            const service = action.split(':')[0]!;
            const region = 'eu-west-1';
            expect(grant.Resource, `${id} ${action}`).toBe(
              service === 'lambda' ? `arn:aws:lambda:${region}:123456789012:function:*` : `arn:aws:apprunner:${region}:123456789012:service/*`,
            );
          }
        }
        // Only the reads listed: nothing else of ECS, Lambda, Batch or App Runner.
        const others = actionsOf(statements).filter((a) => /^(ecs|lambda|batch|apprunner):/.test(a));
        expect(others, id).toEqual([...IN_USE].sort());
        // In-use files: GetObject under the prefix, ListBucket only with that prefix.
        const bucket = template === prod ? 'k8s-inventory' : 'shared-reports';
        const prefix = template === prod ? 'clusters/in-use' : 'in-use';
        const list = granting('s3:ListBucket').filter((s) => s.Condition !== undefined);
        expect(list.map((s) => [s.Resource, s.Condition])).toEqual([[`arn:aws:s3:::${bucket}`, { StringLike: { 's3:prefix': [`${prefix}/*`] } }]]);
        expect(granting('s3:GetObject').map((s) => s.Resource)).toContain(`arn:aws:s3:::${bucket}/${prefix}/*`);
      }
    }
    // Both functions are told where the in-use files are (the default location of `inUse.files`).
    for (const id of ['SweepLambdaFunction', 'PlanLambdaFunction']) {
      const env = resolveIfs((prod.Resources[id]!.Properties as any).Environment.Variables, evaluateConditions(prod)) as Record<string, Json>;
      expect(evaluate(env.IN_USE_S3_URI)).toBe('s3://k8s-inventory/clusters/in-use/');
    }
  });

  it('grants no wildcard action anywhere; wildcards appear only in deny-plain-HTTP bucket policies', () => {
    for (const template of [dev, prod]) {
      const statements = allStatements(template);
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows.length).toBeGreaterThan(10);
      expect(allows.filter((s) => s.NotAction !== undefined)).toEqual([]);
      expect(allows.flatMap((s) => [s.Action].flat()).filter((a) => String(a).includes('*'))).toEqual([]);
      // The only wildcard: the TLS-only bucket policies, where a broad deny is the safe form.
      const wildcardDenies = statements.filter((s) => [s.Action].flat().some((a) => String(a).includes('*')));
      for (const deny of wildcardDenies) {
        expect(deny.Effect).toBe('Deny');
        expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': expect.anything() } });
      }
      for (const id of ['SweepRole', 'PlanRole']) {
        expect(template.Resources[id]!.Properties!.ManagedPolicyArns).toBeUndefined();
      }
    }
    // osls' shared default role is not created: each function uses its own.
    expect(prod.Resources.IamRoleLambdaExecution).toBeUndefined();
    expect((prod.Resources.SweepLambdaFunction!.Properties as { Role: Json }).Role).toEqual({ 'Fn::GetAtt': ['SweepRole', 'Arn'] });
    expect((prod.Resources.PlanLambdaFunction!.Properties as { Role: Json }).Role).toEqual({ 'Fn::GetAtt': ['PlanRole', 'Arn'] });
  });

  it('creates an encrypted, private, versioned report bucket that expires old reports', () => {
    const bucket = prod.Resources.ReportBucket!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    const p = bucket.Properties as Record<string, any>;
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rule = p.LifecycleConfiguration.Rules[0];
    expect(rule).toMatchObject({ Status: 'Enabled', Prefix: 'ecr-sweeper/', ExpirationInDays: 90 });
    expect(bucket.Condition).toBe('CreateReportBucket');
    expect(evaluateConditions(prod).CreateReportBucket).toBe(true);
  });

  it('uses an existing report bucket when one is named, with the same prefix-only access', () => {
    const conditions = evaluateConditions(dev);
    expect(conditions.CreateReportBucket).toBe(false);
    const statements = roleStatements(dev, 'SweepRole');
    const resourcesOf = (action: string): Json[] =>
      statements.filter((s) => [s.Action].flat().includes(action)).map((s) => evaluate(s.Resource ?? null));
    expect(resourcesOf('s3:PutObject')).toEqual(['arn:aws:s3:::shared-reports/ecr-sweeper/*']);
    expect(resourcesOf('s3:DeleteObject')).toEqual(['arn:aws:s3:::shared-reports/ecr-sweeper/checkpoints/*']);
    expect(resourcesOf('s3:ListBucket')).toEqual(['arn:aws:s3:::shared-reports', 'arn:aws:s3:::shared-reports']);
    const env = resolveIfs((dev.Resources.SweepLambdaFunction!.Properties as any).Environment.Variables, conditions) as Record<string, Json>;
    expect(env.REPORT_BUCKET).toBe('shared-reports');
    expect(env.REPORT_PREFIX).toBe('ecr-sweeper');
    // In-use files default to the report bucket's in-use/ prefix.
    expect(evaluate(env.IN_USE_S3_URI)).toBe('s3://shared-reports/in-use/');
    expect(resourcesOf('s3:GetObject')).toContain('arn:aws:s3:::shared-reports/in-use/*');
  });

  it('runs both functions on nodejs22.x arm64; the sweep gets 900 s and a failure destination and alarm', () => {
    for (const id of ['SweepLambdaFunction', 'PlanLambdaFunction']) {
      const p = prod.Resources[id]!.Properties as { Runtime: string; Architectures: string[] };
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual(['arm64']);
    }
    const sweep = prod.Resources.SweepLambdaFunction!.Properties as { Timeout: number; MemorySize: number };
    expect(sweep.Timeout).toBe(900);
    expect(sweep.MemorySize).toBe(2048);
    // /tmp for the image part store (721 bytes per image measured): 2048 MB, not Lambda's 512 MB default.
    for (const id of ['SweepLambdaFunction', 'PlanLambdaFunction']) {
      expect((prod.Resources[id]!.Properties as { EphemeralStorage?: unknown }).EphemeralStorage, id).toEqual({ Size: 2048 });
    }
    const invokeConfig = Object.values(prod.Resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig')!;
    expect(invokeConfig.Properties).toMatchObject({
      FunctionName: { Ref: 'SweepLambdaFunction' },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['SweepFailureQueue', 'Arn'] } } },
    });
    const alarm = prod.Resources.SweepErrorsAlarm!.Properties as Record<string, Json>;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'SweepLambdaFunction' } }],
    });
  });

  it('bundles each function separately with its handler and the default rules, under 5 MB', () => {
    const sizes: Record<string, number> = {};
    for (const fn of ['sweep', 'plan']) {
      const zip = join(prodDir, `${fn}.zip`);
      sizes[fn] = statSync(zip).size;
      const names = readZipEntries(zip).map((e) => e.name);
      expect(names).toContain(`functions/${fn}.mjs`);
      expect(names).toContain('rules/default.yml');
      expect(names.some((n) => n.startsWith('node_modules/'))).toBe(false);
      expect(sizes[fn]).toBeLessThan(5 * 1024 * 1024);
    }
    // Only the sweep posts to Slack: the plan bundle carries neither the webhook client nor Secrets Manager.
    const code = (fn: string) => readZipEntry(join(prodDir, `${fn}.zip`), `functions/${fn}.mjs`).toString('utf8');
    for (const marker of ['IncomingWebhook', 'SecretsManagerClient']) {
      expect(code('sweep')).toContain(marker);
      expect(code('plan')).not.toContain(marker);
    }
    console.log(
      `bundle sizes (zip): ${Object.entries(sizes).map(([fn, b]) => `${fn} ${(b / 1024).toFixed(0)} KiB`).join(', ')}`,
    );
  });

  it('ships bundles that load on their own and run the handler (a bad event is refused before any call)', async () => {
    for (const fn of ['sweep', 'plan']) {
      const zip = join(prodDir, `${fn}.zip`);
      const taskRoot = join(prodDir, `${fn}-unzipped`);
      for (const entry of readZipEntries(zip)) {
        if (entry.name.endsWith('/')) continue;
        mkdirSync(join(taskRoot, entry.name, '..'), { recursive: true });
        writeFileSync(join(taskRoot, entry.name), readZipEntry(zip, entry.name));
      }
      // A clean Node process with nothing but the unzipped package, as Lambda starts it: no
      // node_modules next to it, the handler imported by file URL.
      const script = `
        const started = performance.now();
        const { handler } = await import('./functions/${fn}.mjs');
        const importMs = performance.now() - started;
        const context = { getRemainingTimeInMillis: () => 60000, functionName: '${fn}', awsRequestId: 'r1' };
        const error = await handler({ unexpected: true }, context).then(() => null, (e) => e);
        console.log(JSON.stringify({ type: typeof handler, importMs, error: error && { name: error.name, message: error.message } }));
      `;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: taskRoot,
        env: { PATH: process.env.PATH, REPORT_BUCKET: 'reports', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'CRITICAL', LAMBDA_TASK_ROOT: taskRoot },
        timeout: 60_000,
      });
      const report = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(report.type).toBe('function');
      expect(report.error).toMatchObject({ name: 'ConfigError', message: expect.stringMatching(fn === 'plan' ? /invalid plan event/ : /invalid sweep event/) });
      console.log(`${fn} bundle: import ${report.importMs.toFixed(0)} ms (cold, this machine)`);
    }
  });
});

