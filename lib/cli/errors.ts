/**
 * Errors the CLI raises itself. Everything a user can fix (flags, files) is a `ConfigError` or a
 * `RulesValidationError` and exits 2; the message says what and where.
 */
import { ConfigError } from '../errors.js';

/** A flag is missing, malformed or contradicts another. */
export class CliUsageError extends ConfigError {}

/** `apply` was run without `--yes` where nobody can be asked (no terminal). */
export class ConfirmationRequiredError extends ConfigError {}
