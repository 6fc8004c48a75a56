/**
 * The organization steps' ports wired to this container (lib/engine/org-ports.ts): the run's work
 * files, shared in-use scan, and each shard's checkpoint and journal on S3 under the run's prefix
 * of the report bucket; each target reached with its own clients (its Region, its assumed role).
 */
import { dirname, resolve } from 'node:path';
import { targetClients, type AwsClientSettings, type AwsClients } from '../../lib/adapters/aws-clients.js';
import { S3CheckpointStore } from '../../lib/adapters/checkpoint-s3.js';
import { ecrRegistry } from '../../lib/adapters/ecr-registry-connector.js';
import { listRepositoryNames } from '../../lib/adapters/ecr-repository-names.js';
import { S3InUseScanCache } from '../../lib/adapters/in-use-cache-s3.js';
import { createInUseReaders, type InUseReaderPlaces } from '../../lib/adapters/in-use-readers.js';
import { S3JournalStore } from '../../lib/adapters/journal-s3.js';
import { OrgRunKeys, S3OrgRunStore } from '../../lib/adapters/org-run-store-s3.js';
import { awsTargetResolution } from '../../lib/adapters/target-resolution-aws.js';
import { inUseSettingsOf } from '../../lib/core/in-use-settings.js';
import type { RuleSet } from '../../lib/core/rules-model.js';
import type { FailedTarget, Target } from '../../lib/core/targets.js';
import type { OrgRunRef, OrgStepDeps, TargetAccess } from '../../lib/engine/org-ports.js';
import type { ImagePartStore } from '../../lib/engine/types.js';
import { resolveTargets } from '../../lib/engine/targets-resolve.js';
import { ConfigError } from '../../lib/errors.js';
import type { FunctionDeps } from './clients.js';
import { logger } from './observability.js';

/**
 * The engine's ports on this container: the run's S3 work files, per-target clients (assumed role,
 * target Region), the in-use readers; and for the shard, RecordPlan and Finish steps, the
 * invocation's image part store (functions/shared/image-parts.ts), so a shard's memory follows its
 * largest repository and RecordPlan's and Finish's follow one shard.
 */
export function orgStepDeps(deps: FunctionDeps, imageParts?: ImagePartStore): OrgStepDeps {
  const places: InUseReaderPlaces = {
    baseDir: dirname(resolve(deps.config.taskRoot ?? process.cwd(), deps.config.rulesFile)),
    ...(deps.config.inUseS3Uri !== undefined ? { defaultFilesLocation: deps.config.inUseS3Uri } : {}),
  };
  const keysOf = (run: OrgRunRef) => new OrgRunKeys(run.prefix, run.runId);
  return {
    logger,
    runStore: (run) => new S3OrgRunStore(deps.s3, run.bucket, run.prefix, run.runId),
    inUseCache: (run) => new S3InUseScanCache(deps.s3, run.bucket, keysOf(run).inUseScan, logger),
    checkpointStore: (run, shard) => new S3CheckpointStore(deps.s3, run.bucket, keysOf(run).checkpoint(shard)),
    journalStore: (run, shard) => new S3JournalStore(deps.s3, run.bucket, keysOf(run).journal(shard)),
    // The target's Region and (for another account) its role, refreshed by itself; one session name per run.
    target: (target: Target, runId: string) => targetAccess(targetClients(target, clientSettings(deps), runId), places, imageParts),
    fileReaders: (ruleSet: RuleSet) => {
      const settings = inUseSettingsOf(ruleSet);
      if (settings.files === null) return [];
      return createInUseReaders({ ...settings, ecs: false, lambda: false, batch: false, apprunner: false }, deps.clients, places);
    },
    // RecordPlan and Finish move each shard part's images there as they read the parts.
    ...(imageParts ? { imageParts } : {}),
  };
}

/** One target through its own clients, built on first use and closed with the access. */
function targetAccess(clients: AwsClients, places: InUseReaderPlaces, imageParts: ImagePartStore | undefined): TargetAccess {
  return {
    listRepositoryNames: () => listRepositoryNames(clients.ecr),
    inUseReaders: (ruleSet) => createInUseReaders({ ...inUseSettingsOf(ruleSet), files: null }, clients, places),
    // One shard is one target: its repository names cannot collide in the invocation's part store.
    sweepDeps: () => ({ registry: ecrRegistry(clients.ecr), ...(imageParts ? { imageParts } : {}) }),
    close: () => clients.destroy(),
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
