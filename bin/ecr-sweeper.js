#!/usr/bin/env node
// Launcher for the `ecr-sweeper` CLI. The CLI is TypeScript; tsx (a runtime dependency) compiles it
// on import, so the package ships no build step and `npx ecr-sweeper` works from a fresh clone.
import { register } from 'tsx/esm/api';

register();
const { runCli, nodeCliIo } = await import('../lib/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), nodeCliIo());
