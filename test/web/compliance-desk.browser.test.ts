import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initKey } from '../../engine/services/evidence-key.ts';
import type { SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { givePassword } from '../api/support.ts';
import { addContacts, runningCampaign, workingAgents } from '../engine/fixtures.ts';
import { type ManualTelephony, manualTelephony } from '../engine/simulated-telephony.ts';
import { testUser } from '../support/identity.ts';
import {
  browserAvailable,
  consoleUnderTest,
  expectRefused,
  serveOnSimulator,
  signedInPage,
  statusInPage,
  stopAll,
  WAIT,
} from './browser.ts';

const SPEED = 10;

/**
 * The compliance desk in headless Chromium, against `dialer serve`'s composition root with the
 * ARI simulator on the embedded database: a real call is in the dial log first.
 */
describe.runIf(browserAvailable('compliance-desk.browser.test.ts'))(
  'web console: the compliance desk',
  () => {
    const under = consoleUnderTest();
    const keyDir = mkdtempSync(join(tmpdir(), 'dialer-desk-key-'));
    const keyFile = join(keyDir, 'checkpoint.pem');
    initKey(keyFile);

    afterAll(() => {
      rmSync(keyDir, { recursive: true, force: true });
    });

    it('a compliance officer finds a call by its last digits, verifies the log and makes a checkpoint; an agent is refused the export page', async () => {
      const { handle, browser } = under;
      const { db } = handle;
      let simulated: ManualTelephony | undefined;
      let serving: Serving | undefined;
      let agents: SimulatedAgents | undefined;
      const pageErrors: string[] = [];
      try {
        simulated = await manualTelephony({ speed: SPEED, simulator: { agents: { answerDelayMs: 300 } } });
        const { clock } = simulated;
        const { campaign, definition } = await runningCampaign(db, clock.now(), { wrapUpSeconds: 5 });
        const [contactId] = await addContacts(db, campaign.id, 1, {
          lastDigit: () => 5,
          nextAttemptAt: new Date(clock.now().getTime() - 60_000),
        });
        const { phone_e164: phone } = await db
          .selectFrom('contacts')
          .select('phone_e164')
          .where('id', '=', contactId!)
          .executeTakeFirstOrThrow();
        serving = await serveOnSimulator(under, simulated, {
          speed: SPEED,
          env: { DIALER_EVIDENCE_KEY_FILE: keyFile },
        });
        agents = await workingAgents(
          db,
          clock,
          { campaignId: campaign.id, definition },
          1,
          `cmp-${campaign.id}`,
        );
        // The call is over and chained in the dial log.
        await expect
          .poll(
            async () =>
              (
                await db
                  .selectFrom('call_attempts')
                  .select('chain_seq')
                  .where('contact_id', '=', contactId!)
                  .where('chain_seq', 'is not', null)
                  .execute()
              ).length,
            WAIT,
          )
          .toBeGreaterThan(0);
        const officer = await testUser(db, 'compliance_officer');
        const agentUser = await testUser(db, 'agent');
        await givePassword(handle, officer.name);
        await givePassword(handle, agentUser.name);

        const { page, context } = await signedInPage(
          browser,
          serving.url,
          officer.name,
          '**/compliance/log',
          pageErrors,
        );

        // Find the call: the campaign and the number's last two digits, from the keyboard; the
        // server does the matching (the page never holds rows it does not show).
        await page.getByLabel('Campaign').selectOption(String(campaign.id));
        await page.getByLabel('Number ends with').fill(phone.slice(-2));
        const searched = page.waitForRequest((r) => r.url().includes('/api/log?'));
        await page.getByLabel('Number ends with').press('Enter');
        const sent = new URL((await searched).url()).searchParams;
        expect([sent.get('campaign'), sent.get('suffix')]).toEqual([String(campaign.id), phone.slice(-2)]);
        const rows = page.getByTestId('log-rows').locator('tbody tr');
        await expect.poll(() => rows.count(), WAIT).toBeGreaterThan(0);
        const shown = (await rows.first().locator('td.number').textContent()) ?? '';
        expect(shown.slice(-2)).toBe(phone.slice(-2));
        expect(shown).not.toContain(phone.slice(-6));
        expect(await page.content()).not.toContain(phone.slice(2));

        // Verify: the chains hold.
        await page.getByRole('button', { name: 'Verify the log' }).click();
        await expect.poll(() => page.getByTestId('verify').getAttribute('data-ok'), WAIT).toBe('true');
        expect(await page.getByTestId('verify').textContent()).toMatch(/rows checked/);
        // A checkpoint: the chains' heads signed, offered as a file to keep.
        await page.getByRole('button', { name: 'Make a checkpoint' }).click();
        await page.getByTestId('checkpoint-made').waitFor(WAIT);
        expect(await page.getByTestId('checkpoint-made').textContent()).toMatch(
          /Signed checkpoint of \d+ chain/,
        );
        expect(
          await page.getByRole('link', { name: 'Save the checkpoint file' }).getAttribute('download'),
        ).toMatch(/^checkpoint-.*\.json$/);

        // The desk's other records are one tab away.
        await page.getByRole('link', { name: 'Do-not-call lists' }).click();
        await page.waitForURL('**/compliance/dnc', WAIT);
        await page.getByTestId('dnc-entries').waitFor(WAIT);
        await context.close();

        // An agent opening the export page is refused by the console, and the API refuses the export itself.
        const agent = await signedInPage(browser, serving.url, agentUser.name, '**/agent', pageErrors);
        const agentPage = agent.page;
        await expectRefused(agentPage, serving.url, '/exports');
        expect(await agentPage.getByRole('link', { name: 'Download the export' }).count()).toBe(0);
        expect(
          await statusInPage(
            agentPage,
            `/api/log/export?campaign=${campaign.id}&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`,
          ),
        ).toBe(403);
        await agent.context.close();
        expect(pageErrors).toEqual([]);
      } finally {
        await stopAll({ agents, serving, simulated });
      }
    }, 240_000);
  },
);
