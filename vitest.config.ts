import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Index stores and other caches of the commands under test go to a temp folder, not ~/.cache.
    globalSetup: ['test/support/test-cache-home.ts'],
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The suite starts many emulators on ephemeral ports; two cores do not gain from more workers.
    maxWorkers: 2,
    // The pinned AWS SDK warns once per process that Node 20 support ends; the notice is for
    // whoever picks the runtime, not a test result (bin/ecr-sweeper.js silences it the same way).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
