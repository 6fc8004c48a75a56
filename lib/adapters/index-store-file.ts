/**
 * Index store for the CLI: one JSON file per registry in a directory (by default the user's cache
 * directory, {@link defaultIndexStoreDir}), written atomically (temp file + rename) so a run
 * killed mid-write leaves the previous file whole.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { IndexMemory, IndexReadRecord } from '../core/index-memory.js';
import { IndexStoreError } from '../engine/errors.js';
import type { RegistryIdentity } from '../engine/ports.js';
import type { IndexStore } from '../engine/types.js';
import { writeChunksAtomic } from './chunked-write.js';
import { decodeIndexMemory, encodeIndexMemoryPieces, indexStoreFileName } from './index-store-codec.js';

/**
 * `$XDG_CACHE_HOME/ecr-sweeper`, else `$HOME/.cache/ecr-sweeper` (the XDG default), from `env`;
 * the user's home directory from the system when `env` has no HOME.
 *
 * @example defaultIndexStoreDir({ XDG_CACHE_HOME: '/var/cache' }) // '/var/cache/ecr-sweeper'
 */
export function defaultIndexStoreDir(env: Readonly<Record<string, string | undefined>>, home: () => string = homedir): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  // The XDG spec ignores a relative value.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'ecr-sweeper');
  const userHome = env.HOME?.trim();
  return join(userHome && isAbsolute(userHome) ? userHome : home(), '.cache', 'ecr-sweeper');
}

/** An {@link IndexStore} keeping each registry's memory in `<dir>/index-<account>-<region>[-<endpoint hash>].json`. */
export class FileIndexStore implements IndexStore {
  constructor(private readonly dir: string) {}

  /** The file of a registry's memory. */
  location(registry: RegistryIdentity): string {
    return join(this.dir, indexStoreFileName(registry));
  }

  /** The stored memory, or an empty one when the file does not exist yet. */
  async load(registry: RegistryIdentity): Promise<Map<string, IndexReadRecord>> {
    const path = this.location(registry);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new IndexStoreError(`cannot read index store file ${path}: ${(error as Error).message}`, { cause: error });
    }
    return decodeIndexMemory(text, `file ${path}`, registry);
  }

  /** Replaces the file, written in pieces (the whole text is never held). */
  async save(registry: RegistryIdentity, memory: IndexMemory): Promise<void> {
    const path = this.location(registry);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeChunksAtomic(path, encodeIndexMemoryPieces(registry, memory));
    } catch (error) {
      throw new IndexStoreError(`cannot write index store file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
}
