import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { givePassword } from '../api/support.ts';
import { makeCampaign, workingAgents } from '../engine/fixtures.ts';
import { type ManualTelephony, manualTelephony } from '../engine/simulated-telephony.ts';
import { testUser } from '../support/identity.ts';
import {
  browserAvailable,
  collectPageErrors,
  consoleUnderTest,
  SCREENSHOT_DIR,
  serveOnSimulator,
  signIn,
  stopAll,
  takeScreenshots,
  VIEWPORT,
  WAIT,
} from './browser.ts';

const SPEED = 10;

/** A client's list with its own header names; last digit 5: the simulator's person who answers. */
const LIST = [
  'Mobile,Customer,Account',
  '+12127360105,Ada Lovelace,ACC-1',
  '+12127360115,Charles Babbage,ACC-2',
  '+12127360125,Grace Hopper,ACC-3',
  '+12127360135,Alan Turing,ACC-4',
  'not-a-number,Nobody,ACC-5',
  '',
].join('\n');

/**
 * The campaign manager's screens in headless Chromium, against `dialer serve`'s composition root
 * with the ARI simulator (real ari-client over sockets) on the embedded database.
 */
describe.runIf(browserAvailable('manager-dashboard.browser.test.ts'))(
  'web console: the campaign manager',
  () => {
    const under = consoleUnderTest();
    let page: Page;
    let folder: string;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      folder = mkdtempSync(join(tmpdir(), 'dialer-web-list-'));
      page = await under.browser.newPage({ viewport: VIEWPORT });
      collectPageErrors(page, pageErrors);
    });

    afterAll(() => {
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    it('a manager uploads a CSV, checks the dry run, imports it, starts the campaign, and the dashboard figures move', async () => {
      const { handle } = under;
      const { db } = handle;
      let simulated: ManualTelephony | undefined;
      let serving: Serving | undefined;
      let agents: SimulatedAgents | undefined;
      try {
        simulated = await manualTelephony({ speed: SPEED, simulator: { agents: { answerDelayMs: 300 } } });
        const { clock } = simulated;
        const { campaign, definition } = await makeCampaign(db, { wrapUpSeconds: 5 });
        // A fresh national registry copy on record: the gate refuses every dial without one.
        await db
          .insertInto('national_dnc_syncs')
          .values({ synced_at: clock.now(), source: 't', numbers: 0, replaced: true })
          .execute();
        const user = await testUser(db, 'manager');
        await givePassword(handle, user.name);
        const file = join(folder, 'client-list.csv');
        writeFileSync(file, LIST, { mode: 0o600 });

        serving = await serveOnSimulator(under, simulated, { speed: SPEED });

        await signIn(page, serving.url, user.name, '**/manager');
        await page.getByRole('link', { name: campaign.name }).click();
        await page.getByRole('heading', { name: campaign.name }).waitFor(WAIT);
        await page.getByTestId('dashboard-idle').waitFor(WAIT);

        // The upload: the dry run shows the mapping (the phone column chosen) and the accounting.
        await page.getByLabel('CSV file').setInputFiles(file);
        await page.getByRole('button', { name: 'Check the list (dry run)' }).click();
        await page.getByTestId('dry-run').waitFor(WAIT);
        await page.getByLabel('Phone number').selectOption('Mobile');
        await page.getByLabel('Name', { exact: true }).selectOption('Customer');
        await page.getByRole('button', { name: 'Check again' }).click();
        await expect.poll(() => page.getByTestId('acc-rows').textContent(), WAIT).toBe('5');
        const contactsBefore = await db
          .selectFrom('contacts')
          .select('id')
          .where('campaign_id', '=', campaign.id)
          .execute();
        expect(contactsBefore).toEqual([]);

        // The import, then its result: four contacts, one row rejected, counted by reason.
        await page.getByRole('button', { name: 'Import the list' }).click();
        await page.getByTestId('import-result').waitFor(WAIT);
        expect(await page.getByTestId('import-result').getByTestId('acc-imported').textContent()).toBe('4');
        expect(await page.getByTestId('import-result').textContent()).toMatch(/Rejected: \w+/);
        // The reject report row by row: the file's line 6 (after the header), with its reason.
        const rejectRow = page.getByTestId('reject-rows').locator('tbody tr');
        await expect.poll(() => rejectRow.count(), WAIT).toBe(1);
        expect(await rejectRow.locator('td').first().textContent()).toBe('6');
        expect(await page.content()).not.toContain('7360105');

        // Start: the campaign runs, agents log in, and the live figures move.
        await page.getByRole('button', { name: 'Start' }).click();
        await expect.poll(() => page.getByTestId('campaign-status').textContent(), WAIT).toBe('Running');
        agents = await workingAgents(
          db,
          clock,
          { campaignId: campaign.id, definition },
          2,
          `mgr-${campaign.id}`,
        );
        await page.getByTestId('dashboard').waitFor(WAIT);
        await expect
          .poll(async () => Number(await page.getByTestId('figure-dialed').textContent()), WAIT)
          .toBeGreaterThan(0);
        await expect
          .poll(async () => Number(await page.getByTestId('figure-connected').textContent()), WAIT)
          .toBeGreaterThan(0);
        await expect.poll(() => page.getByTestId('figure-pacing').textContent(), WAIT).not.toBe('—');
        if (takeScreenshots) {
          mkdirSync(SCREENSHOT_DIR, { recursive: true });
          await page.screenshot({ path: join(SCREENSHOT_DIR, 'manager-dashboard.png'), fullPage: true });
        }
        expect(pageErrors).toEqual([]);
      } finally {
        await stopAll({ agents, serving, simulated });
      }
    }, 240_000);
  },
);
