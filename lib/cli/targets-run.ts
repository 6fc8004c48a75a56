/**
 * `plan` and `apply` over the rules' targets (issue 10): resolves the targets from the caller's
 * own account and Region, builds each target's clients on its assumed role
 * (`fromTemporaryCredentials`, refreshing itself, never more than 3600 s), its in-use readers and
 * its own checkpoint and journal files, then runs `runTargets`. Without `targets:` in the rules the
 * commands do not come here: a run covers the caller's own account and Region, as before.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { basename, dirname, extname, join } from 'node:path';
import { stsCallerIdentity } from '../adapters/caller-identity.js';
import { FileCheckpointStore } from '../adapters/checkpoint-file.js';
import { createInUseReaders } from '../adapters/in-use-readers.js';
import { FileJournalStore } from '../adapters/journal-file.js';
import { TeeJournalStore } from '../adapters/journal-tee.js';
import { inUseSettingsOf } from '../core/in-use-settings.js';
import type { RuleSet } from '../core/rules-model.js';
import { resolveTargetList, type ResolvedTargets, type Target, type TargetRef } from '../core/targets.js';
import { ConfigError } from '../errors.js';
import { createAwsClients, type AwsClients, type AwsClientSettings } from '../engine/aws-clients.js';
import { runTargets, targetImageParts, type RunTargetsOptions, type RunTargetsOutput, type TargetSweep } from '../engine/org-sweep.js';
import type { ImagePartStore, IndexStore, PlanVerdict, ProgressEvent, SweepLogger } from '../engine/types.js';
import type { Plan } from '../core/plan-model.js';
import { parseEndpointUrl } from './options.js';
import type { AwsFlags, CliRuntime } from './runtime.js';

/** Longest RoleSessionName STS accepts. */
const MAX_SESSION_NAME = 64;
/** Role chaining (the CLI on a role, the functions always) caps a session at one hour: never ask more. */
const SESSION_SECONDS = 3600;

/** What `plan` or `apply` hands over for a run over targets. */
export interface TargetsRunInput {
  ruleSet: RuleSet;
  rulesPath: string;
  flags: AwsFlags;
  runtime: CliRuntime;
  /** The run's clients (the caller's own account and Region): identity, in-use files, STS for the roles. */
  home: AwsClients;
  runId: string;
  options: RunTargetsOptions;
  planSink?: (plan: Plan) => Promise<void | PlanVerdict>;
  onProgress?: (event: ProgressEvent) => void;
  logger?: SweepLogger;
  indexStore?: IndexStore;
  /** Where each target's images wait (keys prefixed with the target, one store for the run). */
  imageParts?: ImagePartStore;
  /** apply: each target's checkpoint is this path with the target in its name. */
  checkpointPath?: string;
  /** apply: each target's journal goes to `--out` (and next to its checkpoint), named for the target. */
  outDir?: string;
}

/**
 * Resolves the targets, builds their clients and runs them; the clients are destroyed at the end.
 *
 * @throws ConfigError when the rules ask for what this build cannot resolve (see {@link resolveCliTargets}).
 */
export async function runCliTargets(input: TargetsRunInput): Promise<RunTargetsOutput> {
  const { home, ruleSet } = input;
  const resolved = await resolveCliTargets(ruleSet, home);
  const built: AwsClients[] = [];
  try {
    const settings = inUseSettingsOf(ruleSet);
    // In-use files are read once for the run (from the rules' directory, with the caller's S3).
    const shared = createInUseReaders({ ...settings, ecs: false, lambda: false, batch: false, apprunner: false }, home, { baseDir: dirname(input.rulesPath) });
    const sweeps: TargetSweep[] = resolved.targets.map((target) => {
      const clients = targetClients(input, target);
      built.push(clients);
      const sweep: TargetSweep = {
        target,
        deps: {
          ecr: clients.ecr,
          callerIdentity: stsCallerIdentity(clients.sts),
          ...(input.indexStore ? { indexStore: input.indexStore } : {}),
          ...(input.imageParts ? { imageParts: targetImageParts(input.imageParts, target) } : {}),
          ...(input.checkpointPath !== undefined ? { checkpoint: new FileCheckpointStore(targetPath(input.checkpointPath, target)) } : {}),
        },
        inUseReaders: createInUseReaders({ ...settings, files: null }, clients, { baseDir: dirname(input.rulesPath) }),
      };
      const journal = targetJournal(input.outDir, input.checkpointPath, target);
      if (journal) sweep.deps.journal = journal;
      return sweep;
    });
    return await runTargets(
      {
        targets: sweeps,
        failed: resolved.failed,
        inUse: { sharedReaders: shared },
        ...(input.planSink ? { planSink: input.planSink } : {}),
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
        ...(input.logger ? { logger: input.logger } : {}),
      },
      { ...input.options, runId: input.runId },
    );
  } finally {
    for (const clients of built) clients.destroy();
  }
}

/**
 * The targets of the rules' `targets:` list, from the caller's own account (STS GetCallerIdentity)
 * and Region. `organization:` and `regions: all` need AWS Organizations and EC2 DescribeRegions,
 * which this command does not read yet: refused before anything is listed, naming what to write.
 */
export async function resolveCliTargets(ruleSet: RuleSet, home: AwsClients): Promise<ResolvedTargets> {
  const setting = ruleSet.targets;
  if (setting?.kind === 'organization') {
    throw new ConfigError('organization: targets are resolved through AWS Organizations, which `plan` and `apply` do not read yet; list the accounts under targets: instead. Nothing was listed or deleted.');
  }
  if (setting?.kind === 'list' && setting.targets.some((t) => t.regions === 'all')) {
    throw new ConfigError('regions: all is resolved through EC2 DescribeRegions, which `plan` and `apply` do not read yet; list the Regions of each target instead. Nothing was listed or deleted.');
  }
  const identity = await home.sts.send(new GetCallerIdentityCommand({}));
  const region = await home.ecr.config.region();
  if (identity.Account === undefined) throw new ConfigError('STS GetCallerIdentity answered no account: the run cannot tell its own account from the targets');
  const homeRef: TargetRef = { accountId: identity.Account, region };
  return resolveTargetList(setting, homeRef);
}

/**
 * A target's clients: its Region, and credentials from its role (assumed with the caller's own
 * credentials, through the run's STS endpoint), or the caller's own for a target without a role.
 */
export function targetClients(input: Pick<TargetsRunInput, 'flags' | 'runtime' | 'home' | 'runId'>, target: Target): AwsClients {
  const { flags, runtime, home } = input;
  const settings: AwsClientSettings = { env: runtime.io.env, region: target.region };
  if (flags.profile !== undefined) settings.profile = flags.profile;
  if (flags.endpointUrl !== undefined) settings.endpoint = parseEndpointUrl(flags.endpointUrl);
  if (target.roleArn !== undefined) {
    const sts = home.endpointOf('sts');
    settings.credentials = fromTemporaryCredentials({
      params: {
        RoleArn: target.roleArn,
        RoleSessionName: `ecr-sweeper-${input.runId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, MAX_SESSION_NAME),
        DurationSeconds: SESSION_SECONDS,
        ...(target.externalId !== undefined ? { ExternalId: target.externalId } : {}),
      },
      masterCredentials: home.sts.config.credentials,
      clientConfig: { region: target.region, ...(sts !== undefined ? { endpoint: sts.url } : {}) },
    });
  } else if (runtime.ecrClientExtra?.credentials !== undefined) {
    settings.credentials = runtime.ecrClientExtra.credentials;
  }
  return createAwsClients(settings);
}

/** `dir/checkpoint.json` -> `dir/checkpoint.111111111111-eu-west-1.json`: each target resumes its own. */
export function targetPath(path: string, target: TargetRef): string {
  const ext = extname(path);
  const stem = basename(path, ext);
  return join(dirname(path), `${stem}.${target.accountId}-${target.region}${ext}`);
}

/** A target's journal: in `--out` and next to its checkpoint, as for a single-target run. */
function targetJournal(outDir: string | undefined, checkpointPath: string | undefined, target: TargetRef): FileJournalStore | TeeJournalStore | undefined {
  const inOut = outDir !== undefined ? join(outDir, `result.${target.accountId}-${target.region}.journal.jsonl`) : undefined;
  const nextToCheckpoint = checkpointPath !== undefined ? `${targetPath(checkpointPath, target)}.journal.jsonl` : undefined;
  if (inOut !== undefined && nextToCheckpoint !== undefined) return new TeeJournalStore(new FileJournalStore(nextToCheckpoint), new FileJournalStore(inOut));
  const only = nextToCheckpoint ?? inOut;
  return only === undefined ? undefined : new FileJournalStore(only);
}
