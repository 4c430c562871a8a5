import { chromium, type Browser } from 'playwright-core';

/** The machine's Chromium, headless, as ENVIRONMENT.md says to drive it (no downloaded browsers). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.DAIS_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
