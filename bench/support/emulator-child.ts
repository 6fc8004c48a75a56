/**
 * Runs one ECR emulator in its own process for bench/sweep.ts, so the sweep's peak memory is
 * measured without the emulator's registry in the same heap. Options arrive as JSON in argv[2];
 * the URL is printed as the first stdout line. Stops on SIGTERM.
 */
import { startEmulator, type EmulatorOptions } from '../../emulator/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
const emulator = await startEmulator({ ...options, port: 0 });
process.stdout.write(`${emulator.url}\n`);
const stop = (): void => {
  void emulator.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
