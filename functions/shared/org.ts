/**
 * What the five organization functions share (serverless.yml `orgSweep`): their settings from the
 * environment and the step inputs as the state machine passes them (validated before anything
 * runs). The engine's ports are wired to this container's clients in `org-wiring.ts`.
 */
import * as z from 'zod';
import type { OrgRunManifest } from '../../lib/core/org-run.js';
import type { OrgRunRef } from '../../lib/engine/org-ports.js';
import { ConfigError } from '../../lib/errors.js';
import type { FunctionDeps } from './clients.js';

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
