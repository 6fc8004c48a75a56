#!/usr/bin/env node
// Launcher for the `ecr-sweeper` CLI. The CLI is TypeScript; tsx (a runtime dependency) compiles it
// on import, so the package ships no build step and `npx ecr-sweeper` works from a fresh clone.
import { register } from 'tsx/esm/api';

// The SDK warns on every run that its 2027 releases will need Node 22; this project supports Node 20
// on purpose, and the notice is for developers, not for people running the CLI. AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false shows it again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
// Collect garbage sooner than V8's default when memory is plentiful (not a heap limit): lib/cli/heap-growth.ts.
const { collectGarbageSooner } = await import('../lib/cli/heap-growth.ts');
collectGarbageSooner();
// `ecr-sweeper plan --format csv | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { runCli, nodeCliIo } = await import('../lib/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), nodeCliIo());
