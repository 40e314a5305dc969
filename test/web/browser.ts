import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import type { RecordingStorage } from '../../engine/runner/call-recorder.ts';
import type { SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { serveForTest, TEST_PASSWORD } from '../api/support.ts';
import type { ManualTelephony } from '../engine/simulated-telephony.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

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

/** The screen size the console is made readable at (web/README.md). */
export const VIEWPORT = { width: 1366, height: 768 };

/** How long a step in the page may take on a loaded machine. */
export const WAIT = { timeout: 90_000 };

export interface ConsoleUnderTest {
  /** The embedded database the served console runs on. */
  handle: TestDatabase;
  bundle: Awaited<ReturnType<typeof buildConsole>>;
  browser: Browser;
}

/**
 * For a describe block: a fresh embedded database, the console built from the current sources and
 * a headless chromium, made once before its tests (in parallel: each takes seconds) and closed
 * after them. The fields are filled in by the time a test runs.
 */
export function consoleUnderTest(): ConsoleUnderTest {
  const under = {} as ConsoleUnderTest;
  beforeAll(async () => {
    [under.handle, under.bundle, under.browser] = await Promise.all([
      createTestDatabase('pglite'),
      buildConsole(),
      launchChromium(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await under.browser?.close();
    await under.handle?.close();
    under.bundle?.remove();
  });
  return under;
}

/**
 * Collects into `errors` what the page throws and logs as an error. Chromium also logs every 4xx
 * answer ("Failed to load resource": the 401 before sign-in, a 422, a refusal the test asks for):
 * those are answers, not page errors.
 */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
}

/** Signs `name` in with the test password from the keyboard and mouse, and waits for `home` (a URL glob). */
export async function signIn(page: Page, url: string, name: string, home: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(home, WAIT);
}

/**
 * A page in a fresh browser context (no cookie of another user) with `name` signed in and at `home`;
 * what the page throws goes to `errors`. Close the context when done.
 */
export async function signedInPage(
  browser: Browser,
  url: string,
  name: string,
  home: string,
  errors: string[],
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  collectPageErrors(page, errors);
  await signIn(page, url, name, home);
  return { page, context };
}

/** The console's refusal of a screen the role does not open (the shell's alert). */
export const REFUSED = 'Your role does not open this page.';

/** Opens `path` and waits for the console's refusal of it. */
export async function expectRefused(page: Page, url: string, path: string): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByRole('alert').filter({ hasText: REFUSED }).waitFor(WAIT);
}

/** The status of a GET the page itself sends with its session cookie (the refusal the API answers). */
export function statusInPage(page: Page, path: string): Promise<number> {
  return page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).status, path);
}

/**
 * `dialer serve`'s composition root on the console's database with the engine on `simulated`
 * (driven in lockstep at up to `speed`× engine time) and this run's console bundle.
 */
export function serveOnSimulator(
  under: ConsoleUnderTest,
  simulated: ManualTelephony,
  options: { speed: number; env?: NodeJS.ProcessEnv; recordings?: RecordingStorage },
): Promise<Serving> {
  simulated.run({ maxSpeed: options.speed });
  return serveForTest(under.handle, {
    telephony: simulated.telephony,
    clock: simulated.clock,
    engine: { tickMs: 50 },
    web: { root: under.bundle.root },
    ...(options.env ? { env: options.env } : {}),
    ...(options.recordings ? { recordings: options.recordings } : {}),
  });
}

/** Stops what a test started, the last started first: the simulated agents, the server, the simulator. */
export async function stopAll(started: {
  agents?: SimulatedAgents | undefined;
  serving?: Serving | undefined;
  simulated?: ManualTelephony | undefined;
}): Promise<void> {
  started.agents?.stop();
  await started.serving?.stop();
  await started.simulated?.stop();
}
