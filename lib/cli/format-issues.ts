/**
 * Rules problems as compiler-style lines (`file:line:column: path: message`), which editors and
 * CI annotate. Pure.
 */
import { relative, isAbsolute } from 'node:path';
import type { RuleIssue } from '../errors.js';

/**
 * Formats one issue. `fallbackFile` is used when the issue does not name its file; absolute paths
 * under `cwd` are shown relative to it.
 *
 * @example formatIssue({ file: 'rules.yml', line: 4, column: 7, path: 'policies[0].name', message: 'required' }, 'rules.yml', '/w')
 *   // 'rules.yml:4:7: policies[0].name: required'
 */
export function formatIssue(issue: RuleIssue, fallbackFile: string, cwd: string): string {
  const file = displayPath(issue.file ?? fallbackFile, cwd);
  const where = [file || undefined, issue.line, issue.line !== undefined ? issue.column : undefined].filter((x) => x !== undefined).join(':');
  return `${where ? `${where}: ` : ''}${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** A path relative to `cwd` when it lies under it, else as given. */
export function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
