/**
 * What the organization functions accept before anything runs: their ORG_* settings and the
 * events the state machine passes (functions/shared/org.ts). A bad value is a ConfigError naming
 * the variable or the field; nothing is listed, planned or deleted.
 */
import { describe, expect, it } from 'vitest';
import { orgSettings, parseFinishEvent, parseRecordEvent, parseShardEvent, parseStartEvent } from '../../functions/shared/org.js';
import { ConfigError } from '../../lib/errors.js';

const RUN = { runId: '20261205T000000Z-1a2b3c4d', bucket: 'reports', prefix: 'ecr-sweeper' };
const SHARD = { shardId: '111111111111-eu-west-1-0', targetKey: '111111111111/eu-west-1' };

describe('orgSettings', () => {
  it('reads the ORG_* variables, with the defaults of serverless.yml when blank', () => {
    expect(orgSettings({}, 4)).toEqual({ maxRepositoriesPerShard: 200, lanesPerTarget: 2, concurrency: 4 });
    expect(orgSettings({ ORG_SHARD_SIZE: '50', ORG_LANES_PER_TARGET: '3', ORG_TARGET_REQUESTS_PER_SECOND: '12.5' }, 8)).toEqual({
      maxRepositoriesPerShard: 50, lanesPerTarget: 3, concurrency: 8, targetRequestsPerSecond: 12.5,
    });
    expect(orgSettings({ ORG_TARGET_REQUESTS_PER_SECOND: '' }, 4)).not.toHaveProperty('targetRequestsPerSecond');
  });

  it.each([
    [{ ORG_SHARD_SIZE: '0' }, /ORG_SHARD_SIZE: expected an integer from 1 to 100000, got "0"/],
    [{ ORG_SHARD_SIZE: 'many' }, /ORG_SHARD_SIZE/],
    [{ ORG_LANES_PER_TARGET: '2.5' }, /ORG_LANES_PER_TARGET: expected an integer from 1 to 64/],
    [{ ORG_TARGET_REQUESTS_PER_SECOND: '-1' }, /ORG_TARGET_REQUESTS_PER_SECOND: expected a positive number, got "-1"/],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => orgSettings(env, 4)).toThrow(ConfigError);
    expect(() => orgSettings(env, 4)).toThrow(message);
  });
});

describe('org events', () => {
  it('takes the schedule\'s empty input, and lets an execution force a dry run but never apply', () => {
    expect(parseStartEvent({ input: {}, executionName: 'x' })).toEqual({});
    expect(parseStartEvent({ input: { mode: 'dry-run' } })).toEqual({ mode: 'dry-run' });
    expect(() => parseStartEvent({ input: { mode: 'apply' } })).toThrow(/input\.mode/);
  });

  it('checks a shard item: its run and its shard, nothing else', () => {
    expect(parseShardEvent({ run: RUN, shard: SHARD })).toEqual({ run: RUN, shard: SHARD });
    expect(() => parseShardEvent({ run: RUN, shard: { ...SHARD, shardId: '../../etc' } })).toThrow(/invalid org shard event:\n  shard\.shardId/);
    expect(() => parseShardEvent({ run: { ...RUN, runId: 'a/b' }, shard: SHARD })).toThrow(/run\.runId/);
    expect(() => parseShardEvent({ run: RUN, shard: SHARD, extra: 1 })).toThrow(ConfigError);
  });

  it('takes a Map\'s error along into RecordPlan and Finish', () => {
    expect(parseRecordEvent({ run: RUN, lanesKey: 'k', planMapError: { Error: 'States.ExceedToleratedFailureThreshold' } }).planMapError).toEqual({ Error: 'States.ExceedToleratedFailureThreshold' });
    expect(parseFinishEvent({ run: RUN, apply: true }).applyMapError).toBeUndefined();
    expect(() => parseFinishEvent({})).toThrow(/invalid org finish event:\n  run/);
  });
});
