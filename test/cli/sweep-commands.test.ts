/**
 * `plan` and `apply` through the real launcher against an emulator started here, checked against
 * the emulator's own view of the registry (its images and request counters).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ECRClient, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startEmulator } from '../../emulator/index.js';
import type { Plan } from '../../lib/core/plan-model.js';
import type { SweepResult } from '../../lib/core/result-model.js';
import { cliEnv, runCliProcess, useCliScenario, writeText } from './cli-harness.js';
import { EXPECTED_BYTES, EXPECTED_DELETES, liveState, NATIVE_POLICY, NOW, rulesYaml, STATE } from './fixtures.js';

const DAY_MS = 86_400_000;
const scenario = useCliScenario({ state: () => STATE, rulesFile: 'rules.yml', rulesText: rulesYaml() });

/** The digests the scenario must delete, looked up in the emulator by tags and push time. */
function expectedDigests(): string[] {
  // The emulator's frozen clock: NOW for plan tests, the time it started for apply tests.
  const now = scenario.emulator.now();
  return EXPECTED_DELETES.map((e) => {
    const match = scenario.emulator
      .images(e.repository)
      .filter((i) => i.imagePushedAt === now - e.ageDays * DAY_MS && JSON.stringify([...i.imageTags].sort()) === JSON.stringify(e.tags));
    expect(match, `${e.repository} ${e.tags.join(',')} -${e.ageDays}d`).toHaveLength(1);
    return (match[0] as { imageDigest: string }).imageDigest;
  }).sort();
}

function allDigests(): Map<string, string[]> {
  return new Map(scenario.emulator.repositories().map((r) => [r.repositoryName, scenario.emulator.images(r.repositoryName).map((i) => i.imageDigest).sort()]));
}

const run = (args: string[], extraEnv: Record<string, string> = {}) => runCliProcess(args, { env: cliEnv(scenario.emulator.url, extraEnv), cwd: scenario.dir });

describe('ecr-sweeper plan', () => {
  it('prints a table with a row per governed repository, totals, and deletes nothing', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Plan (dry run: nothing is deleted) evaluated at 2026-11-27T12:00:00.000Z');
    expect(out.stdout).toMatch(/app\/api\s*│\s*apps\s*│\s*planned\s*│\s*6\s*│\s*2\s*│\s*4\s*│/);
    expect(out.stdout).toMatch(/app\/web\s*│\s*apps\s*│\s*planned\s*│\s*4\s*│\s*2\s*│\s*2\s*│/);
    expect(out.stdout).not.toContain('other/tools');
    expect(out.stdout).toContain('1 repository is not governed by any policy');
    expect(scenario.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
  });

  it('--format json prints exactly the plan document on stdout (notes such as the report path go to stderr)', async () => {
    const reports = join(scenario.dir, 'reports-json');
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--format', 'json', '--out', reports]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(`Report: ${join(reports, 'report.html')}`);
    const plan = JSON.parse(out.stdout) as Plan;
    expect(plan.version).toBe(1);
    expect(plan.mode).toBe('dry-run');
    expect(plan.now).toBe(NOW);
    const deletes = plan.repositories.flatMap((r) => r.images.filter((i) => i.decision === 'delete').map((i) => i.imageDigest)).sort();
    expect(deletes).toEqual(expectedDigests());
    expect(plan.summary.bytesToFree).toBe(EXPECTED_BYTES);
    for (const image of plan.repositories.flatMap((r) => r.images)) expect(image.reason).not.toBe('');
  });

  it('--format csv prints one row per image with its decision and reason', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--format', 'csv']);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('repository,policy,repository_status,digest,tags,role,pushed_at,last_pulled_at,size_bytes,decision,rule,reason,used_by');
    expect(lines).toHaveLength(1 + 6 + 4);
    const deleteRows = lines.filter((l) => l.split(',')[9] === 'delete');
    expect(deleteRows.map((l) => l.split(',')[3]).sort()).toEqual(expectedDigests());
    expect(lines.find((l) => l.includes(',pr-1,'))).toMatch(/,delete,pr-builds,/);
  });

  it('--repository limits the plan to matching repositories', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--format', 'json', '--repository', 'app/web']);
    expect(out.code).toBe(0);
    const plan = JSON.parse(out.stdout) as Plan;
    expect(plan.repositories.filter((r) => r.status !== 'unmanaged').map((r) => r.repositoryName)).toEqual(['app/web']);
  });

  it('--out DIR writes plan.json, result.json, result.csv and report.html and prints the HTML path', async () => {
    const out = join(scenario.dir, 'reports-plan');
    const res = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--out', out]);
    expect(res.code).toBe(0);
    for (const name of ['plan.json', 'result.json', 'result.csv', 'report.html']) expect(existsSync(join(out, name)), name).toBe(true);
    expect(res.stdout).toContain(`Report: ${join(out, 'report.html')}`);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as SweepResult;
    expect(result.mode).toBe('dry-run');
    expect(result.totals.deleted).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('prints the totals per rule and the estimated cost; a second run into the same --out compares with the first', async () => {
    const out = join(scenario.dir, 'reports-twice');
    const first = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Per rule:\n[\s\S]*│ Rule\s*│ Would delete\s*│ Would free\s*│ Est\. cost would free \/ month │/);
    expect(first.stdout).toMatch(/^Estimated storage cost an apply run would free: (\$[\d,]+\.\d\d|< \$0\.01) per month \(estimated\)$/m);
    expect(first.stdout).toContain('Estimate: ECR storage in us-east-1 at $0.10 per GB-month');
    expect(first.stdout).toContain('No previous run in this report directory: nothing to compare with yet.');
    // Ten days later the age rules act on more images.
    const later = new Date(Date.parse(NOW) + 10 * DAY_MS).toISOString();
    const second = await run(['plan', '--rules', scenario.rules, '--now', later, '--out', out]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Since the last run \(evaluated 2026-11-27 12:00 UTC\): [1-9][\d,]* images? changed decision, 0 repositories changed status \(listed in the report\)\.$/m);
    expect(readFileSync(join(out, 'history', 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="changed-images"');
  });

  it('--prices FILE prices a Region the built-in table does not; a bad file exits 2 naming it, before calling ECR', async () => {
    const prices = await writeText(scenario.dir, 'prices.json', '{"checkedOn":"2026-12-01","source":"test agreement","regions":{"eu-west-3":{"standardPerGbMonth":0.2}}}');
    const priced = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--prices', prices], { AWS_REGION: 'eu-west-3' });
    expect(priced.code).toBe(0);
    expect(priced.stdout).toContain('Estimate: ECR storage in eu-west-3 at $0.20 per GB-month, 1 GB = 2^30 bytes, prices of 2026-12-01 from test agreement.');
    const unpriced = await run(['plan', '--rules', scenario.rules, '--now', NOW], { AWS_REGION: 'eu-west-3' });
    expect(unpriced.stdout).toContain('Estimated storage cost an apply run would free: unknown (no price for Region eu-west-3)');
    const before = { ...scenario.emulator.stats().requests };
    const bad = await writeText(scenario.dir, 'bad-prices.json', '{"checkedOn":"2026-12-01","source":"x","regions":{"eu-west-3":{"standardPerGbMonth":"cheap"}}}');
    const refused = await run(['plan', '--rules', scenario.rules, '--prices', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--prices ${bad}: invalid price table: regions.eu-west-3.standardPerGbMonth`);
    expect(scenario.emulator.stats().requests).toEqual(before);
  });

  it('exits 2 with the flag named for a bad --now or --format, before calling ECR', async () => {
    const badNow = await run(['plan', '--rules', scenario.rules, '--now', 'last tuesday']);
    expect(badNow.code).toBe(2);
    expect(badNow.stderr).toContain('--now must be an ISO-8601 date-time');
    const badFormat = await run(['plan', '--rules', scenario.rules, '--format', 'xml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format must be one of table, json, csv');
    expect(scenario.emulator.stats().requests).toEqual({});
  });

  it('exits 2 with file:line:column for invalid rules, before calling ECR', async () => {
    const bad = await writeText(scenario.dir, 'bad.yml', 'version: 1\npolicies: []\n');
    const out = await run(['plan', '--rules', bad]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/bad\.yml:2:\d+: policies: /);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(scenario.emulator.stats().requests).toEqual({});
  });
});

describe('ecr-sweeper apply', () => {
  beforeEach(async () => {
    // apply evaluates at the real clock, so the registry's ages are relative to it.
    await scenario.emulator.stop();
    scenario.emulator = await startEmulator({ port: 0, state: liveState() });
  });

  it('refuses --now with exit 2 before calling ECR: a future time would defeat minAge', async () => {
    const before = allDigests();
    const out = await run(['apply', '--rules', scenario.rules, '--yes', '--now', '2030-01-01T00:00:00Z']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--now is not accepted by apply');
    expect(out.stderr).toContain('Nothing was deleted');
    expect(scenario.emulator.stats().requests).toEqual({});
    expect(allDigests()).toEqual(before);
  });

  it('--yes deletes exactly the planned set and nothing else', async () => {
    const before = allDigests();
    const planned = expectedDigests();
    const out = await run(['apply', '--rules', scenario.rules, '--yes']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    // Two rows, and the total of three says which one has no row and why.
    expect(out.stdout).toMatch(/Total: 3 repositories \(1 not shown\)\s*│\s*│\s*4\s*│\s*4\s*│\s*0\s*│/);
    expect(out.stdout).toContain('1 repository not shown: 1 unmanaged (not listed).');
    const after = allDigests();
    for (const [repository, digests] of before) {
      expect(after.get(repository), repository).toEqual(digests.filter((d) => !planned.includes(d)));
    }
  });

  it('without --yes and without a terminal refuses with exit 2 and calls nothing', async () => {
    const before = allDigests();
    const out = await run(['apply', '--rules', scenario.rules], {});
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('pass --yes');
    expect(out.stderr).toContain('Nothing was deleted');
    expect(scenario.emulator.stats().requests).toEqual({});
    expect(allDigests()).toEqual(before);
  });

  it('exits 1 and reports the failures when deletions fail', async () => {
    const before = allDigests();
    scenario.emulator.setFaults({ serverErrorProbability: { BatchDeleteImage: 1 } });
    const out = await run(['apply', '--rules', scenario.rules, '--yes', '--format', 'json']);
    expect(out.code).toBe(1);
    const result = JSON.parse(out.stdout) as SweepResult;
    expect(result.totals.deleted).toBe(0);
    expect(result.totals.failed + result.totals.failedRepositories).toBeGreaterThan(0);
    expect(allDigests()).toEqual(before);
  });

  it('exits 3 and deletes nothing when maxDeletionsPerRun leaves no repository within budget', async () => {
    const before = allDigests();
    // Each governed repository plans 2 deletions; a run budget of 1 blocks both.
    const limited = await writeText(scenario.dir, 'limited.yml', rulesYaml('maxDeletionsPerRun: 1\n  maxDeletePercentPerRepository: null'));
    const out = await run(['apply', '--rules', limited, '--yes']);
    expect(out.code).toBe(3);
    expect(out.stdout).toMatch(/maxDeletionsPerRun/);
    expect(scenario.emulator.stats().requests.BatchDeleteImage ?? 0).toBe(0);
    expect(allDigests()).toEqual(before);
  });

  it('exits 3 when a repository is blocked by the per-repository limit, and deletes only elsewhere', async () => {
    const limited = await writeText(scenario.dir, 'percent.yml', rulesYaml('maxDeletionsPerRun: null\n  maxDeletePercentPerRepository: 40'));
    const webBefore = scenario.emulator.images('app/web').map((i) => i.imageDigest).sort();
    const out = await run(['apply', '--rules', limited, '--yes']);
    expect(out.code).toBe(3);
    // app/web would lose 2 of 4 (50% > 40%): blocked. app/api loses 2 of 6 (33%): swept.
    expect(out.stdout).toContain('app/web: ');
    expect(scenario.emulator.images('app/web').map((i) => i.imageDigest).sort()).toEqual(webBefore);
    expect(scenario.emulator.images('app/api')).toHaveLength(4);
  });

  it('--checkpoint FILE: a run that finishes deletes the plan and leaves no checkpoint behind', async () => {
    const checkpoint = join(scenario.dir, 'sweep-checkpoint.json');
    const out = await run(['apply', '--rules', scenario.rules, '--yes', '--checkpoint', checkpoint, '--format', 'json']);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as SweepResult;
    expect(result.totals.deleted).toBe(4);
    expect(result.finishedRepositories).toEqual(expect.arrayContaining(['app/api', 'app/web']));
    expect(existsSync(checkpoint)).toBe(false);
  });

  it('--max-duration with --checkpoint: a run the deadline stops is finished by the next one, with the same end state', async () => {
    const before = allDigests();
    const planned = expectedDigests();
    const checkpoint = join(scenario.dir, 'deadline-checkpoint.json');
    // Slow answers make the 1s budget run out part-way; the assertions hold wherever it stops.
    scenario.emulator.setFaults({ latencyMs: 400 });
    const first = await run(['apply', '--rules', scenario.rules, '--yes', '--checkpoint', checkpoint, '--max-duration', '1s', '--concurrency', '1', '--format', 'json']);
    const firstResult = JSON.parse(first.stdout) as SweepResult;
    if (firstResult.stoppedByDeadline) {
      expect(first.code).toBe(1);
      expect(firstResult.remainingRepositories.length).toBeGreaterThan(0);
      expect(existsSync(checkpoint)).toBe(true);
    } else {
      expect(first.code).toBe(0);
    }
    scenario.emulator.setFaults({ latencyMs: 0 });
    const second = await run(['apply', '--rules', scenario.rules, '--yes', '--checkpoint', checkpoint, '--format', 'json']);
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as SweepResult).stoppedByDeadline).toBe(false);
    expect(existsSync(checkpoint)).toBe(false);
    const after = allDigests();
    for (const [repository, digests] of before) {
      expect(after.get(repository), repository).toEqual(digests.filter((d) => !planned.includes(d)));
    }
  });

  it('--concurrency must be a whole number from 1 to 64', async () => {
    const out = await run(['apply', '--rules', scenario.rules, '--yes', '--concurrency', '0']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--concurrency must be a whole number from 1 to 64');
    expect(scenario.emulator.stats().requests).toEqual({});
  });

  it('--out DIR writes the plan before deleting and the result after', async () => {
    const out = join(scenario.dir, 'reports-apply');
    const res = await run(['apply', '--rules', scenario.rules, '--yes', '--out', out]);
    expect(res.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as Plan;
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as SweepResult;
    expect(plan.summary.delete).toBe(4);
    expect(result.totals.deleted).toBe(4);
    expect(result.totals.bytesFreed).toBe(EXPECTED_BYTES);
    expect(readFileSync(join(out, 'result.csv'), 'utf8').split('\r\n')[0]).toMatch(/^repository,digest,tags/);
    expect(res.stdout).toContain(`Report: ${join(out, 'report.html')}`);
  });
});

describe('ecr-sweeper import-policy --repository', () => {
  it("prints the repository's lifecycle policy as YAML rules", async () => {
    const ecr = new ECRClient({ endpoint: scenario.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'app/api', lifecyclePolicyText: JSON.stringify(NATIVE_POLICY) }));
    ecr.destroy();
    const out = await run(['import-policy', '--repository', 'app/api']);
    expect(out.code).toBe(0);
    const doc = parseYaml(out.stdout) as { policies: { name: string; repositories: { include: string[] }; rules: { id: string }[] }[] };
    expect(doc.policies[0]?.repositories.include).toEqual(['app/api']);
    expect(doc.policies[0]?.rules.map((r) => r.id)).toEqual(['priority-1', 'priority-2']);
    expect(scenario.emulator.stats().requests.GetLifecyclePolicy).toBe(1);
  });

  it('exits 2 with a clear message when the repository has no policy or does not exist', async () => {
    const none = await run(['import-policy', '--repository', 'app/web']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('repository app/web has no lifecycle policy to import');
    const missing = await run(['import-policy', '--repository', 'nope/nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('repository nope/nope does not exist');
  });
});

describe('Slack summary', () => {
  let server: Server;
  let bodies: unknown[];
  let url: string;

  beforeAll(async () => {
    bodies = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/services/T000/B000/secret-token`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('plan sends one summary to the webhook from the environment and never prints its URL', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW], { ECR_SWEEPER_SLACK_WEBHOOK_URL: url });
    expect(out.code).toBe(0);
    expect(bodies).toHaveLength(1);
    expect(JSON.stringify(bodies[0])).toMatch(/nothing was deleted|dry run/i);
    expect(out.stdout + out.stderr).not.toContain('secret-token');
    expect(out.stderr).toContain('Slack summary sent.');
  });

  it('a failing webhook is a warning, not a failure', async () => {
    const out = await run(['plan', '--rules', scenario.rules, '--now', NOW, '--slack-webhook-url', 'http://127.0.0.1:9/services/T/B/secret-token']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('warning: the Slack summary could not be sent');
    expect(out.stdout + out.stderr).not.toContain('secret-token');
  });
});
