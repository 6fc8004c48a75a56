import { execFile } from 'node:child_process';
import { AwsCliError } from './errors.js';

/** What one `aws ...` invocation produced: the exit code, parsed JSON output, and the API error if any. */
export interface CliResult {
  /** The arguments after `aws`, without the endpoint/region/output flags the runner adds. */
  readonly args: readonly string[];
  readonly exitCode: number;
  /** Parsed stdout when the CLI printed JSON, otherwise undefined. */
  readonly json: unknown;
  readonly stdout: string;
  readonly stderr: string;
  /** The service (or CLI-side) error the CLI reported; undefined on success. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** Options for {@link runAwsCli}. */
export interface AwsCliOptions {
  /** e.g. `http://127.0.0.1:4566`; passed as `--endpoint-url`. */
  readonly endpoint: string;
  readonly region?: string;
  /** Kill the CLI after this long; a hung server must fail the run, not stall CI. */
  readonly timeoutMs?: number;
}

const SERVICE_ERROR = /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: ([\s\S]*)$/;
const CLI_VALIDATION = /^\s*(Parameter validation failed:[\s\S]*)$/;

/** Runs one CLI command (arguments after `aws`) against a fixed endpoint. */
export type CliRunner = (args: readonly string[]) => Promise<CliResult>;

/**
 * The environment every CLI command runs with: dummy credentials and no user configuration.
 *
 * Every `AWS_*` variable of the caller is dropped so a developer's profile, region or real keys can
 * never leak into (or redirect) the run; retries are off so a server error shows up once, as it happened.
 */
export function cliEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'AKIAINTEROPTEST00000',
    AWS_SECRET_ACCESS_KEY: 'interop-dummy-secret',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/nonexistent/ecr-sweeper-interop/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ecr-sweeper-interop/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  });
}

/** The flags that point a command at the endpoint and ask for JSON. */
export function endpointArgs(options: AwsCliOptions): string[] {
  return ['--endpoint-url', options.endpoint, '--region', options.region ?? 'us-east-1', '--output', 'json'];
}

/** Builds a {@link CliResult} from what one command printed and returned. */
export function toCliResult(args: readonly string[], exitCode: number, stdout: string, stderr: string): CliResult {
  return { args, exitCode, stdout, stderr, json: parseJson(stdout), error: parseError(exitCode, stderr) };
}

/** Runs the real `aws` executable once per command against a local endpoint (see {@link cliEnvironment}). */
export async function runAwsCli(args: readonly string[], options: AwsCliOptions): Promise<CliResult> {
  const fullArgs = [...args, ...endpointArgs(options)];
  return new Promise((resolve, reject) => {
    execFile(
      'aws',
      fullArgs,
      { env: cliEnvironment(), timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          // No numeric exit code: the binary is missing, or the process was killed by the timeout.
          reject(new AwsCliError(`could not run "aws ${args.join(' ')}": ${err.message}`, { cause: err }));
          return;
        }
        resolve(toCliResult(args, err ? (err.code as number) : 0, stdout, stderr));
      },
    );
  });
}

function parseJson(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseError(exitCode: number, stderr: string): CliResult['error'] {
  if (exitCode === 0) return undefined;
  const text = stderr.trim();
  const service = SERVICE_ERROR.exec(text);
  if (service) return { code: service[1] ?? 'Unknown', message: (service[3] ?? '').trim() };
  const validation = CLI_VALIDATION.exec(text);
  if (validation) return { code: 'CliParamValidation', message: (validation[1] ?? '').trim() };
  return { code: 'CliFailure', message: text };
}
