import { EcrSweeperError } from '../../../lib/errors.js';

/** A server the interop suite needs (moto, the emulator) could not be started or never answered. */
export class InteropServerError extends EcrSweeperError {}

/** The AWS CLI could not be run at all (missing binary, killed), as opposed to an API error it reported. */
export class AwsCliError extends EcrSweeperError {}

/** The interop scenario or its fixtures are inconsistent (a bug in the test code, not in a server). */
export class InteropScenarioError extends EcrSweeperError {}
