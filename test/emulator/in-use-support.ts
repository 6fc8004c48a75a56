/** Real SDK clients of the in-use scan's services (ECS, Lambda, Batch, App Runner) pointed at one emulator. */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { BatchClient } from '@aws-sdk/client-batch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.js';
import { ACCESS_KEY } from './support.js';

export interface ConsumerClients {
  ecs: ECSClient;
  lambda: LambdaClient;
  batch: BatchClient;
  apprunner: AppRunnerClient;
  destroy(): void;
}

/** One client per service, all at the emulator's single endpoint, no retries (each answer is seen). */
export function consumerClients(emulator: RunningEmulator, maxAttempts = 1): ConsumerClients {
  const config = { endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'not-a-secret' }, maxAttempts };
  const clients = { ecs: new ECSClient(config), lambda: new LambdaClient(config), batch: new BatchClient(config), apprunner: new AppRunnerClient(config) };
  return { ...clients, destroy: () => Object.values(clients).forEach((c) => c.destroy()) };
}

/**
 * One emulator and its consumer clients per test: `start` launches them, and both are stopped
 * after each test (this registers vitest's `afterEach` in the calling file).
 */
export function consumerEmulatorPerTest(): { start(options: EmulatorOptions): Promise<ConsumerClients>; readonly emulator: RunningEmulator | undefined } {
  let emulator: RunningEmulator | undefined;
  let clients: ConsumerClients | undefined;
  afterEach(async () => {
    clients?.destroy();
    await emulator?.stop();
    emulator = undefined;
    clients = undefined;
  });
  return {
    async start(options) {
      emulator = await startEmulator(options);
      clients = consumerClients(emulator);
      return clients;
    },
    get emulator() {
      return emulator;
    },
  };
}

/** `<registry>.dkr.ecr.us-east-1.amazonaws.com/<rest>` of the default emulator registry. */
export function uri(rest: string): string {
  return `123456789012.dkr.ecr.us-east-1.amazonaws.com/${rest}`;
}

/** Awaits a call that must fail; returns its exception name, message and HTTP status. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  );
  if (!error) throw new Error('expected the call to fail, but it succeeded');
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}
