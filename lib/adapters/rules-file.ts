/**
 * Reads a rules file from disk and parses it. The only I/O of the rules format: the parser in
 * `lib/core` gets text and a reader for the lifecycle policy files the rules refer to.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { RuleSet } from '../core/rules-model.js';
import { parseRules } from '../core/rules-parser.js';
import { RULES_FILE_LIMITS } from '../core/rules-limits.js';
import { LIFECYCLE_POLICY_LIMITS } from '../core/lifecycle-policy.js';
import { readTextCapped, readTextCappedSync, type ReadCap } from './bounded-read.js';

/** A rules file is read up to its documented 1 MiB and no further. */
export const RULES_FILE_CAP: ReadCap = { what: 'rules file', maxBytes: RULES_FILE_LIMITS.maxBytes, limitName: 'the limit for a rules file' };

/** A lifecycle policy file is read up to ECR's 30,720 characters and no further. */
export const LIFECYCLE_POLICY_FILE_CAP: ReadCap = {
  what: 'lifecycle policy file',
  maxChars: LIFECYCLE_POLICY_LIMITS.maxTextLength,
  limitName: "ECR's limit for a lifecycle policy",
};

/**
 * Loads and validates a rules file. `lifecyclePolicy: <path>` entries are resolved relative to
 * the rules file. Sets `RuleSet.source` to the path as given.
 *
 * @example const rules = await loadRulesFile('rules/default.yml');
 * @throws ConfigError when the file cannot be read, is not a regular file or is over 1 MiB
 * (InputTooLargeError, read no further); RulesValidationError when it is invalid, including a
 * `lifecyclePolicy:` file over ECR's 30,720 characters.
 */
export async function loadRulesFile(path: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await readTextCapped(path, RULES_FILE_CAP);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read rules file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const baseDir = dirname(resolve(path));
  const ruleSet = parseRules(text, {
    file: path,
    // Lifecycle policy files are read synchronously: the parser is pure and synchronous, and a
    // rules file refers to a handful of small files at most.
    readFile: (relativePath) => {
      const full = isAbsolute(relativePath) ? relativePath : resolve(baseDir, relativePath);
      // Name it the way the user named the rules file, so messages point where they look.
      const shown = isAbsolute(relativePath) ? relativePath : join(dirname(path), relativePath);
      return { text: readTextCappedSync(full, { ...LIFECYCLE_POLICY_FILE_CAP, subject: 'it' }), file: shown };
    },
  });
  return { ...ruleSet, source: path };
}
