/**
 * Model-based property test of the registry's tag and deletion rules: random sequences of
 * BatchDeleteImage (by tag, by digest) and PutImage re-tags run against the operation handlers and
 * against a tiny reference model; after every step both must hold the same images and tags.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, type CallContext } from '../../emulator/operations/index.js';
import { manifestOf } from '../../emulator/materialize.js';
import { SeededRandom } from '../../emulator/random.js';
import { Principals } from '../../emulator/principals.js';
import { Clock, Registry } from '../../emulator/registry.js';

const REPO = 'model/repo';
const TAGS = ['a', 'b', 'c', 'd', 'e', 'f'];

type Command =
  | { kind: 'deleteTag'; tag: string }
  | { kind: 'deleteDigest'; image: number }
  | { kind: 'retag'; image: number; tag: string };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('deleteTag' as const), tag: fc.constantFrom(...TAGS) }),
  fc.record({ kind: fc.constant('deleteDigest' as const), image: fc.nat(9) }),
  fc.record({ kind: fc.constant('retag' as const), image: fc.nat(9), tag: fc.constantFrom(...TAGS) }),
);

function setup(): { ctx: CallContext; registry: Registry } {
  const registry = new Registry({ registryId: '123456789012', region: 'us-east-1', clock: new Clock(Date.parse('2026-06-01T00:00:00Z')), maxRepositories: 5 });
  registry.loadState({
    repositories: [
      {
        name: REPO,
        images: [
          { tags: ['a', 'b'] },
          { tags: ['c'] },
          {},
          { tags: ['d'], children: [{}, {}] },
          { tags: ['e'], children: [{}] },
          { subject: 'a' },
        ],
      },
    ],
  });
  const ctx: CallContext = {
    registry,
    accessKeyId: 'AKIDMODEL',
    principals: new Principals('123456789012', new Map(), new Set()),
    random: new SeededRandom(1),
    baseUrl: 'http://127.0.0.1:1',
  };
  return { ctx, registry };
}

/** The reference model: digest → tags, and index digest → children. */
interface Model {
  tags: Map<string, Set<string>>;
  children: Map<string, string[]>;
}

function modelOf(registry: Registry): Model {
  const tags = new Map<string, Set<string>>();
  const children = new Map<string, string[]>();
  for (const img of registry.get(REPO).list()) {
    tags.set(img.digest, new Set(img.tags));
    if (img.childDigests) children.set(img.digest, [...img.childDigests]);
  }
  return { tags, children };
}

function referenced(model: Model, digest: string): boolean {
  for (const [index, kids] of model.children) if (model.tags.has(index) && kids.includes(digest)) return true;
  return false;
}

function removeImage(model: Model, digest: string): void {
  model.tags.delete(digest);
  model.children.delete(digest);
}

function holderOf(model: Model, tag: string): string | undefined {
  for (const [digest, tags] of model.tags) if (tags.has(tag)) return digest;
  return undefined;
}

describe('registry rules (model-based property)', () => {
  it('tags, deletes and index protection behave like the reference model for any command sequence', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 25 }), (commands) => {
        const { ctx, registry } = setup();
        const model = modelOf(registry);
        // Digests in a fixed order, including ones deleted later (their commands then hit ImageNotFound).
        const digests = [...model.tags.keys()];
        const manifests = new Map([...registry.get(REPO).list()].map((img) => [img.digest, manifestOf(img)]));
        for (const cmd of commands) {
          if (cmd.kind === 'deleteTag') {
            const out = OPERATIONS.BatchDeleteImage?.({ repositoryName: REPO, imageIds: [{ imageTag: cmd.tag }] }, ctx) as { failures: { failureCode: string }[] };
            const holder = holderOf(model, cmd.tag);
            if (!holder) expect(out.failures[0]?.failureCode).toBe('ImageNotFound');
            else if ((model.tags.get(holder)?.size ?? 0) > 1) model.tags.get(holder)?.delete(cmd.tag);
            else if (referenced(model, holder)) expect(out.failures[0]?.failureCode).toBe('ImageReferencedByManifestList');
            else removeImage(model, holder);
          } else if (cmd.kind === 'deleteDigest') {
            const digest = digests[cmd.image % digests.length] as string;
            const out = OPERATIONS.BatchDeleteImage?.({ repositoryName: REPO, imageIds: [{ imageDigest: digest }] }, ctx) as { failures: { failureCode: string }[] };
            if (!model.tags.has(digest)) expect(out.failures[0]?.failureCode).toBe('ImageNotFound');
            else if (referenced(model, digest)) expect(out.failures[0]?.failureCode).toBe('ImageReferencedByManifestList');
            else removeImage(model, digest);
          } else {
            const digest = digests[cmd.image % digests.length] as string;
            if (!model.tags.has(digest)) continue; // re-pushing a deleted manifest needs its layers: not modelled
            const put = (): unknown => OPERATIONS.PutImage?.({ repositoryName: REPO, imageManifest: manifests.get(digest), imageTag: cmd.tag }, ctx);
            if (model.tags.get(digest)?.has(cmd.tag)) {
              expect(put).toThrow(/already exists/);
            } else {
              put();
              const previous = holderOf(model, cmd.tag);
              if (previous) model.tags.get(previous)?.delete(cmd.tag);
              model.tags.get(digest)?.add(cmd.tag);
            }
          }
          const actual = modelOf(registry);
          expect(new Map([...actual.tags].map(([d, t]) => [d, [...t].sort()]))).toEqual(new Map([...model.tags].map(([d, t]) => [d, [...t].sort()])));
          // The tag index and the images' tag lists never disagree.
          const repo = registry.get(REPO);
          for (const [tag, img] of repo.tags) expect(img.tags).toContain(tag);
          expect(repo.tags.size).toBe([...repo.list()].reduce((n, img) => n + img.tags.length, 0));
        }
      }),
      { numRuns: 200 },
    );
  });
});
