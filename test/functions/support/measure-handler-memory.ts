/**
 * Measures what the Lambda memory setting must cover: the real sweep handler (apply rules, reports
 * written to S3) over a generated registry, with the emulator and s3rver in child processes so only
 * the function's own memory is sampled. Prints peak RSS / heap, duration, report sizes, and the peak
 * bytes its image part store held in its /tmp (what the functions' `ephemeralStorageSize` covers).
 *
 *   npx tsx test/functions/support/measure-handler-memory.ts [images=200000] [repositories=500]
 *
 * Not part of the test suite (no `.test.ts`); docs/deploy.md quotes its output.
 */
// First: quiets the SDK's Node 20 notice before anything loads the SDK.
import '../../../lib/sdk-node-notice.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import type { SweepResult } from '../../../lib/core/result-model.js';

const images = Number(process.argv[2] ?? 200_000);

/** Bytes of every file under `dir`; files removed while it walks count as 0. */
function bytesUnder(dir: string): number {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    try {
      total += entry.isDirectory() ? bytesUnder(path) : statSync(path).size;
    } catch {
      // Removed between the listing and the stat.
    }
  }
  return total;
}
const repositories = Number(process.argv[3] ?? 500);

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

const work = await mkdtemp(join(tmpdir(), 'ecr-sweeper-mem-'));
// The generator's entries average ~1.4 manifests (multi-arch children, referrers); aim at `images` manifests.
const perRepository = Math.max(1, Math.round(images / repositories / 1.4));
const emulator = spawn(
  process.execPath,
  ['--import', 'tsx', 'bench/support/emulator-child.ts', JSON.stringify({
    now: '2026-06-01T00:00:00.000Z',
    // As docs/deploy.md requires of a deployment: the sweep's own index reads do not count as pulls.
    pullTimeUpdateExclusions: ['S3RVER'],
    generate: { seed: 42, repositories, imagesPerRepository: [Math.round(perRepository * 0.5), Math.round(perRepository * 1.5)] },
  })],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const s3 = spawn(
  process.execPath,
  ['-e', `
    const S3rver = require('s3rver');
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(join(work, 's3'))},
      configureBuckets: [{ name: 'reports' }] }).run().then((a) => console.log('http://127.0.0.1:' + a.port));
  `],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const [ecrUrl, s3Url] = await Promise.all([firstLine(emulator, 'emulator'), firstLine(s3, 's3rver')]);
  const rulesFile = join(work, 'rules.yml');
  // The function's /tmp: its own folder, so what its image parts take can be measured alone.
  const functionTmp = join(work, 'function-tmp');
  await mkdir(functionTmp);
  await writeFile(rulesFile, `version: 1
defaults: { mode: apply, minAge: 0s }
policies:
  - name: all
    repositories: { include: ["**"] }
    rules:
      - id: untagged
        select: { tagStatus: untagged }
        when: { sinceImagePushed: 1s }
`);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL: ecrUrl, AWS_ENDPOINT_URL_S3: s3Url, S3_FORCE_PATH_STYLE: 'true',
    REPORT_BUCKET: 'reports', RULES_FILE: rulesFile, TMPDIR: functionTmp, POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { handler } = await import('../../../functions/sweep.js');
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let peakTmp = 0;
  let tick = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    // Walking the part folders costs more than reading the memory: every 10th sample (200 ms).
    if (tick++ % 10 === 0) peakTmp = Math.max(peakTmp, bytesUnder(functionTmp));
  }, 20);
  const started = performance.now();
  const context = { getRemainingTimeInMillis: () => 900_000, functionName: 'measure', awsRequestId: 'measure' } as Context;
  const summary = (await handler({}, context).catch(async (error: Error & { details?: { reportLocation?: string } }) => {
    // A failed sweep still wrote its report: show why, then measure as usual.
    const folder = error.details?.reportLocation;
    if (!folder) throw error;
    const key = `${folder.replace('s3://reports/', '')}/result.json`;
    const out = await new S3Client({ endpoint: s3Url, forcePathStyle: true }).send(new GetObjectCommand({ Bucket: 'reports', Key: key }));
    const result = JSON.parse(await out.Body!.transformToString()) as SweepResult;
    const codes = new Map<string, number>();
    for (const repo of result.repositories) {
      for (const image of repo.images) {
        if (image.outcome.status !== 'failed') continue;
        const key = `${image.role}: ${image.outcome.code}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
      }
    }
    console.log(`${error.name}: ${error.message}\nfailed deletions by role and code: ${JSON.stringify(Object.fromEntries(codes))}`);
    return { totals: result.totals, reports: { resultJson: `${folder}/result.json`, reportHtml: `${folder}/report.html`, resultCsv: `${folder}/result.csv` } };
  })) as {
    totals: { images: number; deleted: number; failed: number };
    reports: { resultJson: string; reportHtml: string; resultCsv: string };
  };
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const client = new S3Client({ endpoint: s3Url, forcePathStyle: true });
  const size = async (uri: string): Promise<string> => {
    const key = uri.replace('s3://reports/', '');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'reports', Key: key }));
    return `${((head.ContentLength ?? 0) / 2 ** 20).toFixed(1)} MiB`;
  };
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
  console.log(`sweep handler, ${repositories} repositories: ${summary.totals.images} images, ${summary.totals.deleted} deleted, ${summary.totals.failed} failed in ${seconds.toFixed(1)} s`);
  console.log(`memory: peak RSS ${mib(peakRss)} (after import ${mib(base.rss)}), peak heap ${mib(peakHeap)}`);
  console.log(`/tmp: peak ${mib(peakTmp)} of image parts (${(peakTmp / summary.totals.images).toFixed(0)} bytes per image), ${bytesUnder(functionTmp)} bytes left after the run`);
  console.log(`reports: result.json ${await size(summary.reports.resultJson)}, result.csv ${await size(summary.reports.resultCsv)}, report.html ${await size(summary.reports.reportHtml)}`);
  client.destroy();
} finally {
  emulator.kill('SIGTERM');
  s3.kill('SIGTERM');
  await rm(work, { recursive: true, force: true });
}
