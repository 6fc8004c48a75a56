/**
 * `ecr-sweeper`: the command line. Parses flags with commander, runs one command, and maps what
 * happened to an exit code (see exit-codes.ts). User mistakes print one clear paragraph, no stack.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EndpointUnreachableError } from '../engine/errors.js';
import { ConfigError, RulesValidationError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { formatIssue } from './format-issues.js';
import type { CliIo } from './io.js';
import type { CliRuntime } from './runtime.js';

/** Re-exported for the launcher, which imports this module only. */
export { nodeCliIo } from './io.js';

/**
 * Runs the CLI with `argv` (without the node and script names) and returns the exit code.
 * Never calls `process.exit`, so tests and the demo can run it in-process.
 *
 * @example
 *   process.exitCode = await runCli(['plan', '--rules', 'rules/default.yml'], nodeCliIo());
 */
export async function runCli(argv: readonly string[], io: CliIo, extra: Omit<CliRuntime, 'io'> = {}): Promise<number> {
  const runtime: CliRuntime = { ...extra, io };
  let exitCode: ExitCodeValue = ExitCode.OK;
  const program = buildProgram(runtime, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a flag mistake it has printed.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version'
        ? ExitCode.OK
        : ExitCode.BAD_INPUT;
    }
    return reportError(error, io);
  }
}

// Commands are imported when run: `validate` and `--help` then start without loading the AWS SDK.
function buildProgram(runtime: CliRuntime, setExit: (code: ExitCodeValue) => void): Command {
  const { io } = runtime;
  const program = new Command('ecr-sweeper')
    .description('Keep Amazon ECR registries clean by YAML retention rules: explained plans, safe deletion, audit reports.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false);

  const aws = (cmd: Command): Command =>
    cmd
      .option('--region <region>', 'AWS region (default: AWS_REGION)')
      .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
      .option('--endpoint-url <url>', 'one endpoint for every AWS client (ECR, STS, S3, ECS, Lambda, Batch, App Runner), e.g. the emulator (AWS_ENDPOINT_URL_<SERVICE> still wins for its service; default: AWS_ENDPOINT_URL)');
  const indexStore = (cmd: Command): Command =>
    cmd
      .option('--index-store <dir>', 'remember the index manifests read here, so each is read (a pull in ECR) once (default: $XDG_CACHE_HOME/ecr-sweeper or ~/.cache/ecr-sweeper)')
      .option('--no-index-store', 'do not remember index reads: every run reads every index manifest again');
  const slack = (cmd: Command): Command =>
    cmd.addOption(
      new Option('--slack-webhook-url <url>', 'send a summary to this Slack incoming webhook (default: ECR_SWEEPER_SLACK_WEBHOOK_URL)'),
    );

  slack(
    indexStore(aws(
      program
        .command('plan')
        .description('dry run: plan every image of the governed repositories and print why; deletes nothing')
        .requiredOption('--rules <file>', 'rules file (YAML)')
        .option('--repository <glob>', 'only repositories matching this glob')
        .option('--now <iso>', 'evaluate the rules at this time instead of now (ISO-8601)')
        .option('--format <format>', 'table, json (the plan document) or csv (one row per image)', 'table')
        .option('--out <dir>', 'also write plan.json, result.json, result.csv and report.html here, and keep the run history in <dir>/history')
        .option('--prices <file>', 'JSON price table laid over the built-in ECR prices, for the cost estimates (docs/reports.md)')
        .option('--target-concurrency <n>', "targets (accounts and Regions, the rules' targets:) swept at once (default 4)"),
    )),
  ).action(async (flags) => setExit(await (await import('./commands/plan.js')).planCommand(flags, runtime)));

  slack(
    indexStore(aws(
      program
        .command('apply')
        .description('plan, then delete the images the plan marks for deletion (asks first unless --yes)')
        .requiredOption('--rules <file>', 'rules file (YAML)')
        .option('--yes', 'delete without asking (required when there is no terminal)')
        .option('--repository <glob>', 'only repositories matching this glob')
        // Hidden and refused by the command with a clear message: a future --now would defeat minAge.
        .addOption(new Option('--now <iso>').hideHelp())
        .option('--format <format>', 'table or json (the result document)', 'table')
        .option('--out <dir>', 'write plan.json (before deleting), result.json, result.csv, report.html and the deletion journal result.journal.jsonl here, and keep the run history in <dir>/history')
        .option('--prices <file>', 'JSON price table laid over the built-in ECR prices, for the cost estimates (docs/reports.md)')
        .option('--concurrency <n>', 'ECR requests in flight at once (default 4)')
        .option('--checkpoint <file>', 'record the plan and progress here so a run stopped by --max-duration, Ctrl-C or a crash is continued by the next')
        .option('--max-duration <duration>', 'stop cleanly between batches after this long (e.g. 30m); pair with --checkpoint')
        .option('--target-concurrency <n>', "targets (accounts and Regions, the rules' targets:) swept at once (default 4)"),
    )),
  ).action(async (flags) => setExit(await (await import('./commands/apply.js')).applyCommand(flags, runtime)));

  aws(
    program
      .command('restore')
      .description('bring archived images back to standard storage (UpdateImageStorageClass); asks first unless --yes')
      .requiredOption('--repository <name>', 'the repository holding the images')
      .option('--digest <digest...>', 'image digest(s) to restore (sha256:...)')
      .option('--tag <tag...>', 'image tag(s) to restore')
      .option('--yes', 'restore without asking (required when there is no terminal)')
      .option('--format <format>', 'table or json (one record per image)', 'table'),
  ).action(async (flags) => setExit(await (await import('./commands/restore.js')).restoreCommand(flags, runtime)));

  program
    .command('validate')
    .description('check rules files; prints every problem as file:line:column')
    .argument('<files...>', 'rules files')
    .action(async (files: string[]) => setExit(await (await import('./commands/validate.js')).validateCommand(files, runtime)));

  aws(
    program
      .command('import-policy')
      .description('print a native ECR lifecycle policy as ecr-sweeper YAML rules')
      .option('--repository <name>', "read the repository's lifecycle policy (GetLifecyclePolicy)")
      .option('--file <policy.json>', 'read a lifecycle policy JSON file'),
  ).action(async (flags) => setExit(await (await import('./commands/import-policy.js')).importPolicyCommand(flags, runtime)));

  program
    .command('export-policy')
    .description('print a policy of a rules file as native ECR lifecycle JSON; stderr lists what cannot be expressed')
    .requiredOption('--rules <file>', 'rules file (YAML)')
    .option('--policy <name>', 'the policy to export (required when the file has several)')
    .option('--allow-lossy', 'exit 0 even when rules had to be left out of the native policy (otherwise exit 3)')
    .action(async (flags) => setExit(await (await import('./commands/export-policy.js')).exportPolicyCommand(flags, runtime)));

  return program;
}

/** The error and its causes as one line, skipping causes whose text the message already holds. */
function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth += 1) {
    const text = e instanceof Error ? e.message : String(e);
    if (!parts.some((p) => p.includes(text))) parts.push(text);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.map((p, i) => (i === 0 ? p : `(caused by: ${p})`)).join(' ');
}

/**
 * AWS settings a user has to fix (no credentials, no region), wherever they sit in the cause
 * chain: the engine wraps SDK errors in its own. Returns the advice, or undefined.
 */
function awsSetupProblem(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    // Its message names the endpoint and what to check; the engine's "X failed:" wrapping adds nothing.
    if (e instanceof EndpointUnreachableError) return e.message;
    if (e.name === 'CredentialsProviderError') {
      return `no AWS credentials found (${e.message}). Set AWS_PROFILE or pass --profile (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); nothing was deleted.`;
    }
    if (/region is missing/i.test(e.message)) {
      return 'no AWS region configured. Pass --region or set AWS_REGION (or a region in your AWS profile); nothing was deleted.';
    }
  }
  return undefined;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Prints an error as one paragraph and picks its exit code. User errors get no stack trace; an
 * unexpected error gets its cause chain, and the stack when `ECR_SWEEPER_DEBUG` is set.
 */
function reportError(error: unknown, io: CliIo): ExitCodeValue {
  if (error instanceof RulesValidationError) {
    io.stderr.write(`ecr-sweeper: invalid rules (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}):\n`);
    for (const issue of error.issues) io.stderr.write(`  ${formatIssue(issue, '', io.cwd)}\n`);
    io.stderr.write('Nothing was deleted.\n');
    return ExitCode.BAD_INPUT;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`ecr-sweeper: ${error.message}\n`);
    return ExitCode.BAD_INPUT;
  }
  const setup = awsSetupProblem(error);
  if (setup !== undefined) {
    io.stderr.write(`ecr-sweeper: ${setup}\n`);
    return ExitCode.BAD_INPUT;
  }
  io.stderr.write(`ecr-sweeper: ${describeChain(error)}\n`);
  if (io.env.ECR_SWEEPER_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.FAILURES;
}
