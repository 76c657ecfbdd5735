import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

// Helpers for the dashboard's end-to-end tests: every page is watched for console errors, page
// errors and failed requests (the test fails on any), and screenshots go to test-artifacts/.

export const SCREENSHOT_DIR = process.env.CAPIG_SCREENSHOT_DIR ?? join('test-artifacts', 'screenshots');

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Everything that went wrong in the browser so far, in words. */
  problems: string[];
  /** Fails the test if anything went wrong since the last call. */
  assertClean(where: string): void;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  opts: { width?: number; height?: number; label: string },
): Promise<WatchedPage> {
  const width = opts.width ?? 1280;
  const context = await browser.newContext({ viewport: { width, height: opts.height ?? 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation away cancels what the old page was still loading: that is not a failure.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    context,
    problems,
    assertClean(where) {
      const found = problems.splice(0);
      if (found.length > 0) throw new Error(`${where}: the browser reported problems:\n${found.join('\n')}`);
    },
    async shot(name) {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${opts.label}-${name}-${width}.png`), fullPage: true });
    },
    close: () => context.close(),
  };
}
