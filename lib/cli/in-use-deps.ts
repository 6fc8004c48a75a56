/**
 * In-use protection as the CLI wires it: a reader per source the rules enable, on the run's
 * clients, with relative in-use file locations read from the rules file's directory. The CLI has
 * no deployment prefix, so `inUse.files` needs locations of its own.
 */
import { dirname } from 'node:path';
import { createInUseReaders } from '../adapters/in-use-readers.js';
import { inUseSettingsOf } from '../core/in-use-settings.js';
import type { RuleSet } from '../core/rules-model.js';
import type { AwsClients } from '../adapters/aws-clients.js';
import type { InUseDeps } from '../engine/types.js';

/**
 * The engine's in-use dependencies for `plan` and `apply` (always given: a source the rules turn
 * off is reported off, never silently skipped).
 *
 * @throws ConfigError when in-use files are on without a location.
 */
export function inUseDepsFor(ruleSet: RuleSet, clients: AwsClients, rulesPath: string): InUseDeps {
  return { readers: createInUseReaders(inUseSettingsOf(ruleSet), clients, { baseDir: dirname(rulesPath) }) };
}
