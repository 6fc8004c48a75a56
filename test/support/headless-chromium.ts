/**
 * A headless Chromium for browser tests, taken from npm (`@sparticuz/chromium`, a Chromium built
 * to run anywhere, unpacked to the temp dir on first use) so that `npm ci && npm test` needs no
 * system package.
 */
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the npm-shipped Chromium headless, with no sandbox and no background networking. */
export async function launchHeadlessChromium(): Promise<Browser> {
  const executablePath = await sparticuz.executablePath();
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
