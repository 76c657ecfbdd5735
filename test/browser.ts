import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

// Launches the system Chromium for browser tests (playwright-core brings no browser of its own).

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const CHROMIUM_MISSING =
  `Chromium was not found at ${CHROMIUM_PATH}. Install it with ` +
  '`apt-get update && apt-get install -y chromium` (Debian/Ubuntu; macOS: `brew install --cask chromium`), ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome binary. To skip browser tests instead, set CAPIG_SKIP_BROWSER_TESTS=1.';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * A reason to skip browser tests, or false. On a developer machine without Chromium they are
 * skipped with the install hint (so `npm test` works on a fresh machine); in CI (CI=true) a
 * missing Chromium fails them, since .ci/run installs it. CAPIG_SKIP_BROWSER_TESTS=1 skips anyway.
 */
export function browserTestsSkipped(): string | false {
  if (chromiumAvailable()) return false;
  if (process.env.CAPIG_SKIP_BROWSER_TESTS === '1') return `CAPIG_SKIP_BROWSER_TESTS=1; ${CHROMIUM_MISSING}`;
  if (process.env.CI === 'true' || process.env.CI === '1') return false;
  return CHROMIUM_MISSING;
}

export async function launchChromium(opts: { args?: string[] } = {}): Promise<Browser> {
  if (!chromiumAvailable()) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...ARGS, ...(opts.args ?? [])] });
}
