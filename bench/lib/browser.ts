/** Headless Chromium for the editor scenario: Debian's /usr/bin/chromium through playwright-core (never downloaded). */
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The same window for every editor measured. */
export const VIEWPORT = { width: 1400, height: 900 };

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Resolves after two animation frames: whatever was mounted before has been laid out and painted. */
export const twoFrames = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
