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

/**
 * A fresh image part store under {@link functionPartsRoot}. Whatever is already there was left by
 * an invocation of this execution environment that was killed (a timeout: its `finally` never
 * ran). An environment runs one invocation at a time, so it is removed first: /tmp outlives an
 * invocation, and leftovers would eat into the space the next run needs.
 */
export function openImageParts(): FileImageParts {
  const root = functionPartsRoot();
  const left = safeList(root);
  if (left.length > 0) {
    logger.warn('image parts left by an earlier invocation removed', { folders: left.length });
    rmSync(root, { recursive: true, force: true });
  }
  mkdirSync(root, { recursive: true });
  return new FileImageParts(root);
}

/** Runs `work` with a fresh image part store and removes its folder afterwards, also when `work` throws. */
export async function withImageParts<T>(work: (parts: FileImageParts) => Promise<T>): Promise<T> {
  const parts = openImageParts();
  try {
    return await work(parts);
  } finally {
    parts.dispose();
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
