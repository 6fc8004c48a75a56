/**
 * `ecr-sweeper plan` through the real launcher, three times in a row, signing as a principal that
 * is NOT a pull-time update exclusion (issue 11 §2): identical decisions every time, the second and
 * third read no index manifest again (the index store in the user's cache directory remembers
 * them), and the plan says the principal is not excluded. `--no-index-store` and `--index-store`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { Plan } from '../../lib/core/plan-model.js';
import { cliEnv, runCliProcess, useTempDir, writeText } from './cli-harness.js';

const RULES = `version: 1
defaults:
  minAge: 1d
  maxDeletionsPerRun: null
  maxDeletePercentPerRepository: null
policies:
  - name: all
    repositories: { include: ['**'] }
    rules:
      - id: not-pulled-90d
        select: { tagStatus: any }
        when: { sinceImagePulled: 90d }
`;

const temp = useTempDir();
let emulator: RunningEmulator;
beforeEach(async () => {
  // The real clock: the CLI reads it too, so its reads and the recorded pull times line up as in AWS.
  emulator = await startEmulator({
    port: 0,
    state: {
      repositories: [
        {
          name: 'team/multi',
          images: [
            ...Array.from({ length: 4 }, (_, i) => ({ tags: [`v${i}`], pushedAt: '-200d', lastPulledAt: '-101d', children: [{}, {}] })),
            { tags: ['hot'], pushedAt: '-200d', lastPulledAt: '-1d', children: [{}] },
          ],
        },
      ],
    },
  });
});
afterEach(async () => {
  await emulator.stop();
});

function decisions(plan: Plan): string[] {
  return plan.repositories.flatMap((r) => r.images.map((i) => `${i.imageDigest} ${i.decision} ${i.rule ?? '-'} ${i.lastPulledAt ?? 'never'}`)).sort();
}

describe('ecr-sweeper plan with the index store', () => {
  it('three plans in a row: identical decisions, no index read twice, and the principal named as not excluded', async () => {
    const rules = await writeText(temp.dir, 'pulls.yml', RULES);
    const env = cliEnv(emulator.url, { XDG_CACHE_HOME: join(temp.dir, 'xdg-cache') });
    const plans: Plan[] = [];
    const reads: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      emulator.resetStats();
      const out = await runCliProcess(['plan', '--rules', rules, '--format', 'json'], { env, cwd: temp.dir });
      expect(out.code, out.stderr).toBe(0);
      // The user sees it once per run, on stderr (stdout stays the plan document).
      expect(out.stderr.match(/warning \(pull-time-not-excluded\)/g)).toHaveLength(1);
      plans.push(JSON.parse(out.stdout) as Plan);
      reads.push(emulator.stats().requests.BatchGetImage ?? 0);
    }
    expect(reads[0]).toBeGreaterThan(0);
    expect(reads.slice(1)).toEqual([0, 0]);
    expect(plans[0]!.summary.delete).toBe(4 * 3);
    expect(decisions(plans[1]!)).toEqual(decisions(plans[0]!));
    expect(decisions(plans[2]!)).toEqual(decisions(plans[0]!));
    // The store is a file per registry in the XDG cache directory.
    expect(readdirSync(join(temp.dir, 'xdg-cache', 'ecr-sweeper'))).toEqual([expect.stringMatching(/^index-123456789012-us-east-1-[0-9a-f]{12}\.json$/)]);
    for (const plan of plans) {
      expect(plan.warnings).toEqual([
        { code: 'pull-time-not-excluded', message: expect.stringContaining('arn:aws:iam::123456789012:user/AKIDCLITEST is not a pull-time update exclusion') },
      ]);
    }
  });

  it('--no-index-store reads every index each time (and the second plan then sees the first one\'s reads as pulls)', async () => {
    const rules = await writeText(temp.dir, 'pulls-off.yml', RULES);
    const env = cliEnv(emulator.url, { XDG_CACHE_HOME: join(temp.dir, 'unused-cache') });
    const first = await runCliProcess(['plan', '--rules', rules, '--format', 'json', '--no-index-store'], { env, cwd: temp.dir });
    emulator.resetStats();
    const second = await runCliProcess(['plan', '--rules', rules, '--format', 'json', '--no-index-store'], { env, cwd: temp.dir });
    expect(emulator.stats().requests.BatchGetImage).toBeGreaterThan(0);
    expect((JSON.parse(first.stdout) as Plan).summary.delete).toBe(12);
    expect((JSON.parse(second.stdout) as Plan).summary.delete).toBe(0);
    expect(() => readdirSync(join(temp.dir, 'unused-cache'))).toThrow();
  });

  it('--index-store DIR keeps the store there; an exclusion for the principal silences the warning', async () => {
    const rules = await writeText(temp.dir, 'pulls-dir.yml', RULES);
    emulator.setPullTimeUpdateExclusions(['arn:aws:iam::123456789012:user/AKIDCLITEST']);
    const out = await runCliProcess(['plan', '--rules', rules, '--format', 'json', '--index-store', 'my-store'], { env: cliEnv(emulator.url), cwd: temp.dir });
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.stdout) as Plan).warnings).toEqual([]);
    expect(readdirSync(join(temp.dir, 'my-store'))).toHaveLength(1);
    const empty = await runCliProcess(['plan', '--rules', rules, '--index-store', ''], { env: cliEnv(emulator.url), cwd: temp.dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--index-store needs a directory');
  });
});
