/**
 * `plan` and `apply` over the rules' targets (issue 10): resolves the targets from the caller's
 * own account and Region, builds each target's clients on its assumed role (`targetClients`:
 * `fromTemporaryCredentials`, refreshing itself, never more than 3600 s), its in-use readers and
 * its own checkpoint and journal files, then runs `runTargets`. Without `targets:` in the rules the
 * commands do not come here: a run covers the caller's own account and Region, as before.
 */
import { basename, dirname, extname, join } from 'node:path';
import { stsCallerIdentity } from '../adapters/caller-identity.js';
import { FileCheckpointStore } from '../adapters/checkpoint-file.js';
import { createInUseReaders } from '../adapters/in-use-readers.js';
import { FileJournalStore } from '../adapters/journal-file.js';
import { TeeJournalStore } from '../adapters/journal-tee.js';
import { inUseSettingsOf } from '../core/in-use-settings.js';
import type { RuleSet } from '../core/rules-model.js';
import type { ResolvedTargets, TargetRef } from '../core/targets.js';
import { awsTargetResolution } from '../adapters/target-resolution-aws.js';
import { targetClients, type AwsClients } from '../adapters/aws-clients.js';
import { resolveTargets } from '../engine/targets-resolve.js';
import { runTargets, targetImageParts, type RunTargetsOptions, type RunTargetsOutput, type TargetSweep } from '../engine/org-sweep.js';
import type { ImagePartStore, IndexStore, PlanVerdict, ProgressEvent, SweepLogger } from '../engine/types.js';
import type { Plan } from '../core/plan-model.js';
import { awsSettingsFor, type AwsFlags, type CliRuntime } from './runtime.js';
import { ecrRegistry } from '../adapters/ecr-registry-connector.js';

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

/** Resolves the targets, builds their clients and runs them; the clients are destroyed at the end. */
export async function runCliTargets(input: TargetsRunInput): Promise<RunTargetsOutput> {
  const { home, ruleSet } = input;
  const resolved = await resolveCliTargets(ruleSet, input);
  const built: AwsClients[] = [];
  try {
    const settings = inUseSettingsOf(ruleSet);
    // In-use files are read once for the run (from the rules' directory, with the caller's S3).
    const shared = createInUseReaders({ ...settings, ecs: false, lambda: false, batch: false, apprunner: false }, home, { baseDir: dirname(input.rulesPath) });
    const sweeps: TargetSweep[] = resolved.targets.map((target) => {
      const clients = targetClients(target, awsSettingsFor(input.flags, input.runtime), input.runId);
      built.push(clients);
      const sweep: TargetSweep = {
        target,
        deps: {
          registry: ecrRegistry(clients.ecr),
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
 * The rules' targets, resolved against AWS from the caller's own account and Region: the
 * organization's accounts (`organization:`), each `regions: all` account's enabled Regions
 * (lib/engine/targets-resolve.ts, its AWS ports in lib/adapters/target-resolution-aws.ts).
 *
 * @throws OrganizationAccessError when the organization cannot be listed (no target is known).
 */
export async function resolveCliTargets(ruleSet: RuleSet, input: Pick<TargetsRunInput, 'flags' | 'runtime' | 'runId'>): Promise<ResolvedTargets> {
  const deps = awsTargetResolution(awsSettingsFor(input.flags, input.runtime), input.runId);
  try {
    return await resolveTargets(ruleSet, deps);
  } finally {
    deps.destroy();
  }
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
