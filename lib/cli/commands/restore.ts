/**
 * `ecr-sweeper restore`: brings archived images back to ECR's standard storage class, on a
 * person's request (sweeps never restore). It looks the images up first, shows what it will
 * restore, asks like `apply` does (unless `--yes`; with no terminal it refuses), then calls
 * UpdateImageStorageClass STANDARD once per image and reports each one. Images by digest or tag;
 * an image not found stops everything before any change.
 */
import { DescribeImagesCommand, UpdateImageStorageClassCommand, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import Table from 'cli-table3';
import { ConfigError } from '../../errors.js';
import { confirm } from '../confirm.js';
import { CliUsageError, ConfirmationRequiredError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parseFormat } from '../options.js';
import { ecrClientFor, explainProfileCredentialsError, type AwsFlags, type CliRuntime } from '../runtime.js';

/** `restore`'s flags as commander parses them. */
export interface RestoreFlags extends AwsFlags {
  repository: string;
  digest?: string[];
  tag?: string[];
  yes?: boolean;
  format?: string;
}

/** One requested image as found in the registry, and what restore does with it. */
export interface RestoreTarget {
  /** How the person named it: `sha256:...` or `tag:v1`. */
  requested: string;
  imageDigest: string;
  imageTags: string[];
  /** ACTIVE, ARCHIVED or ACTIVATING before the restore. */
  statusBefore: string;
  lastArchivedAt: string | null;
  /** `restore`, or why nothing is done for it. */
  action: 'restore' | 'already active' | 'already being restored';
}

/** What happened to one image. */
export interface RestoreOutcome extends RestoreTarget {
  /** `restoring` (ACTIVATING), `restored` (ACTIVE at once), `skipped` or `failed`. */
  result: 'restoring' | 'restored' | 'skipped' | 'failed';
  /** ECR's status after the call, when it answered. */
  statusAfter?: string;
  error?: { code: string; message: string };
}

const DIGEST_RE = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;

/**
 * Runs `restore` and returns the exit code: 0 every archived image asked for is restoring (or
 * nothing needed it, or the person declined), 1 some restore calls failed, 2 bad input (flags,
 * an image not found: nothing restored).
 */
export async function restoreCommand(flags: RestoreFlags, runtime: CliRuntime): Promise<ExitCodeValue> {
  const { io } = runtime;
  const format = parseFormat(flags.format ?? 'table', ['table', 'json'] as const);
  const refs = requestedImages(flags);
  if (flags.yes !== true && io.stdin.isTTY !== true) {
    throw new ConfirmationRequiredError(
      'restore changes images and needs confirmation: pass --yes, or run it in a terminal to be asked. Nothing was restored.',
    );
  }
  const ecr = ecrClientFor(flags, runtime);
  try {
    const targets = await lookUp(ecr, flags.repository, refs);
    const report = format === 'json' ? io.stderr : io.stdout;
    const toRestore = targets.filter((t) => t.action === 'restore');
    report.write(renderTargets(flags.repository, targets));
    if (toRestore.length === 0) {
      report.write('Nothing to restore: none of these images is archived.\n');
      if (format === 'json') io.stdout.write(`${JSON.stringify({ repositoryName: flags.repository, images: targets.map(skipped) }, null, 2)}\n`);
      return ExitCode.OK;
    }
    if (flags.yes !== true) {
      const question = `Restore ${toRestore.length} image(s) in ${flags.repository} to standard storage? They become pullable within about 20 minutes and are billed as standard storage again.`;
      if (!(await confirm(io.stdin, io.stderr, question))) {
        io.stderr.write('Nothing was restored.\n');
        return ExitCode.OK;
      }
    }
    const outcomes: RestoreOutcome[] = [];
    for (const target of targets) outcomes.push(target.action === 'restore' ? await restoreOne(ecr, flags.repository, target) : skipped(target));
    if (format === 'json') io.stdout.write(`${JSON.stringify({ repositoryName: flags.repository, images: outcomes }, null, 2)}\n`);
    else io.stdout.write(renderOutcomes(outcomes));
    return outcomes.some((o) => o.result === 'failed') ? ExitCode.FAILURES : ExitCode.OK;
  } catch (error) {
    throw explainProfileCredentialsError(error, flags, runtime);
  } finally {
    ecr.destroy();
  }
}

/** The images named by `--digest` and `--tag`, checked for shape before any AWS call. */
function requestedImages(flags: RestoreFlags): { imageDigest?: string; imageTag?: string; requested: string }[] {
  const digests = flags.digest ?? [];
  const tags = flags.tag ?? [];
  if (digests.length === 0 && tags.length === 0) {
    throw new CliUsageError('restore needs the images to restore: --digest sha256:... or --tag TAG (repeatable). Nothing was restored.');
  }
  for (const digest of digests) {
    if (!DIGEST_RE.test(digest)) throw new CliUsageError(`--digest ${JSON.stringify(digest)} is not an image digest (like sha256:0123abcd...). Nothing was restored.`);
  }
  for (const tag of tags) {
    if (!TAG_RE.test(tag)) throw new CliUsageError(`--tag ${JSON.stringify(tag)} is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,299}). Nothing was restored.`);
  }
  return [
    ...digests.map((imageDigest) => ({ imageDigest, requested: imageDigest })),
    ...tags.map((imageTag) => ({ imageTag, requested: `tag:${imageTag}` })),
  ];
}

/**
 * Describes each requested image (one call each, so a missing one is named); the same image
 * asked for twice is listed once. Throws ConfigError when the repository or an image is missing.
 */
async function lookUp(ecr: ECRClient, repositoryName: string, refs: ReturnType<typeof requestedImages>): Promise<RestoreTarget[]> {
  const targets = new Map<string, RestoreTarget>();
  const missing: string[] = [];
  for (const ref of refs) {
    const { requested, ...imageId } = ref;
    let detail: ImageDetail | undefined;
    try {
      const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId], filter: { tagStatus: 'ANY', imageStatus: 'ANY' } }));
      detail = out.imageDetails?.[0];
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'RepositoryNotFoundException') {
        throw new ConfigError(`repository ${repositoryName} does not exist in this registry (check --region and --profile). Nothing was restored.`, { cause: error });
      }
      if (name !== 'ImageNotFoundException') throw error;
    }
    if (!detail?.imageDigest) {
      missing.push(requested);
      continue;
    }
    if (targets.has(detail.imageDigest)) continue;
    const status = detail.imageStatus ?? 'ACTIVE';
    targets.set(detail.imageDigest, {
      requested,
      imageDigest: detail.imageDigest,
      imageTags: [...(detail.imageTags ?? [])].sort(),
      statusBefore: status,
      lastArchivedAt: detail.lastArchivedAt?.toISOString() ?? null,
      action: status === 'ARCHIVED' ? 'restore' : status === 'ACTIVATING' ? 'already being restored' : 'already active',
    });
  }
  if (missing.length > 0) {
    throw new ConfigError(`not found in repository ${repositoryName}: ${missing.join(', ')}. Nothing was restored.`);
  }
  return [...targets.values()];
}

async function restoreOne(ecr: ECRClient, repositoryName: string, target: RestoreTarget): Promise<RestoreOutcome> {
  try {
    const out = await ecr.send(
      new UpdateImageStorageClassCommand({ repositoryName, imageId: { imageDigest: target.imageDigest }, targetStorageClass: 'STANDARD' }),
    );
    const status = out.imageStatus ?? 'ACTIVATING';
    return { ...target, result: status === 'ACTIVE' ? 'restored' : 'restoring', statusAfter: status };
  } catch (error) {
    const code = (error as { name?: string }).name ?? 'UnknownError';
    return { ...target, result: 'failed', error: { code, message: error instanceof Error ? error.message : String(error) } };
  }
}

function skipped(target: RestoreTarget): RestoreOutcome {
  return { ...target, result: 'skipped' };
}

const PLAIN_STYLE = { head: [] as string[], border: [] as string[], compact: true };

function renderTargets(repositoryName: string, targets: readonly RestoreTarget[]): string {
  const table = new Table({ head: ['Digest', 'Tags', 'Status', 'Archived at', 'Action'], style: PLAIN_STYLE });
  for (const t of targets) table.push([t.imageDigest, t.imageTags.join(', ') || '-', t.statusBefore, t.lastArchivedAt ?? '-', t.action]);
  return `Images asked for in ${repositoryName}:\n${table.toString()}\n`;
}

function renderOutcomes(outcomes: readonly RestoreOutcome[]): string {
  const lines = outcomes.map((o) => {
    const name = `${o.imageDigest}${o.imageTags.length > 0 ? ` (${o.imageTags.join(', ')})` : ''}`;
    switch (o.result) {
      case 'restoring':
        return `  restoring  ${name}: ${o.statusAfter}; pullable once ECR finishes (typically within 20 minutes)`;
      case 'restored':
        return `  restored   ${name}: ACTIVE`;
      case 'skipped':
        return `  skipped    ${name}: ${o.action}`;
      case 'failed':
        return `  FAILED     ${name}: ${o.error?.code}: ${o.error?.message}`;
    }
  });
  const failed = outcomes.filter((o) => o.result === 'failed').length;
  const started = outcomes.filter((o) => o.result === 'restoring' || o.result === 'restored').length;
  return `${lines.join('\n')}\n${started} restore(s) started, ${failed} failed.\n`;
}
