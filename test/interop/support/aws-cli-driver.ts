import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cliEnvironment, endpointArgs, runAwsCli, toCliResult, type CliResult, type CliRunner } from './aws-cli.js';
import { AwsCliError } from './errors.js';

const DRIVER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'aws-cli-driver.py');

interface DriverAnswer {
  id: number;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  ready?: boolean;
  fatal?: string;
}

/**
 * AWS CLI v1 commands run by awscli's own driver inside one long-lived `python3` (aws-cli-driver.py).
 *
 * Same parsing, signing, HTTP and output code as the `aws` executable, minus ~0.4 s of interpreter start
 * per command, which on a loaded two-core machine is the difference between a 20 s and a 2 min run.
 * Commands are answered in the order they were sent.
 */
export class AwsCliDriver {
  private readonly pending = new Map<number, { args: readonly string[]; resolve: (r: CliResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly exited: Promise<void>,
    private readonly endpoint: string,
  ) {}

  /** Starts the driver process for one endpoint and waits until awscli has been imported. */
  static async start(endpoint: string, options: { readonly python?: string } = {}): Promise<AwsCliDriver> {
    const child = spawn(options.python ?? 'python3', [DRIVER_SCRIPT], { env: cliEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new AwsCliError(`could not start python3 for the AWS CLI driver: ${err.message}`, { cause: err })));
      void exited.then(() => reject(new AwsCliError(`the AWS CLI driver exited before it was ready:\n${stderr}`)));
      lines.once('line', (line) => {
        const answer = JSON.parse(line) as DriverAnswer;
        if (answer.ready === true) resolve();
        else reject(new AwsCliError(`the AWS CLI driver could not start: ${answer.fatal ?? line}`));
      });
    });
    const driver = new AwsCliDriver(child, exited, endpoint);
    await ready;
    lines.on('line', (line) => driver.answer(line));
    void exited.then(() => driver.failAll(new AwsCliError(`the AWS CLI driver exited:\n${stderr}`)));
    return driver;
  }

  /** Runs `aws <args> --endpoint-url … --region us-east-1 --output json`. */
  run(args: readonly string[]): Promise<CliResult> {
    if (this.closed) return Promise.reject(new AwsCliError('the AWS CLI driver is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { args, resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ id, args: [...args, ...endpointArgs({ endpoint: this.endpoint })] })}\n`);
    });
  }

  /** Ends the driver process (closing stdin lets it finish its loop) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  private answer(line: string): void {
    const answer = JSON.parse(line) as DriverAnswer;
    const waiting = this.pending.get(answer.id);
    if (waiting === undefined) return;
    this.pending.delete(answer.id);
    waiting.resolve(toCliResult(waiting.args, answer.exitCode ?? 255, answer.stdout ?? '', answer.stderr ?? ''));
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/** A CLI runner for one endpoint, and how to release it. */
export interface OpenedCliRunner {
  readonly run: CliRunner;
  /** `driver` (one python process) or `process` (one `aws` process per command). */
  readonly mode: 'driver' | 'process';
  close(): Promise<void>;
}

/**
 * Opens a runner for `endpoint`: the in-process driver by default, or one real `aws` process per command
 * when `INTEROP_CLI=process` (slower, but exercises the installed entry point itself).
 */
export async function openCliRunner(endpoint: string): Promise<OpenedCliRunner> {
  if (process.env.INTEROP_CLI === 'process') {
    return { mode: 'process', run: (args) => runAwsCli(args, { endpoint }), close: async () => {} };
  }
  const driver = await AwsCliDriver.start(endpoint);
  return { mode: 'driver', run: (args) => driver.run(args), close: () => driver.close() };
}
