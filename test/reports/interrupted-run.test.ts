/**
 * A run interrupted by a signal says so in every rendering of its result: the CLI table, the HTML
 * report and the Slack message; a run that was not interrupted says nothing of it.
 */
import { describe, expect, it } from 'vitest';
import { renderResultTable } from '../../lib/cli/format-result-table.js';
import { renderReportHtml } from '../../lib/core/report-html.js';
import { buildSlackMessage } from '../../lib/core/report-slack.js';
import { buildSampleResult } from '../fixtures/sample-result.js';

describe('an interrupted run in the reports', () => {
  const result = { ...buildSampleResult(), interrupted: 'SIGINT', remainingRepositories: ['team/api', 'team/web'] };

  it.each([
    ['CLI table', () => renderResultTable(result), /INTERRUPTED by SIGINT: stopped between batches; 2 repositories left for the next run/],
    ['HTML report', () => renderReportHtml(result), /Interrupted by SIGINT\.<\/strong> The sweep stopped between batches; 2 repositories remain/],
    ['Slack message', () => JSON.stringify(buildSlackMessage(result)), /Interrupted by SIGINT:\* 2 repositories remain for the next run/],
  ])('%s says it was interrupted and what is left', (_name, render, expected) => {
    expect(render()).toMatch(expected);
  });

  it.each([
    ['CLI table', () => renderResultTable(buildSampleResult())],
    ['HTML report', () => renderReportHtml(buildSampleResult())],
    ['Slack message', () => JSON.stringify(buildSlackMessage(buildSampleResult()))],
  ])('%s of a run not interrupted does not mention it', (_name, render) => {
    expect(render()).not.toMatch(/interrupted/i);
  });
});
