/**
 * One scan of every in-use source the rules enable, all readers at once. A source is `scanned`,
 * `off` (the rules turned it off, or it is one of the sources off by default and not configured)
 * or `failed`: its reader threw, or no reader was wired for an enabled source. A failure is data
 * here, never a throw: the sweep fails closed on it (nothing is deleted in the registry).
 */
import type { InUseSource, InUseUsage } from '../core/in-use.js';
import type { InUseSourceReport } from '../core/plan-model.js';
import type { InUseSettings } from '../core/rules-model.js';
import { errorCode } from '../errors.js';
import { InUseSourceError } from './errors.js';
import type { InUseSourceReader } from './types.js';

/** What one scan of every source found. */
export interface InUseScanOutcome {
  /** Clock time (epoch ms) the scan started: what it saw is at least this fresh. */
  startedAt: number;
  /** Every usage of the sources that were read (a failed source adds none). */
  usages: InUseUsage[];
  /** One entry per reader, plus one per source that is off or has no reader, in source order. */
  sources: InUseSourceReport[];
}

/** The sources in the order reports list them. */
export const IN_USE_SOURCES: readonly InUseSource[] = ['ecs', 'lambda', 'batch', 'apprunner', 'file'];

/** How a source is named when no reader gives its label. */
const SOURCE_NAMES: Record<InUseSource, string> = { ecs: 'ECS', lambda: 'Lambda', batch: 'Batch', apprunner: 'App Runner', file: 'in-use files' };

/** Whether the rules scan `source`: ECS and Lambda unless set `false`, the others when configured. */
export function sourceEnabled(settings: InUseSettings, source: InUseSource): boolean {
  switch (source) {
    case 'ecs':
      return settings.ecs !== false;
    case 'lambda':
      return settings.lambda !== false;
    case 'batch':
      return settings.batch;
    case 'apprunner':
      return settings.apprunner;
    case 'file':
      return settings.files !== null;
  }
}

/**
 * Scans every reader of an enabled source concurrently. `now` is the clock (in-use files are
 * judged against it, not against a past evaluation time). Never throws.
 *
 * @example
 * const outcome = await scanInUseSources(deps.inUse.readers, inUseSettingsOf(ruleSet), { now: Date.now() });
 * outcome.sources.filter((s) => s.status === 'failed') // fail closed on these
 */
export async function scanInUseSources(
  readers: readonly InUseSourceReader[],
  settings: InUseSettings,
  options: { now: number; signal?: AbortSignal },
): Promise<InUseScanOutcome> {
  const perSource = IN_USE_SOURCES.map(async (source): Promise<{ reports: InUseSourceReport[]; usages: InUseUsage[] }> => {
    const mine = readers.filter((r) => r.source === source);
    if (!sourceEnabled(settings, source)) {
      const label = mine.length === 1 ? mine[0]!.label : SOURCE_NAMES[source];
      return { reports: [{ source, label, status: 'off', usages: 0, calls: {} }], usages: [] };
    }
    if (mine.length === 0) {
      const label = SOURCE_NAMES[source];
      const error = { code: 'NoReaderWired', message: `no reader was wired for ${label}, which the rules enable: it could not be scanned` };
      return { reports: [{ source, label, status: 'failed', usages: 0, calls: {}, error }], usages: [] };
    }
    const scanned = await Promise.all(mine.map((reader) => scanOne(reader, options)));
    return { reports: scanned.map((s) => s.report), usages: scanned.flatMap((s) => s.usages) };
  });
  const done = await Promise.all(perSource);
  return { startedAt: options.now, usages: done.flatMap((d) => d.usages), sources: done.flatMap((d) => d.reports) };
}

async function scanOne(reader: InUseSourceReader, options: { now: number; signal?: AbortSignal }): Promise<{ report: InUseSourceReport; usages: InUseUsage[] }> {
  const base = { source: reader.source, label: reader.label };
  try {
    const scan = await reader.scan(options);
    // A reader that answers something else than usages has not read its source: fail closed.
    if (!Array.isArray(scan?.usages)) throw new InUseSourceError(reader.source, 'InvalidScanResult', `the ${reader.label} reader returned no list of usages`);
    const usages = scan.usages;
    const report: InUseSourceReport = { ...base, status: 'scanned', usages: usages.length, calls: { ...scan.calls } };
    if (scan.notes && scan.notes.length > 0) report.notes = [...scan.notes];
    // A usage claiming another source would be reported under the wrong name: this reader's it is.
    return { report, usages: usages.map((u) => (u.source === reader.source ? u : { ...u, source: reader.source })) };
  } catch (error) {
    return { report: { ...base, status: 'failed', usages: 0, calls: {}, error: sourceErrorOf(reader.source, error) }, usages: [] };
  }
}

/** The code and message of a reader's failure; an InUseSourceError's message without its own prefix. */
function sourceErrorOf(source: string, error: unknown): { code: string; message: string } {
  if (error instanceof InUseSourceError) {
    const prefix = `${error.source}: ${error.location !== undefined ? `${error.location}: ` : ''}${error.code}: `;
    const bare = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { code: error.code, message: error.location !== undefined ? `${bare} (${error.location})` : bare };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: errorCode(error), message: message === '' ? `${source} scan failed` : message };
}

/**
 * Why a failed source stops deletion, for statuses and reasons:
 * `in-use source ECS (all clusters) could not be read (AccessDeniedException: ... (cluster prod))`.
 */
export function describeSourceFailure(report: InUseSourceReport): string {
  const error = report.error ?? { code: 'UnknownError', message: 'no detail' };
  return `in-use source ${report.label} could not be read (${error.code}: ${error.message})`;
}
