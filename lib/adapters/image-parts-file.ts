/**
 * The CLI's image part store (`ImagePartStore`, lib/engine/types.ts): each repository's planned
 * and result images in their own JSON file in a private temp folder, so a sweep holds per
 * repository summaries only and its memory follows the largest repository, not the registry.
 * Synchronous by design: a plan or result reads its images back from a getter, where the engine
 * and every renderer already expect an array. The folder is removed by {@link dispose}.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcrSweeperError } from '../errors.js';
import type { PlannedImage } from '../core/plan-model.js';
import type { ResultImage } from '../core/result-model.js';
import type { ImagePartStore } from '../engine/types.js';

/** An image part could not be written or read back (disk full, folder removed): the run cannot go on safely. */
export class ImagePartError extends EcrSweeperError {}

/** An {@link ImagePartStore} in a fresh folder under the system temp directory. */
export class FileImageParts implements ImagePartStore {
  readonly dir: string;
  /** The part read last, per kind: a repository read twice in a row (its result built from its plan) is parsed once. */
  private readonly last = new Map<'plan' | 'result', { key: string; images: unknown[] }>();

  /** @param parent - where the private folder is made; default the system temp directory. */
  constructor(parent: string = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'ecr-sweeper-parts-'));
  }

  writePlanImages(key: string, images: readonly PlannedImage[]): void {
    this.write('plan', key, images);
  }

  readPlanImages(key: string): PlannedImage[] {
    return this.read('plan', key) as PlannedImage[];
  }

  writeResultImages(key: string, images: readonly ResultImage[]): void {
    this.write('result', key, images);
  }

  readResultImages(key: string): ResultImage[] {
    return this.read('result', key) as ResultImage[];
  }

  /** Removes the folder and every part; the plans and results that read from it can no longer give their images. */
  dispose(): void {
    this.last.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fileOf(kind: 'plan' | 'result', key: string): string {
    return join(this.dir, `${kind}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  private write(kind: 'plan' | 'result', key: string, images: readonly unknown[]): void {
    const file = this.fileOf(kind, key);
    try {
      writeFileSync(file, JSON.stringify(images));
    } catch (error) {
      throw new ImagePartError(`could not keep the ${kind} images of ${key} in ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (this.last.get(kind)?.key === key) this.last.delete(kind);
  }

  private read(kind: 'plan' | 'result', key: string): unknown[] {
    const cached = this.last.get(kind);
    if (cached?.key === key) return cached.images;
    const file = this.fileOf(kind, key);
    let images: unknown[];
    try {
      images = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    } catch (error) {
      throw new ImagePartError(`could not read back the ${kind} images of ${key} from ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.last.set(kind, { key, images });
    return images;
  }
}
