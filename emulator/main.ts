/**
 * CLI of the ECR emulator:
 *   npm run emulator -- --state FILE --port N [--generate repos=30,images=100,seed=1]
 *     [--rate-limit Op=N[:burst] ...] [--throttle-probability p] [--server-error-probability p]
 *     [--latency-ms n] [--now ISO] [--seed n] [--pull-time-exclusion AKID ...]
 * Prints its URL and serves until Ctrl-C. Binds 127.0.0.1 only.
 */
import { formatBanner } from './banner.js';
import { parseCommandLine, USAGE } from './cli-args.js';
import { startEmulator } from './index.js';
import type { EmulatorOptions } from './types.js';

async function main(): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`ecr-emulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(options).catch((error: unknown) => {
    console.error(`ecr-emulator: ${(error as Error).message}`);
    process.exit(2);
  });
  const repos = emulator.repositories();
  const images = repos.reduce((sum, r) => sum + r.imageCount, 0);
  // One write, so a process reading the banner gets it whole.
  console.log(formatBanner({ url: emulator.url, region: emulator.region, repositories: repos.length, images, now: emulator.now() }));
  const shutdown = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
