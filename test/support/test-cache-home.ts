/**
 * vitest globalSetup: the suite's own `$XDG_CACHE_HOME`, a temp folder removed when the run ends.
 * Commands under test keep their index store in `$XDG_CACHE_HOME/ecr-sweeper` by default, and every
 * emulator listens on a new port (a new registry endpoint, so a new file): without this, each
 * `npm test` left hundreds of files in the user's `~/.cache/ecr-sweeper`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Points `XDG_CACHE_HOME` at a fresh temp folder (workers and child processes inherit it); returns its removal. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ecr-sweeper-test-cache-'));
  process.env.XDG_CACHE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
