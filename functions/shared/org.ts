/**
 * What the five organization functions share (serverless.yml `orgSweep`): their settings from the
 * environment, the step inputs as the state machine passes them (validated before anything runs),
 * and the engine's ports wired to this container's clients.
 */
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { createInUseReaders } from '../../lib/adapters/in-use-readers.js';
import { inUseSettingsOf } from '../../lib/core/in-use-settings.js';
import type { OrgRunManifest } from '../../lib/core/org-run.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import type { FailedTarget, Target } from '../../lib/core/targets.js';
import { awsTargetResolution } from '../../lib/adapters/target-resolution-aws.js';
import { resolveTargets } from '../../lib/engine/targets-resolve.js';
import { targetClients, type AwsClientSettings } from '../../lib/adapters/aws-clients.js';
import type { OrgRunRef, OrgStepDeps } from '../../lib/engine/org-steps.js';
import { ConfigError } from '../../lib/errors.js';
import type { FunctionDeps } from './clients.js';
import { logger } from './observability.js';

/** The org settings of serverless.yml's params (ORG_* variables); checked at every use so the variable is named. */
export function orgSettings(env: Readonly<Record<string, string | undefined>>, concurrency: number): OrgRunManifest['settings'] {
  const int = (name: string, fallback: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`invalid function configuration: ${name}: expected an integer from 1 to ${max}, got "${raw}"`);
    return n;
  };
  const rateRaw = env.ORG_TARGET_REQUESTS_PER_SECOND?.trim();
  let targetRequestsPerSecond: number | undefined;
  if (rateRaw !== undefined && rateRaw !== '') {
    const n = Number(rateRaw);
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`invalid function configuration: ORG_TARGET_REQUESTS_PER_SECOND: expected a positive number, got "${rateRaw}"`);
    targetRequestsPerSecond = n;
  }
  return {
    maxRepositoriesPerShard: int('ORG_SHARD_SIZE', 200, 100_000),
    lanesPerTarget: int('ORG_LANES_PER_TARGET', 2, 64),
    concurrency,
    ...(targetRequestsPerSecond !== undefined ? { targetRequestsPerSecond } : {}),
  };
}

/** The run every step works on: its id and the work files' place (the report bucket and prefix). */
export function runRefOf(deps: FunctionDeps, runId: string): OrgRunRef {
  return { runId, bucket: deps.config.reportBucket, prefix: deps.config.reportPrefix };
}

/** The engine's ports on this container: per-target clients (assumed role, target Region), the in-use readers. */
export function orgStepDeps(deps: FunctionDeps): OrgStepDeps {
  const env = process.env;
  const places = {
    baseDir: dirname(resolve(deps.config.taskRoot ?? process.cwd(), deps.config.rulesFile)),
    ...(deps.config.inUseS3Uri !== undefined ? { defaultFilesLocation: deps.config.inUseS3Uri } : {}),
  };
  return {
    s3: deps.s3,
    logger,
    // The target's Region and (for another account) its role, refreshed by itself; one session name per run.
    clientsFor: (target: Target, runId: string) => targetClients(target, clientSettings(deps), runId),
    targetReaders: (ruleSet: RuleSet, _target: Target, clients) => createInUseReaders({ ...inUseSettingsOf(ruleSet), files: null }, clients, places),
    fileReaders: (ruleSet: RuleSet) => {
      const settings = inUseSettingsOf(ruleSet);
      if (settings.files === null) return [];
      return createInUseReaders({ ...settings, ecs: false, lambda: false, batch: false, apprunner: false }, deps.clients, places);
    },
  };
}

/** The settings every client of the org functions is built with: this environment, its timeouts. */
function clientSettings(deps: FunctionDeps): AwsClientSettings {
  return { env: process.env, timeouts: deps.config.httpTimeouts };
}

/**
 * The run's targets from the rules' `targets:` or `organization:` (lib/engine/targets-resolve.ts):
 * the organization's accounts through AWS Organizations, `regions: all` through each account's EC2
 * DescribeRegions (with its role). With neither block: the function's own account (STS) in its own
 * Region, with its own credentials, as the single sweep does.
 */
export async function resolveRunTargets(deps: FunctionDeps, ruleSet: RuleSet, runId: string): Promise<{ targets: Target[]; failed: FailedTarget[] }> {
  const region = process.env.AWS_REGION;
  if (!region) throw new ConfigError("the function's own Region (AWS_REGION) is unknown: no target to sweep");
  const resolution = awsTargetResolution({ ...clientSettings(deps), region }, runId);
  try {
    const { targets, failed } = await resolveTargets(ruleSet, resolution);
    return { targets, failed };
  } finally {
    resolution.destroy();
  }
}

const runRef = z.strictObject({ runId: z.string().regex(/^[A-Za-z0-9T-]{1,64}$/), bucket: z.string().min(3), prefix: z.string() });
const shardRef = z.strictObject({ shardId: z.string().regex(/^[0-9]{12}-[a-z0-9-]+-[0-9]+$/), targetKey: z.string().regex(/^[0-9]{12}\/[a-z0-9-]+$/) });

const startEvent = z.looseObject({
  input: z.looseObject({ mode: z.literal('dry-run').optional() }).optional(),
});
const shardEvent = z.strictObject({ run: runRef, shard: shardRef });
const recordEvent = z.looseObject({ run: runRef, planMapError: z.unknown().optional() });
const finishEvent = z.looseObject({ run: runRef, applyMapError: z.unknown().optional() });

function parse<T>(schema: z.ZodType<T>, event: unknown, what: string): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(event)'}: ${i.message}`);
  throw new ConfigError(`invalid ${what} event:\n${lines.join('\n')}`);
}

/** Start's event: the execution input (`{}` from the schedule; `{ "mode": "dry-run" }` forces a dry run). */
export function parseStartEvent(event: unknown): { mode?: 'dry-run' } {
  const e = parse(startEvent, event, 'org start');
  return e.input?.mode ? { mode: e.input.mode } : {};
}

/** A shard step's event (one item of a lane). */
export function parseShardEvent(event: unknown): z.infer<typeof shardEvent> {
  return parse(shardEvent, event, 'org shard');
}

/** RecordPlan's event: Start's output, with the planning Map's error when it gave up. */
export function parseRecordEvent(event: unknown): z.infer<typeof recordEvent> {
  return parse(recordEvent, event, 'org record-plan');
}

/** Finish's event: RecordPlan's output, with the apply Map's error when it gave up. */
export function parseFinishEvent(event: unknown): z.infer<typeof finishEvent> {
  return parse(finishEvent, event, 'org finish');
}
