/**
 * The in-process AWS CLI driver must behave exactly like the `aws` executable: same output, same exit
 * codes, same error text. Checked against the emulator with commands that succeed and that fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.js';
import { runAwsCli } from './aws-cli.js';
import { AwsCliDriver } from './aws-cli-driver.js';

describe('AwsCliDriver', () => {
  let emulator: RunningEmulator | undefined;
  let driver: AwsCliDriver | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.createRepository('driver/check');
    driver = await AwsCliDriver.start(emulator.url);
  });

  afterAll(async () => {
    await driver?.close();
    await emulator?.stop();
  });

  it.each([
    ['a successful call', ['ecr', 'describe-repositories', '--repository-names', 'driver/check']],
    ['a service error', ['ecr', 'describe-images', '--repository-name', 'driver/missing']],
    ['a CLI-side validation error', ['ecr', 'describe-images', '--repository-name', 'driver/check', '--max-results', '0']],
    ['an unknown CLI option', ['ecr', 'list-images', '--repository-name', 'driver/check', '--no-such-option']],
  ])('answers %s exactly like the aws executable', async (_name, args) => {
    const endpoint = emulator!.url;
    const [viaProcess, viaDriver] = await Promise.all([runAwsCli(args, { endpoint }), driver!.run(args)]);
    expect({ exit: viaDriver.exitCode, stdout: viaDriver.stdout, stderr: viaDriver.stderr }).toEqual({
      exit: viaProcess.exitCode,
      stdout: viaProcess.stdout,
      stderr: viaProcess.stderr,
    });
  });

  it('answers concurrent commands each with its own result', async () => {
    const names = ['driver/a1', 'driver/a2', 'driver/a3'];
    const results = await Promise.all(names.map((n) => driver!.run(['ecr', 'create-repository', '--repository-name', n])));
    expect(results.map((r) => (r.json as { repository?: { repositoryName?: string } }).repository?.repositoryName)).toEqual(names);
  });
});
