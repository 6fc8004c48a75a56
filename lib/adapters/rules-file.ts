/**
 * Reads a rules file from disk and parses it. The only I/O of the rules format: the parser in
 * `lib/core` gets text and a reader for the lifecycle policy files the rules refer to.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { RuleSet } from '../core/rules-model.js';
import { parseRules } from '../core/rules-parser.js';

/**
 * Loads and validates a rules file. `lifecyclePolicy: <path>` entries are resolved relative to
 * the rules file. Sets `RuleSet.source` to the path as given.
 *
 * @example const rules = await loadRulesFile('rules/default.yml');
 * @throws ConfigError when the file cannot be read; RulesValidationError when it is invalid.
 */
export async function loadRulesFile(path: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
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
      return { text: readFileSync(full, 'utf8'), file: shown };
    },
  });
  return { ...ruleSet, source: path };
}
