/**
 * The one place the CLI imports other modules' entry points from, so the commands read as a
 * list of steps and a moved function is fixed here only.
 */
export { loadRulesFile } from '../adapters/rules-file.js';
export { parseLifecyclePolicy, exportLifecyclePolicy, renderLifecyclePolicyYaml } from '../core/lifecycle-policy.js';
export { runSweep } from '../engine/sweep.js';
export { createEcrClient, type EcrClientSettings } from '../engine/ecr-client.js';
export { FileCheckpointStore } from '../adapters/checkpoint-file.js';
export { LocalReportStore } from '../adapters/report-store-local.js';
export { SlackNotifier } from '../adapters/slack-notifier.js';
