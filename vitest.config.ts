import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The suite starts many emulators on ephemeral ports; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
