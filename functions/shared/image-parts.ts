/**
 * The functions' image part store (lib/adapters/image-parts-file.ts) in the Lambda's /tmp: each
 * repository's images wait on disk between planning, execution and the reports, so an
 * invocation's memory follows its largest repository, not the registry. One folder per
 * invocation, removed when it ends, whether it succeeded or threw.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileImageParts } from '../../lib/adapters/image-parts-file.js';
import { logger } from './observability.js';

/** Where the functions' part folders live: `<tmpdir>/ecr-sweeper-function/` (/tmp on Lambda). */
export function functionPartsRoot(): string {
  return join(tmpdir(), 'ecr-sweeper-function');
}

/** The part folders of the invocations running in this process (one on Lambda; several in a test). */
const inUse = new Set<string>();

/**
 * A fresh image part store under {@link functionPartsRoot}. Any other folder there was left by an
 * invocation of this execution environment that was killed (a timeout: its `finally` never ran):
 * /tmp outlives an invocation, and leftovers would eat into the space the next run needs, so they
 * are removed first. Only folders of this process's running invocations are spared (Lambda runs
 * one at a time per environment; tests run several shard invocations in one process).
 */
function openImageParts(): FileImageParts {
  const root = functionPartsRoot();
  const left = safeList(root).filter((name) => !inUse.has(join(root, name)));
  if (left.length > 0) {
    logger.warn('image parts left by an earlier invocation removed', { folders: left.length });
    for (const name of left) rmSync(join(root, name), { recursive: true, force: true });
  }
  mkdirSync(root, { recursive: true });
  const parts = new FileImageParts(root);
  inUse.add(parts.dir);
  return parts;
}

/**
 * Runs `work` with a fresh image part store (see {@link openImageParts} for what it removes first)
 * and removes its folder afterwards, also when `work` throws.
 */
export async function withImageParts<T>(work: (parts: FileImageParts) => Promise<T>): Promise<T> {
  const parts = openImageParts();
  try {
    return await work(parts);
  } finally {
    parts.dispose();
    inUse.delete(parts.dir);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
