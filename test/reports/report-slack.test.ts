import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, buildSlackMessage, escapeMrkdwn, type SlackBlock, type SlackMessage } from '../../lib/core/report-slack.js';
import type { ResultImage, SweepResult } from '../../lib/core/result-model.js';
import { buildSampleResult, countImages, sampleDigest } from '../fixtures/sample-result.js';

/** Every text of a message, for "contains" and limit checks. */
function texts(message: SlackMessage): string[] {
  const out: string[] = [];
  const visit = (block: SlackBlock) => {
    if (block.type === 'header') out.push(block.text.text);
    if (block.type === 'section') {
      if (block.text) out.push(block.text.text);
      for (const f of block.fields ?? []) out.push(f.text);
    }
    if (block.type === 'context') for (const e of block.elements) out.push(e.text);
  };
  message.blocks.forEach(visit);
  return out;
}

function assertWithinLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      expect(block.text || block.fields).toBeTruthy();
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
  }
}

/** The sample result with `n` failed deletions added to one repository. */
function withFailures(n: number, message = 'Rate exceeded'): SweepResult {
  const result = buildSampleResult();
  const repo = result.repositories[0]!;
  const extra: ResultImage[] = Array.from({ length: n }, (_, i) => ({
    imageDigest: sampleDigest(`fail-${i}`),
    imageTags: [`t${i}`],
    pushedAt: null,
    lastPulledAt: null,
    sizeInBytes: 1,
    role: 'image',
    decision: 'delete',
    rule: 'r',
    reason: 'delete: r',
    outcome: { status: 'failed', code: 'ThrottlingException', message },
  }));
  repo.images = [...repo.images, ...extra];
  repo.counts = countImages(repo.images);
  result.totals.failed += n;
  return result;
}

describe('buildSlackMessage', () => {
  it('summarises an apply run: header, totals, top repositories, failures, report button, context', () => {
    const result = buildSampleResult();
    const message = buildSlackMessage(result, { reportUrl: 'https://bucket.s3.amazonaws.com/report.html?X-Amz-Signature=1' });

    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'section', 'section', 'actions', 'context']);
    expect(texts(message)[0]).toBe('ECR sweep: 25 images deleted, 2 failed deletions, 1 failed repository');
    const fields = (message.blocks[1] as Extract<SlackBlock, { type: 'section' }>).fields!.map((f) => f.text);
    expect(fields).toEqual([
      '*Mode*\napply',
      '*Repositories*\n8 (3 not listed)',
      '*Images seen*\n54',
      '*Deleted*\n25 of 28 planned',
      '*Failed deletions*\n2',
      '*Failed repositories*\n1',
      '*Skipped*\n1',
      '*Bytes freed*\n29.6 GiB',
      '*Duration*\n4.5 s',
    ]);
    // The in-use line right under the totals, in the words of every other renderer.
    expect(texts(message)[10]).toBe(':shield: *In use:* 8 images kept (ECS 6 usages, Lambda 3, Batch 2; App Runner off)');
    const top = texts(message)[11]!;
    expect(top.split('\n')[0]).toBe('*Top repositories by bytes freed*');
    expect(top.split('\n')[1]).toBe('• `ml/trainer-gpu`: 26 GiB, 4 images');
    expect(top.split('\n')).toHaveLength(5);
    const rules = texts(message)[12]!;
    expect(rules.split('\n')[0]).toBe('*Per rule*');
    const failures = texts(message)[13]!;
    expect(failures.split('\n')[0]).toBe('*Failures: 2 failed deletions, 1 failed repository*');
    expect(failures).toContain('`ml/notebooks` (repository) `AccessDeniedException`');
    expect(failures).toContain('`KmsError`');
    expect(message.text).toBe(
      'ECR sweep sweep-20261127-0600: 25 images deleted (29.6 GiB freed) across 8 repositories; 2 failed deletions, 1 failed repository, 1 skipped. In use: 8 images kept (ECS 6 usages, Lambda 3, Batch 2; App Runner off). Report: https://bucket.s3.amazonaws.com/report.html?X-Amz-Signature=1'.replace(/&/g, '&amp;'),
    );
    assertWithinLimits(message);
  });

  it('says plainly in a dry run that nothing was deleted, in the header, the body and the fallback', () => {
    const message = buildSlackMessage(buildSampleResult({ mode: 'dry-run' }));
    const all = texts(message);
    expect(all[0]).toBe('ECR sweep: DRY RUN, nothing was deleted');
    expect(all[1]).toMatch(/^:warning: \*DRY RUN: nothing was deleted\.\* An apply run with these rules would delete \*28 images\*/);
    expect(all).toContain('*Would delete*\n28');
    expect(all).toContain('*Would free*\n30.5 GiB');
    expect(all.filter((t) => /skipped|\*Deleted\*/i.test(t))).toEqual([]);
    expect(all.find((t) => t.startsWith('*Top repositories'))).toMatch(/^\*Top repositories by bytes that would be freed\*/);
    expect(message.text).toMatch(/DRY RUN, nothing was deleted\. 28 images \(.+\) would be deleted/);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  // The sample already has 3 failures: one repository and two deletions.
  it.each([
    [0, 3, null],
    [2, 5, null],
    [3, 5, '…and 1 more in the report.'],
    [400, 5, '…and 398 more in the report.'],
  ])('with %d extra failed deletions lists %d and counts the rest', (n, listed, tail) => {
    const result = withFailures(n);
    const failures = texts(buildSlackMessage(result)).find((t) => t.startsWith('*Failures'))!;
    expect(failures.split('\n')[0]).toBe(`*Failures: ${n + 2} failed deletions, 1 failed repository*`);
    const lines = failures.split('\n').slice(1);
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(listed);
    expect(lines.at(-1)?.startsWith('…') ? lines.at(-1) : null).toBe(tail);
  });

  it('stays within Block Kit limits with huge messages, and never cuts a line in half', () => {
    const result = withFailures(50, 'x'.repeat(5000));
    result.repositories[0]!.repositoryName = `${'very-long-name/'.repeat(20)}repo`;
    const message = buildSlackMessage(result, { maxFailures: 50, topRepositories: 40 });
    assertWithinLimits(message);
    const failures = texts(message).find((t) => t.startsWith('*Failures'))!;
    for (const line of failures.split('\n').slice(1, -1)) expect(line.split('`').length % 2).toBe(1);
    expect(failures.split('\n').at(-1)).toMatch(/^…and \d+ more in the report\.$/);
  });

  it('escapes user data so it cannot mention the channel or forge a link', () => {
    const result = buildSampleResult();
    result.repositories[3]!.images[0]!.outcome = { status: 'failed', code: 'X`Y', message: '<!channel> see <https://evil.example|the fix> & more' };
    result.abortedReason = 'limit <!here>';
    const message = buildSlackMessage(result);
    const all = texts(message).join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<https://evil.example');
    expect(all).toContain('&lt;!channel&gt; see &lt;https://evil.example|the fix&gt; &amp; more');
    expect(all).toContain("`X'Y`");
  });

  it('shows a location instead of a button when the link is too long or not http(s)', () => {
    const long = `https://example.com/${'a'.repeat(SLACK_LIMITS.buttonUrl)}`;
    const message = buildSlackMessage(buildSampleResult(), { reportUrl: long, reportLocation: 's3://b/p/2026-11-27/run/report.html' });
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(texts(message)).toContain('Report: `s3://b/p/2026-11-27/run/report.html`');
  });

  it('summarises a run that found no repository without empty sections', () => {
    const result = buildSampleResult({ inUse: 'none' });
    result.repositories = [];
    result.totals = { images: 0, planned: 0, deleted: 0, failed: 0, skipped: 0, wouldDelete: 0, kept: 0, archived: 0, bytesFreed: 0, repositories: 0, failedRepositories: 0 };
    const message = buildSlackMessage(result);
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(texts(message)[0]).toBe('ECR sweep: 0 images deleted');
    expect(message.text).toContain('across 0 repositories; no failures, 0 skipped.');
    assertWithinLimits(message);
  });

  it('has a line for the warnings, listing the first few', () => {
    const result = buildSampleResult();
    expect(texts(buildSlackMessage(result)).some((t) => t.includes('warning'))).toBe(false);
    result.warnings = Array.from({ length: 5 }, (_, i) => ({ code: 'c', message: `warning <${i}>`, ...(i === 0 ? { repositoryName: 'web/frontend' } : {}) }));
    const message = buildSlackMessage(result);
    const block = texts(message).find((t) => t.startsWith(':information_source:'));
    expect(block).toBe(':information_source: *5 warnings:*\n• `web/frontend` warning &lt;0&gt;\n• warning &lt;1&gt;\n• warning &lt;2&gt;\n…and 2 more in the report.');
    expect(message.text).toContain(' 5 warnings.');
  });

  it('reports an aborted sweep and a deadline stop', () => {
    const result = buildSampleResult();
    result.abortedReason = 'maxDeletionsPerRun 20 exceeded';
    result.stoppedByDeadline = true;
    result.remainingRepositories = ['a', 'b'];
    const all = texts(buildSlackMessage(result));
    expect(all).toContain(':octagonal_sign: *Sweep aborted:* maxDeletionsPerRun 20 exceeded');
    expect(all).toContain(':hourglass: *Stopped by the deadline:* 2 repositories remain for the next run.');
  });

  it.each([
    ['a & b', 'a &amp; b'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['plain', 'plain'],
  ])('escapeMrkdwn(%j) = %j', (input, output) => {
    expect(escapeMrkdwn(input)).toBe(output);
  });
});
