/**
 * Error classes shared across ecr-sweeper. User mistakes (bad rules, flags, events) and runtime
 * failures are different types so the CLI and the handlers can map them to exit codes and alarms.
 * Every error carries the underlying `cause` when there is one.
 */

/** Base class of every ecr-sweeper error. */
export class EcrSweeperError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in a rules file: where it is and what was expected. */
export interface RuleIssue {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path inside the document, e.g. `policies[0].rules[1].expire`. */
  path: string;
  message: string;
}

/** A rules file (YAML or native lifecycle JSON) is invalid. Lists every problem found. */
export class RulesValidationError extends EcrSweeperError {
  readonly issues: readonly RuleIssue[];
  constructor(issues: readonly RuleIssue[], options?: ErrorOptions) {
    super(formatIssues(issues), options);
    this.issues = issues;
  }
}

/** Bad flags, configuration or event: nothing ran. */
export class ConfigError extends EcrSweeperError {}

function formatIssues(issues: readonly RuleIssue[]): string {
  const lines = issues.map((i) => {
    const where = [i.file, i.line, i.column].filter((x) => x !== undefined).join(':');
    return `  ${where ? `${where} ` : ''}${i.path ? `${i.path}: ` : ''}${i.message}`;
  });
  return `invalid rules (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/**
 * The error's code as AWS names it (`name` of SDK errors, else a Node `code`), for reports and
 * decisions; 'UnknownError' when it has neither. Shared by the engine and the adapters, so it
 * lives with the errors rather than in one adapter.
 */
export function errorCode(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | undefined;
  if (e && typeof e === 'object' && typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  if (e && typeof e === 'object' && typeof e.code === 'string') return e.code;
  return 'UnknownError';
}
