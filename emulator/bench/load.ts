/**
 * Emulator performance figures (prints, never asserts):
 *   npx tsx emulator/bench/load.ts [images=200000] [inventoryImages=1000000]
 * 1. Loading a generated registry of N images into the emulator (startEmulator with `generate`).
 * 2. toInventory over a 1M-image registry in 2,000 repositories, one repository at a time (µs/image).
 * 3. Paging all of one 2,500-image repository through DescribeImages over HTTP.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../../lib/sdk-node-notice.js';
import { ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
import { generateRepositories, startEmulator, toInventory } from '../index.js';

const loadImages = Number(process.argv[2] ?? 200_000);
const inventoryImages = Number(process.argv[3] ?? 1_000_000);

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const perRepo = 500;
  let t = performance.now();
  const emulator = await startEmulator({
    now: '2026-06-01T00:00:00Z',
    generate: { repositories: Math.ceil(loadImages / perRepo), imagesPerRepository: perRepo, seed: 1 },
  });
  const loadMs = performance.now() - t;
  const total = emulator.repositories().reduce((s, r) => s + r.imageCount, 0);
  console.log(`load: ${total} manifests (${loadImages} generated entries + index children) in ${(loadMs / 1000).toFixed(2)} s, heap ${mb(process.memoryUsage().heapUsed)}`);

  emulator.addImages('bench/page', Array.from({ length: 2500 }, (_, i) => ({ tags: [`t${i}`] })));
  const ecr = new ECRClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'x' } });
  t = performance.now();
  let n = 0;
  for await (const page of paginateDescribeImages({ client: ecr, pageSize: 1000 }, { repositoryName: 'bench/page' })) n += page.imageDetails?.length ?? 0;
  console.log(`DescribeImages: ${n} images in 3 pages over HTTP in ${(performance.now() - t).toFixed(0)} ms`);
  ecr.destroy();
  await emulator.stop();

  const now = Date.parse('2026-06-01T00:00:00Z');
  const repos = Math.ceil(inventoryImages / perRepo);
  let manifests = 0;
  const cpu0 = process.cpuUsage();
  t = performance.now();
  for (const repo of generateRepositories({ repositories: repos, imagesPerRepository: perRepo, seed: 1 })) {
    manifests += toInventory(repo, now).images.length;
  }
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `generate + toInventory: ${manifests} manifests in ${repos} repositories, wall ${(wall / 1000).toFixed(2)} s, CPU ${(cpuMs / 1000).toFixed(2)} s, ${((cpuMs * 1000) / manifests).toFixed(2)} µs/manifest`,
  );
}

void main();
