/**
 * deploy/target-role.yml against cfn-lint (AWS's CloudFormation linter, with the resource
 * specifications of every Region bundled, so it runs offline). Like moto and the AWS CLI, it is
 * preinstalled on the project's machines, so this runs in the interop suite; the unit suite checks
 * the same template's names and policies without it (test/serverless/target-role.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const TEMPLATE = join(root, 'deploy', 'target-role.yml');
const scratch = mkdtempSync(join(tmpdir(), 'ecr-sweeper-cfn-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Finding {
  Rule: { Id: string };
  Message: string;
  Level: string;
}

/** Runs cfn-lint on a file; resolves with its findings (it exits non-zero when it finds any). */
function cfnLint(file: string): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    execFile('cfn-lint', ['--format', 'json', '--', file], { timeout: 120_000 }, (error, stdout, stderr) => {
      // Exit codes 2, 4 and 8 (and their sums) mean findings, reported on stdout as JSON.
      if (error && (typeof error.code !== 'number' || stdout.trim() === '')) {
        reject(new Error(`cfn-lint did not run (it is preinstalled on the project's machines; pip install cfn-lint): ${stderr || error.message}`, { cause: error }));
        return;
      }
      resolve(JSON.parse(stdout || '[]') as Finding[]);
    });
  });
}

describe('deploy/target-role.yml by cfn-lint', () => {
  it('has no error, warning or informational finding', async () => {
    expect(await cfnLint(TEMPLATE)).toEqual([]);
  });

  it('would report a broken template (the linter really reads this file)', async () => {
    const broken = join(scratch, 'broken.yml');
    writeFileSync(
      broken,
      readFileSync(TEMPLATE, 'utf8')
        .replace('RoleName: { Ref: RoleName }', 'RoleName: { Ref: RoleNme }')
        .replace('MaxSessionDuration: 3600', 'MaxSessionDuration: 60'),
    );
    const findings = await cfnLint(broken);
    expect(findings.map((f) => f.Level)).toContain('Error');
    expect(findings.map((f) => f.Message).join('\n')).toMatch(/RoleNme/);
    expect(findings.map((f) => f.Message).join('\n')).toMatch(/60/);
  });
});
