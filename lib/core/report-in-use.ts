/**
 * In-use protection as every report shows it (CLI, HTML, CSV, JSON, Slack): the figures, their
 * labels and the sentences, defined once here so no renderer counts or words them on its own.
 * Pure: an `InUseReport` (from the plan or the result) and planned images in, figures and text out.
 */
import type { InUseCounts, InUseSource, InUseUsage } from './in-use.js';
import type { InUseReport, InUseSourceReport, PlannedImage } from './plan-model.js';
import { FIGURE_LABELS, countOf, formatCount } from './report-summary.js';

/** What each in-use figure is called, in every renderer. */
export const IN_USE_LABELS = {
  heading: 'In use',
  inUseKept: FIGURE_LABELS.inUseKept,
  usages: 'Usages found',
  resolved: 'Resolved',
  otherRegistry: 'Other registry',
  unknownRepository: 'Unknown repository',
  unknownTag: 'Unknown tag',
  unknownDigest: 'Unknown digest',
  malformed: 'Malformed',
} as const satisfies Record<'heading' | 'inUseKept' | 'usages' | keyof InUseCounts, string>;

/** The resolution counts in the order the reports list them. */
export const IN_USE_COUNT_KEYS: readonly (keyof InUseCounts)[] = ['resolved', 'otherRegistry', 'unknownRepository', 'unknownTag', 'unknownDigest', 'malformed'];

/** A source's short name, as the summary line uses it (`ECS 8 usages, Lambda 4; Batch off`). */
export const IN_USE_SOURCE_NAMES: Readonly<Record<InUseSource, string>> = {
  ecs: 'ECS',
  lambda: 'Lambda',
  batch: 'Batch',
  apprunner: 'App Runner',
  file: 'in-use files',
};

/**
 * The in-use figures of a run's report, each defined once (see docs/reports.md, *In use*). The
 * images kept in use are `runFigures(result).inUseKept` (or `inUseKeptImages` of a plan's
 * repositories): counted from the images, as every other total.
 */
export interface InUseFigures {
  /** Usages the scanned sources listed: the sum of `sources[].usages`. */
  usages: number;
  /** Sources scanned, turned off and failed, in report order. */
  scanned: InUseSourceReport[];
  off: InUseSourceReport[];
  failed: InUseSourceReport[];
  counts: InUseCounts;
}

/**
 * The run's in-use figures, or null when the run had no in-use sources (library use, old results).
 *
 * @example inUseFigures(result.inUse)?.keptInUse
 */
export function inUseFigures(report: InUseReport | undefined): InUseFigures | null {
  if (report === undefined) return null;
  return {
    usages: report.sources.reduce((sum, s) => sum + (s.status === 'scanned' ? s.usages : 0), 0),
    scanned: report.sources.filter((s) => s.status === 'scanned'),
    off: report.sources.filter((s) => s.status === 'off'),
    failed: report.sources.filter((s) => s.status === 'failed'),
    counts: report.counts,
  };
}

/** True when an in-use source could not be read: the run failed closed and the CLI exits 3. */
export function inUseSourceFailed(report: InUseReport | undefined): boolean {
  return report?.sources.some((s) => s.status === 'failed') ?? false;
}

/**
 * The one-line summary the CLI prints and Slack sends: the images kept in use (`kept`, the
 * shared figure `runFigures(result).inUseKept`), then failed sources, what each scanned source
 * found, and the sources turned off.
 *
 * @example inUseSummary(report, 12) // 'in use: 12 images kept (ECS 8 usages, Lambda 4; Batch off)'
 */
export function inUseSummary(report: InUseReport, kept: number): string {
  return `in use: ${inUseSummaryBody(report, kept)}`;
}

/** The summary without its `in use:` lead, for renderers that set the heading their own way (Slack). */
export function inUseSummaryBody(report: InUseReport, kept: number): string {
  const f = inUseFigures(report)!;
  // A multi-target run has a reader per source and target: each source is named once, its usages summed.
  const failed = [...new Set(f.failed.map(sourceName))].map((name) => `${name} failed`);
  const usagesBySource = new Map<string, number>();
  for (const s of f.scanned) usagesBySource.set(sourceName(s), (usagesBySource.get(sourceName(s)) ?? 0) + s.usages);
  const scanned = [...usagesBySource].map(([name, usages], i) => `${name} ${formatCount(usages)}${i === 0 ? (usages === 1 ? ' usage' : ' usages') : ''}`);
  const off = [...new Set(f.off.map(sourceName))].map((name) => `${name} off`);
  const groups = [failed, scanned, off].map((g) => g.join(', ')).filter(Boolean);
  return `${countOf(kept, 'image')} kept${groups.length > 0 ? ` (${groups.join('; ')})` : ''}`;
}

/** What a failed source means for the run, in the words every renderer uses. */
export function inUseFailureHeadline(failed: number): string {
  return `${countOf(failed, 'in-use source')} could not be read: nothing is deleted in the registry ${failed === 1 ? 'it covers' : 'they cover'} (fail closed)`;
}

/** One failed source for a person: `ECS (all clusters): AccessDeniedException: …`. */
export function inUseFailureLine(source: InUseSourceReport): string {
  const why = source.error ? `${source.error.code}: ${source.error.message}` : 'no reason given';
  return `${source.label}: ${why}`;
}

/** The consumers of an image, each once, in the order of its usages (sorted by the resolver). */
export function consumersOf(image: { usages?: readonly InUseUsage[] }): string[] {
  return [...new Set((image.usages ?? []).map((u) => u.consumer))];
}

/**
 * The consumers as one cell or line: the first `limit`, then "and N more" (CSV passes no limit,
 * so it holds every one). Joined with "; " because a consumer name can hold a comma.
 */
export function consumerList(image: { usages?: readonly InUseUsage[] }, limit = Infinity): string {
  const all = consumersOf(image);
  const shown = all.slice(0, limit).join('; ');
  return all.length > limit ? `${shown}; and ${formatCount(all.length - limit)} more` : shown;
}

/** Images of a repository that a consumer names (those carrying usages). */
export function imagesInUse<T extends Pick<PlannedImage, 'usages'>>(repository: { images: readonly T[] }): T[] {
  return repository.images.filter((i) => (i.usages?.length ?? 0) > 0);
}

/** How many images consumers name, over every repository (the CSV rows with `used_by`, the HTML list, the plan table's column). */
export function countImagesInUse(repositories: readonly { images: readonly Pick<PlannedImage, 'usages'>[] }[]): number {
  return repositories.reduce((n, r) => n + imagesInUse(r).length, 0);
}

/** The short names of the failed sources: `ECS, Lambda`. */
export function failedSourceNames(report: InUseReport | undefined): string {
  return (inUseFigures(report)?.failed ?? []).map(sourceName).join(', ');
}

function sourceName(source: InUseSourceReport): string {
  return IN_USE_SOURCE_NAMES[source.source] ?? source.label;
}
