/**
 * `ecr-sweeper import-policy`: turns a native ECR lifecycle policy (from a repository, via
 * GetLifecyclePolicy, or from a JSON file) into ecr-sweeper YAML rules on stdout.
 */
import { GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { ConfigError } from '../../errors.js';
import { parseLifecyclePolicy, renderLifecyclePolicyYaml } from '../../core/lifecycle-policy.js';
import { CliUsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { ecrClientFor, explainProfileCredentialsError, type AwsFlags, type CliRuntime } from '../runtime.js';
import { resolvePath } from '../paths.js';
import { readTextCapped } from '../../adapters/bounded-read.js';
import { LIFECYCLE_POLICY_FILE_CAP } from '../../adapters/rules-file.js';

/** `import-policy`'s flags: exactly one of `repository` and `file`. */
export interface ImportPolicyFlags extends AwsFlags {
  repository?: string;
  file?: string;
}

/** Prints the policy as YAML rules; exit 0, or throws a ConfigError/RulesValidationError (exit 2). */
export async function importPolicyCommand(flags: ImportPolicyFlags, runtime: CliRuntime): Promise<ExitCodeValue> {
  if ((flags.repository === undefined) === (flags.file === undefined)) {
    throw new CliUsageError('import-policy needs exactly one of --repository NAME or --file policy.json');
  }
  let text: string;
  let file: string | undefined;
  if (flags.file !== undefined) {
    file = flags.file;
    text = await readText(resolvePath(runtime, flags.file), flags.file);
  } else {
    text = await fetchLifecyclePolicy(flags.repository as string, flags, runtime);
  }
  const rules = parseLifecyclePolicy(text, file !== undefined ? { file } : {});
  const yaml = renderLifecyclePolicyYaml(rules, {
    ...(flags.repository !== undefined ? { repositoryName: flags.repository } : {}),
    source: flags.repository !== undefined ? `GetLifecyclePolicy of repository ${flags.repository}` : (file as string),
  });
  runtime.io.stdout.write(yaml.endsWith('\n') ? yaml : `${yaml}\n`);
  return ExitCode.OK;
}

async function readText(path: string, shown: string): Promise<string> {
  try {
    return await readTextCapped(path, { ...LIFECYCLE_POLICY_FILE_CAP, subject: `lifecycle policy file ${shown}` });
  } catch (error) {
    if (error instanceof ConfigError) throw error; // too large or not a file: already says what and where
    throw new ConfigError(`cannot read lifecycle policy file ${shown}: ${(error as Error).message}`, { cause: error });
  }
}

async function fetchLifecyclePolicy(repositoryName: string, flags: AwsFlags, runtime: CliRuntime): Promise<string> {
  const ecr = ecrClientFor(flags, runtime);
  try {
    const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
    if (!out.lifecyclePolicyText) throw new ConfigError(`repository ${repositoryName} returned an empty lifecycle policy`);
    return out.lifecyclePolicyText;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'LifecyclePolicyNotFoundException') {
      throw new ConfigError(`repository ${repositoryName} has no lifecycle policy to import`, { cause: error });
    }
    if (name === 'RepositoryNotFoundException') {
      throw new ConfigError(`repository ${repositoryName} does not exist in this registry (check --region and --profile)`, { cause: error });
    }
    throw explainProfileCredentialsError(error, flags, runtime);
  } finally {
    ecr.destroy();
  }
}
