/**
 * How an organization run is cut for the Step Functions fan-out (docs/deploy.md "Organizations"):
 * each target's repositories into shards (one Lambda invocation plans or applies one shard), and
 * each target's shards into lanes (one child workflow of a Distributed Map works through one lane,
 * a shard at a time), so that at most `lanesPerTarget` invocations work on one target at once,
 * whatever the Map's global MaxConcurrency. Pure.
 */
import { ConfigError } from '../errors.js';
import type { RuleSet } from './rules-model.js';
import { targetKey, type Target, type TargetRef } from './targets.js';

/** A shard: some repositories of one target, planned and applied by one invocation. */
export interface Shard {
  /** Unique in the run and safe in an S3 key: `<account>-<region>-<n>` (n from 0). */
  shardId: string;
  target: Target;
  /** Exact repository names, sorted. */
  repositories: string[];
}

/** What a lane carries of a shard: small, so a lane of many shards stays far under the 256 KB item limit. */
export interface ShardRef {
  shardId: string;
  /** `targetKey(target)`. */
  targetKey: string;
}

/** One child workflow's work: shards of ONE target, run one after another. */
export interface Lane {
  /** `<account>-<region>-lane-<n>`. */
  laneId: string;
  targetKey: string;
  shards: ShardRef[];
}

/** How to cut. */
export interface ShardSettings {
  /** Most repositories in one shard (>= 1). */
  maxRepositoriesPerShard: number;
  /** Most lanes (so invocations at once) per target (>= 1). */
  lanesPerTarget: number;
}

/**
 * Whether the rules cap deletions (run-wide or per policy). A capped target is one shard: the cap
 * counts the planner's order over the whole target, which shards planned apart could not keep.
 */
export function rulesCapDeletions(ruleSet: RuleSet): boolean {
  return ruleSet.defaults.maxDeletionsPerRun !== null || ruleSet.policies.some((p) => p.settings?.maxDeletionsPerRun !== undefined);
}

/** `123456789012/eu-west-1` -> `123456789012-eu-west-1`, for ids and S3 keys. */
export function targetSlug(target: TargetRef): string {
  return `${target.accountId}-${target.region}`;
}

/**
 * Cuts one target's repositories into shards of at most `maxRepositoriesPerShard` names (in name
 * order, duplicates dropped), or into ONE shard when the rules cap deletions. A target with no
 * repository still gets one (empty) shard, so every target is planned and reported.
 *
 * @example
 * shardTarget({ accountId: '111111111111', region: 'eu-west-1' }, ['a', 'b', 'c'], { maxRepositoriesPerShard: 2, lanesPerTarget: 1 }, false)
 * // -> shards ['a','b'] and ['c']
 */
export function shardTarget(target: Target, repositories: readonly string[], settings: ShardSettings, capped: boolean): Shard[] {
  checkSettings(settings);
  const names = [...new Set(repositories)].sort();
  const size = capped ? Math.max(1, names.length) : settings.maxRepositoriesPerShard;
  const shards: Shard[] = [];
  for (let start = 0; start === 0 || start < names.length; start += size) {
    shards.push({ shardId: `${targetSlug(target)}-${shards.length}`, target, repositories: names.slice(start, start + size) });
  }
  return shards;
}

/**
 * Deals each target's shards round-robin into at most `lanesPerTarget` lanes of that target.
 * Every shard is in exactly one lane; no lane mixes targets; no lane is empty.
 */
export function laneShards(shards: readonly Shard[], settings: ShardSettings): Lane[] {
  checkSettings(settings);
  const byTarget = new Map<string, Shard[]>();
  for (const shard of shards) {
    const key = targetKey(shard.target);
    const list = byTarget.get(key) ?? [];
    list.push(shard);
    byTarget.set(key, list);
  }
  const lanes: Lane[] = [];
  for (const [key, list] of byTarget) {
    const count = Math.min(settings.lanesPerTarget, list.length);
    const slug = targetSlug(list[0]!.target);
    const mine: Lane[] = Array.from({ length: count }, (_, n) => ({ laneId: `${slug}-lane-${n}`, targetKey: key, shards: [] }));
    list.forEach((shard, index) => mine[index % count]!.shards.push({ shardId: shard.shardId, targetKey: key }));
    lanes.push(...mine);
  }
  return lanes;
}

/**
 * A lane's share of a target's budget: requests in flight and (when set) requests per second, so
 * the lanes of one target together stay within what one target may receive.
 */
export function laneBudget(settings: ShardSettings, concurrency: number, targetRequestsPerSecond: number | undefined): { concurrency: number; maxRate?: number } {
  checkSettings(settings);
  const share = { concurrency: Math.max(1, Math.floor(concurrency / settings.lanesPerTarget)) };
  return targetRequestsPerSecond === undefined ? share : { ...share, maxRate: targetRequestsPerSecond / settings.lanesPerTarget };
}

function checkSettings(settings: ShardSettings): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`shard settings: ${name} must be a positive integer, got ${String(value)}`);
  }
}
