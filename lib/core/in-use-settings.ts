/**
 * The defaults of in-use protection, in one place for the parser, the engine and the docs.
 * ECS and Lambda are on unless the rules turn them off: the first question about any cleanup is
 * "will it delete what is running?", and those two are in every account.
 */
import type { EcsInUseSettings, InUseSettings, RuleSet } from './rules-model.js';
import { compileRepositoryGlob } from './repository-glob.js';
import { formatDuration } from './duration.js';

/** Newest task definition revisions per family kept as rollback targets (ecrm's default too). */
export const DEFAULT_TASK_DEFINITION_REVISIONS = 5;
/** Newest published Lambda versions kept besides `$LATEST` and aliased versions. */
export const DEFAULT_LAMBDA_VERSIONS = 5;
/** In-use files older than this fail the run closed. */
export const DEFAULT_IN_USE_FILE_MAX_AGE_MS = 24 * 3_600_000;
/** The in-use set is scanned again before deleting when older than this (docs/engine.md, In-use protection). */
export const DEFAULT_IN_USE_RESCAN_AFTER_MS = 5 * 60_000;

/** The settings of a rule set with no `inUse:` block. */
export const DEFAULT_IN_USE_SETTINGS: InUseSettings = Object.freeze({
  ecs: Object.freeze({ clusters: null, taskDefinitionRevisions: DEFAULT_TASK_DEFINITION_REVISIONS }),
  lambda: Object.freeze({ versions: DEFAULT_LAMBDA_VERSIONS }),
  batch: false,
  apprunner: false,
  files: null,
  rescanAfterMs: DEFAULT_IN_USE_RESCAN_AFTER_MS,
});

/**
 * The in-use settings a rule set runs with: its own `inUse:` block, or the defaults.
 *
 * @example
 * inUseSettingsOf(ruleSet).ecs === false // ECS turned off explicitly
 */
export function inUseSettingsOf(ruleSet: Pick<RuleSet, 'inUse'>): InUseSettings {
  return ruleSet.inUse ?? DEFAULT_IN_USE_SETTINGS;
}

/**
 * The sources a run scans, as users read them: `ECS`, `Lambda`, `Batch`, `App Runner`, `in-use files`.
 *
 * @example inUseSourcesOn(DEFAULT_IN_USE_SETTINGS) // ['ECS', 'Lambda']
 */
export function inUseSourcesOn(settings: InUseSettings): string[] {
  return [
    settings.ecs !== false ? 'ECS' : '',
    settings.lambda !== false ? 'Lambda' : '',
    settings.batch ? 'Batch' : '',
    settings.apprunner ? 'App Runner' : '',
    settings.files !== null ? 'in-use files' : '',
  ].filter(Boolean);
}

/**
 * One line saying what a run scans and how, for `validate`: each source on with its settings,
 * the sources off, and the rescan bound.
 *
 * @example
 * describeInUseSettings(DEFAULT_IN_USE_SETTINGS)
 * // 'ECS (every cluster; newest 5 task definition revisions per family), Lambda (newest 5 versions per function); off: Batch, App Runner, in-use files; rescan before deleting when older than 5m'
 */
export function describeInUseSettings(settings: InUseSettings): string {
  const { ecs, lambda, files } = settings;
  const on = [
    ecs !== false
      ? `ECS (${ecs.clusters === null ? 'every cluster' : `clusters ${ecs.clusters.join(', ')}`}; newest ${ecs.taskDefinitionRevisions} task definition revision${ecs.taskDefinitionRevisions === 1 ? '' : 's'} per family)`
      : '',
    lambda !== false ? `Lambda (newest ${lambda.versions} version${lambda.versions === 1 ? '' : 's'} per function)` : '',
    settings.batch ? 'Batch' : '',
    settings.apprunner ? 'App Runner' : '',
    files !== null
      ? `in-use files (${files.locations.length ? files.locations.join(', ') : "the deployment's in-use prefix"}; max age ${formatDuration(files.maxAgeMs)}${files.expect.length ? `; expect ${files.expect.join(', ')}` : ''})`
      : '',
  ].filter(Boolean);
  const scanned = new Set(inUseSourcesOn(settings));
  const off = ['ECS', 'Lambda', 'Batch', 'App Runner', 'in-use files'].filter((s) => !scanned.has(s));
  return [
    on.length ? on.join(', ') : 'no source (nothing is protected as in use)',
    off.length ? `off: ${off.join(', ')}` : '',
    on.length ? `rescan before deleting when older than ${formatDuration(settings.rescanAfterMs)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * Whether the ECS scan covers a cluster: every cluster when `clusters` is null, else those whose
 * name matches one of the globs (`*` any run of characters, `?` one; the rules loader allows
 * nothing else). Matched by RE2, linear in the name, like repository globs.
 *
 * @example clusterSelected({ clusters: ['prod-*'], taskDefinitionRevisions: 5 }, 'prod-eu') // true
 */
export function clusterSelected(ecs: EcsInUseSettings, clusterName: string): boolean {
  return ecs.clusters === null || ecs.clusters.some((glob) => compileRepositoryGlob(glob)(clusterName));
}
