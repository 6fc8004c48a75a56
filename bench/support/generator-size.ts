/**
 * Sizing a generated registry by manifests rather than by entries: the generator's entries carry
 * multi-arch children and referrers, so N entries make more than N manifests. bench:sweep and
 * bench:org ask for "about N manifests" through this.
 */
import { generateRepository, type GeneratorOptions } from '../../emulator/index.js';

/** Generator options whose registry holds about `images` manifests (children and referrers included) in `repositories`. */
export function generatorFor(args: { images: number; repositories: number; seed: number }): GeneratorOptions {
  const probe: GeneratorOptions = { seed: args.seed, repositories: args.repositories, imagesPerRepository: 100 };
  let manifests = 0;
  const sample = Math.min(args.repositories, 20);
  for (let i = 0; i < sample; i++) manifests += countManifests(generateRepository(probe, i).images);
  const perEntry = manifests / (sample * 100);
  const perRepository = Math.max(1, Math.round(args.images / args.repositories / perEntry));
  return { seed: args.seed, repositories: args.repositories, imagesPerRepository: [Math.round(perRepository * 0.5), Math.round(perRepository * 1.5)] };
}

function countManifests(images: { children?: unknown[] }[]): number {
  return images.reduce((n, i) => n + 1 + (i.children?.length ?? 0), 0);
}
