/**
 * Side-effect module: import it FIRST in a script that loads the AWS SDK. The SDK prints a
 * NodeVersionSupportWarning on every run under Node 20 (its 2027 releases will need Node 22);
 * this project supports Node 20 on purpose, and the notice is noise in benchmark and tool output.
 * Set before any client exists (the SDK checks when a client is constructed); an explicit
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false` in the environment shows it again.
 * bin/ecr-sweeper.js and the demo do the same for the CLI.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
