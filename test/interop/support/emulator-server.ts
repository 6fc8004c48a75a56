import { startEmulator } from '../../../emulator/index.js';

/** The emulator the interop run talks to: started in-process, or one already running elsewhere. */
export interface InteropEmulator {
  readonly url: string;
  /** Where the endpoint came from, printed with the results. */
  readonly origin: string;
  stop(): Promise<void>;
}

/**
 * Starts our ECR emulator on an ephemeral loopback port with an empty registry.
 *
 * `INTEROP_EMULATOR_URL=http://127.0.0.1:PORT` points the run at an emulator started by hand
 * (`npm run emulator -- --port PORT`) instead, to debug it with its own logs; that one is not stopped.
 */
export async function startInteropEmulator(): Promise<InteropEmulator> {
  const external = process.env.INTEROP_EMULATOR_URL;
  if (external !== undefined && external !== '') {
    return { url: external, origin: `INTEROP_EMULATOR_URL (${external})`, stop: async () => {} };
  }
  const emulator = await startEmulator({ port: 0 });
  return { url: emulator.url, origin: `startEmulator() at ${emulator.url}`, stop: () => emulator.stop() };
}
