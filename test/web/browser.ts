import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';

/** Debian's chromium package (`.ci/run` installs it). */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Whether the browser tests run here: always in CI (a missing chromium then fails them), and
 * elsewhere only when chromium is installed; skipping says so loudly.
 */
export function browserAvailable(file: string): boolean {
  if (existsSync(CHROMIUM) || process.env.CI) return true;
  console.warn(
    `\n!!! ${file}: SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium). ` +
      'In CI this test fails instead.\n',
  );
  return false;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: .ci/run installs the chromium package`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The console built from the current web/ sources into a temporary folder (never a stale web/dist). */
export async function buildConsole(): Promise<{ root: string; remove(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'dialer-web-'));
  await build({
    configFile: resolve(import.meta.dirname, '../../web/vite.config.ts'),
    build: { outDir: root, emptyOutDir: true, rolldownOptions: { checks: { pluginTimings: false } } },
    logLevel: 'warn',
  });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Where the README's screenshots live; a test rewrites its screenshot when SCREENSHOTS=1. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../docs/screenshots');
export const takeScreenshots = process.env.SCREENSHOTS === '1';
