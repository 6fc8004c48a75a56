import { describe, expect, it } from 'vitest';
import { ConfigError, EcrSweeperError, RulesValidationError } from '../../lib/errors.js';

describe('RulesValidationError', () => {
  it('lists every issue with file, line, column and path', () => {
    const err = new RulesValidationError([
      { file: 'rules/a.yml', line: 3, column: 5, path: 'defaults.mode', message: 'expected "dry-run" or "apply"' },
      { path: 'policies', message: 'required' },
    ]);
    expect(err).toBeInstanceOf(EcrSweeperError);
    expect(err.name).toBe('RulesValidationError');
    expect(err.message).toContain('2 problems');
    expect(err.message).toContain('rules/a.yml:3:5 defaults.mode: expected "dry-run" or "apply"');
    expect(err.message).toContain('policies: required');
  });

  it('keeps the cause', () => {
    const cause = new Error('boom');
    const err = new ConfigError('bad flag', { cause });
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('ConfigError');
  });
});
