/**
 * The defaults of in-use protection, in one place for the parser, the engine and the docs.
 * ECS and Lambda are on unless the rules turn them off: the first question about any cleanup is
 * "will it delete what is running?", and those two are in every account.
 */
import type { InUseSettings, RuleSet } from './rules-model.js';

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
