/**
 * Memory benchmark (`npm run bench:memory [-- --images N --repositories N --seed N]`; `-- --help`
 * lists them): what one process needs to sweep a large registry, the way the CLI does it. A
 * generated registry (default 1,000,000 manifests in 2,000 repositories) is served by the emulator
 * in a child process, so only the sweeper's own memory is sampled; `ecr-sweeper apply --yes` runs
 * in this process with its file sinks (`--out` reports, `--checkpoint`, the journal, the index store) and the rule
 * "delete every untagged image". Prints peak RSS and heap, images per second and the report sizes.
 *
 * Issue 10's target: 1,000,000 images in one process under 512 MiB peak RSS. The process sets V8's
 * heap growing factor as `bin/ecr-sweeper.js` does (lib/cli/heap-growth.ts); run it with
 * `node --heap-growing-percent=0 --expose-gc --import tsx bench/memory.ts` to see V8's default.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../lib/sdk-node-notice.js';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { collectGarbageSooner, HEAP_GROWING_PERCENT } from '../lib/cli/heap-growth.js';
import { runCli } from '../lib/cli/main.js';
import { parseBenchArgs, runBench, wholeNumber } from './support/bench-args.js';
import { spawnEmulator } from './support/spawn-emulator.js';

interface Args {
  images: number;
  repositories: number;
  seed: number;
}

const DEFAULTS: Args = { images: 1_000_000, repositories: 2_000, seed: 42 };
const NOW = '2026-06-01T00:00:00.000Z';

const USAGE = `usage: npm run bench:memory -- [options]   (each option as --name=value or --name value)
  --images N              manifests in the generated registry, about (default ${DEFAULTS.images})
  --repositories N        repositories (default ${DEFAULTS.repositories})
  --seed N                generator seed (default ${DEFAULTS.seed})
  -h, --help              print this`;

/** Reads the command line; 'help' for --help. */
function parseMemoryArgs(argv: string[]): Args | 'help' {
  const values = parseBenchArgs(argv, {
    images: { type: 'string' },
    repositories: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help';
  return {
    images: values.images !== undefined ? wholeNumber('--images', values.images) : DEFAULTS.images,
    repositories: values.repositories !== undefined ? wholeNumber('--repositories', values.repositories) : DEFAULTS.repositories,
    seed: values.seed !== undefined ? wholeNumber('--seed', values.seed, 0) : DEFAULTS.seed,
  };
}

const RULES = `version: 1
defaults: { mode: apply, minAge: 0s }
policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: untagged
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 1s }
`;

/** Peak RSS and heap of this process, sampled every 20 ms (and once more at the end). */
function sampleMemory(): { stop: () => { rss: number; heap: number } } {
  let rss = 0;
  let heap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      // The kernel's own high-water mark catches a peak between two samples.
      rss = Math.max(rss, process.resourceUsage().maxRSS * 1024);
      return { rss, heap };
    },
  };
}

async function main(args: Args): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'ecr-sweeper-bench-memory-'));
  // The generator's entries average ~1.4 manifests (multi-arch children, referrers); aim at `images` manifests.
  const perRepository = Math.max(1, Math.round(args.images / args.repositories / 1.4));
  const loading = performance.now();
  const { url, child } = await spawnEmulator({
    now: NOW,
    pullTimeUpdateExclusions: ['AKIDBENCHMEMORY'],
    generate: { seed: args.seed, repositories: args.repositories, imagesPerRepository: [Math.round(perRepository * 0.5), Math.round(perRepository * 1.5)] },
  });
  try {
    process.stdout.write(`emulator (child process) loaded the registry in ${((performance.now() - loading) / 1000).toFixed(1)} s\n`);
    const rules = join(work, 'rules.yml');
    await writeFile(rules, RULES);
    const out = join(work, 'out');
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void): Writable =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const io = {
      stdout: sink((s) => (stdout = (stdout + s).slice(-20_000))),
      stderr: sink((s) => (stderr = (stderr + s).slice(-20_000))),
      stdin: Object.assign(new Writable(), { isTTY: false }) as unknown as NodeJS.ReadableStream & { isTTY?: boolean },
      env: { AWS_ACCESS_KEY_ID: 'AKIDBENCHMEMORY', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' },
      cwd: work,
    };
    // As bin/ecr-sweeper.js does for its process (a node --heap-growing-percent given to this one wins).
    const tuned = collectGarbageSooner();
    global.gc?.();
    const before = process.memoryUsage().rss;
    const memory = sampleMemory();
    const started = performance.now();
    const code = await runCli(
      // The index store in the work folder (removed at the end), not in the user's cache.
      ['apply', '--rules', rules, '--yes', '--out', out, '--checkpoint', join(work, 'checkpoint.json'), '--index-store', join(work, 'index-store'), '--endpoint-url', url, '--format', 'table'],
      io as never,
      { ecrClientExtra: { credentials: { accessKeyId: 'AKIDBENCHMEMORY', secretAccessKey: 'bench' } } },
    );
    const seconds = (performance.now() - started) / 1000;
    const peak = memory.stop();
    if (code !== 0) {
      process.stdout.write(`apply exited ${code}\n${stderr.slice(-3000)}\n`);
    }
    const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
    const files = await readdir(out).catch(() => [] as string[]);
    const sizes: string[] = [];
    for (const file of files.sort()) {
      const info = await stat(join(out, file));
      if (info.isFile()) sizes.push(`${file} ${(info.size / 2 ** 20).toFixed(1)} MiB`);
    }
    const images = await csvRows(join(out, 'result.csv'));
    process.stdout.write(
      [
        `ecr-sweeper apply (CLI, one process, --out, --checkpoint, journal), ${args.repositories} repositories, ~${args.images} images requested: exit ${code} in ${seconds.toFixed(1)} s`,
        images === undefined ? 'images: unknown (no result.csv)' : `images: ${images} (rows of result.csv); ${Math.round(images / seconds)} images/s`,
        `memory: peak RSS ${mib(peak.rss)} (before the run ${mib(before)}), peak heap ${mib(peak.heap)}; target < 512 MiB RSS (V8 heap growing: ${tuned ? `${HEAP_GROWING_PERCENT}%, as the CLI sets it` : 'as given to node'})`,
        `files: ${sizes.join(', ') || 'none'}`,
      ].join('\n') + '\n',
    );
  } finally {
    child.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  }
}

/** The image rows of a result CSV (its lines less the header), read as a stream; undefined without one. */
async function csvRows(file: string): Promise<number | undefined> {
  let lines = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
    }
  } catch {
    return undefined;
  }
  return Math.max(0, lines - 1);
}

await runBench('bench:memory', USAGE, parseMemoryArgs, main);
