/**
 * The events the functions accept, validated with zod before anything runs. A malformed event
 * is a ConfigError naming each bad field; nothing is listed, planned or deleted.
 */
// A namespace import lets esbuild drop the parts of zod not used (its locales alone are ~250 KB).
import * as z from 'zod';
import { ConfigError } from '../../lib/errors.js';

/** What `plan` may be asked: narrow repositories, rules inline, evaluation time. */
const planEventSchema = z.strictObject({
  repositories: z.string().trim().min(1, 'expected a non-empty repository glob').max(256).optional(),
  rules: z.string().min(1, 'expected rules YAML text').max(256 * 1024, 'rules text over 256 KiB').optional(),
  now: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time such as 2026-11-27T03:00:00Z' }).optional(),
});

/** A validated `plan` event. */
export interface PlanEvent {
  repositories?: string;
  rules?: string;
  /** Epoch ms. */
  now?: number;
}

/** The EventBridge scheduled event, loosely: only its shape is checked; nothing in it steers the sweep. */
const scheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.string(),
  time: z.string().optional(),
  id: z.string().optional(),
});

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : '(event)';
      const message = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message;
      return `  ${where}: ${message}`;
    })
    .join('\n');
}

/** Lambda hands over `null` (or a CLI an empty string) when invoked without a payload. */
function isEmptyPayload(event: unknown): boolean {
  return event === null || event === undefined || event === '';
}

/**
 * Validates a `plan` event: `{ repositories?: glob, rules?: YAML text, now?: ISO-8601 }`, all optional.
 *
 * @example parsePlanEvent({ repositories: 'team-a/*', now: '2026-11-27T00:00:00Z' })
 * @throws ConfigError listing every bad or unknown field.
 */
export function parsePlanEvent(event: unknown): PlanEvent {
  if (isEmptyPayload(event)) return {};
  const parsed = planEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid plan event (expected { repositories?: glob, rules?: YAML text, now?: ISO-8601 }):\n${describe(parsed.error)}`,
    );
  }
  const { repositories, rules, now } = parsed.data;
  return {
    ...(repositories !== undefined ? { repositories } : {}),
    ...(rules !== undefined ? { rules } : {}),
    ...(now !== undefined ? { now: Date.parse(now) } : {}),
  };
}

/** What the sweep knows of its trigger, for the logs. */
export interface SweepTrigger {
  kind: 'schedule' | 'manual';
  eventId?: string;
  time?: string;
}

/**
 * Validates a `sweep` event: the EventBridge scheduled event, or an empty payload for a manual
 * run. Anything else is refused: the sweep takes no parameters (use `plan` to narrow or try rules).
 *
 * @throws ConfigError saying what was received.
 */
export function parseSweepEvent(event: unknown): SweepTrigger {
  if (isEmptyPayload(event)) return { kind: 'manual' };
  if (typeof event === 'object' && !Array.isArray(event) && Object.keys(event as object).length === 0) return { kind: 'manual' };
  const parsed = scheduledEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ConfigError(
      'invalid sweep event: expected an EventBridge "Scheduled Event" or an empty payload; the sweep takes no ' +
        `parameters (invoke the plan function to narrow repositories or try other rules):\n${describe(parsed.error)}`,
    );
  }
  return {
    kind: 'schedule',
    ...(parsed.data.id ? { eventId: parsed.data.id } : {}),
    ...(parsed.data.time ? { time: parsed.data.time } : {}),
  };
}
