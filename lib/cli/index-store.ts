/**
 * The CLI's index store (see docs/cli.md): on by default in the user's cache directory,
 * `--index-store DIR` puts it elsewhere, `--no-index-store` turns it off. Also who the CLI runs
 * as, for the pull-time exclusion check.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { stsCallerIdentity } from '../adapters/caller-identity.js';
import { defaultIndexStoreDir, FileIndexStore } from '../adapters/index-store-file.js';
import type { SweepDeps } from '../engine/types.js';
import { CliUsageError } from './errors.js';
import { resolvePath } from './paths.js';
import type { CliRuntime } from './runtime.js';

/** `--index-store <dir>` / `--no-index-store` as commander parses them. */
export interface IndexStoreFlags {
  /** A directory, `false` for `--no-index-store`, undefined for the default. */
  indexStore?: string | false;
}

/**
 * The engine dependencies about index reads and pull times: the file index store (unless turned
 * off) and the caller identity (the run's STS client, same principal as its ECR client).
 */
export function pullTimeDepsFor(flags: IndexStoreFlags, sts: STSClient, runtime: CliRuntime): Pick<SweepDeps, 'indexStore' | 'callerIdentity'> {
  const deps: Pick<SweepDeps, 'indexStore' | 'callerIdentity'> = { callerIdentity: stsCallerIdentity(sts) };
  if (flags.indexStore === false) return deps;
  if (flags.indexStore !== undefined && flags.indexStore.trim() === '') {
    throw new CliUsageError('--index-store needs a directory; use --no-index-store to turn the index store off');
  }
  const dir = flags.indexStore !== undefined ? resolvePath(runtime, flags.indexStore) : defaultIndexStoreDir(runtime.io.env);
  deps.indexStore = new FileIndexStore(dir);
  return deps;
}
