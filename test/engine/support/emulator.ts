/** Helpers for engine tests on the ECR emulator, through the real SDK over HTTP. */
import { ECRClient } from '@aws-sdk/client-ecr';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../emulator/index.js';
import { createEcrClient } from '../../../lib/adapters/ecr-client.js';

/** The access key id the sweeper signs with; registered as a pull-time update exclusion. */
export const SWEEPER_KEY = 'AKIDSWEEPER';

export interface EmulatorFixture {
  emulator: RunningEmulator;
  ecr: ECRClient;
}

/** Starts an emulator that does not count the sweeper's index reads as pulls. */
export async function startFixture(options: EmulatorOptions, excludeSweeper = true): Promise<EmulatorFixture> {
  const emulator = await startEmulator({ port: 0, ...options, pullTimeUpdateExclusions: excludeSweeper ? [SWEEPER_KEY] : [] });
  const ecr = createEcrClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    env: {},
    extra: { credentials: { accessKeyId: SWEEPER_KEY, secretAccessKey: 'test-secret' } },
  });
  return { emulator, ecr };
}

/** Every repository's images as `repo -> digest -> sorted tags`, for comparing final registries. */
export function registryState(emulator: RunningEmulator): Map<string, Map<string, string[]>> {
  const state = new Map<string, Map<string, string[]>>();
  for (const repo of emulator.repositories()) {
    const images = new Map<string, string[]>();
    for (const image of emulator.images(repo.repositoryName)) images.set(image.imageDigest, [...image.imageTags].sort());
    state.set(repo.repositoryName, images);
  }
  return state;
}

/** `repo@digest` for every image, sorted. */
export function imageKeys(emulator: RunningEmulator): string[] {
  return emulator
    .repositories()
    .flatMap((r) => emulator.images(r.repositoryName).map((i) => `${r.repositoryName}@${i.imageDigest}`))
    .sort();
}
