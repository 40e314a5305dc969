import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { givePassword, serveForTest, TEST_PASSWORD } from '../api/support.ts';
import { addContacts, runningCampaign } from '../engine/fixtures.ts';
import { type ManualTelephony, manualTelephony } from '../engine/simulated-telephony.ts';
import { testUser } from '../support/identity.ts';
import {
  browserAvailable,
  collectPageErrors,
  consoleUnderTest,
  expectRefused,
  SCREENSHOT_DIR,
  serveOnSimulator,
  signIn,
  stopAll,
  takeScreenshots,
  VIEWPORT,
  WAIT,
} from './browser.ts';

const SPEED = 10;
const SCRIPT = 'Hello, this is Acme Bank about your account. May I speak with Ada Lovelace?';
/** A long wrap-up in engine seconds: a loaded machine must not time the agent out while the page is filled in. */
const WRAP_UP_SECONDS = 900;

/** Run in the page: notes (window.popAt, the machine's clock) the moment the masked number first shows. */
const WATCH_FOR_POP = `(() => {
  const seen = () => {
    if (window.popAt === undefined && document.querySelector('[data-testid=masked-number]')) window.popAt = Date.now();
  };
  new MutationObserver(seen).observe(document.body, { childList: true, subtree: true });
  seen();
})()`;

/**
 * The agent desktop in headless Chromium, against `dialer serve`'s composition root with the
 * ARI simulator (real ari-client over sockets) on the embedded database, the console built
 * from web/ for this run.
 */
describe.runIf(browserAvailable('agent-desktop.browser.test.ts'))('web console: the agent desktop', () => {
  const under = consoleUnderTest();
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    page = await under.browser.newPage({ viewport: VIEWPORT });
    collectPageErrors(page, pageErrors);
  });

  it('an agent signs in, goes ready, gets the masked screen pop, tags a promise to pay, and it is in the dial log', async () => {
    const { handle } = under;
    const { db } = handle;
    let simulated: ManualTelephony | undefined;
    let serving: Serving | undefined;
    try {
      simulated = await manualTelephony({ speed: SPEED, simulator: { agents: { answerDelayMs: 300 } } });
      const { clock, telephony } = simulated;
      const { campaign } = await runningCampaign(db, clock.now(), {
        script: SCRIPT,
        wrapUpSeconds: WRAP_UP_SECONDS,
      });
      // Last digit 5: a person who answers and talks.
      const [contactId] = await addContacts(db, campaign.id, 1, {
        lastDigit: () => 5,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      await db
        .updateTable('contacts')
        .set({
          fields: JSON.stringify({ name: 'Ada Lovelace', account: 'ACC-1042', balance: '350.00' }) as never,
        })
        .where('id', '=', contactId!)
        .execute();
      const contact = await db
        .selectFrom('contacts')
        .select(['phone_e164', 'fields'])
        .where('id', '=', contactId!)
        .executeTakeFirstOrThrow();
      const [code] = await ensureSimulatedAgents(db, 1, `web-${campaign.id}`);
      const user = await testUser(db, 'agent');
      await givePassword(handle, user.name);
      const { id: userId } = await db
        .selectFrom('users')
        .select('id')
        .where('name', '=', user.name)
        .executeTakeFirstOrThrow();
      await db.updateTable('agents').set({ user_id: userId }).where('code', '=', code!).execute();

      // Real time at which the engine's adapter hears the simulator answer each call.
      const answeredAt = new Map<string, number>();
      telephony.onEvent((event) => {
        if (event.type === 'answered') answeredAt.set(event.attemptId, Date.now());
      });
      serving = await serveOnSimulator(under, simulated, { speed: SPEED });

      // Sign in: the agent lands on their desktop.
      await signIn(page, serving.url, user.name, '**/agent');
      const state = page.getByTestId('agent-state');
      await expect.poll(() => state.getAttribute('data-state'), WAIT).toBe('offline');

      // Pick the campaign and log in: the engine calls the seat's phone, then the agent is ready.
      await page.getByLabel('Campaign').selectOption(String(campaign.id));
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('[data-testid=agent-state][data-state=ready]').waitFor(WAIT);
      await page.evaluate(WATCH_FOR_POP);

      // The call: the screen pops with the masked number, the list's fields and the script.
      const number = page.getByTestId('masked-number');
      await number.waitFor(WAIT);
      const shown = (await number.textContent()) ?? '';
      expect(shown.slice(-2)).toBe(contact.phone_e164.slice(-2));
      expect(shown).not.toContain(contact.phone_e164.slice(-6));
      await expect.poll(() => page.getByTestId('screen-pop').textContent(), WAIT).toContain('Ada Lovelace');
      expect(await page.getByTestId('script').textContent()).toBe(SCRIPT);
      expect(await page.getByTestId('history').textContent()).toContain(shown);
      const popAt = (await page.evaluate('window.popAt')) as number | undefined;
      const attemptId = [...answeredAt.keys()].at(-1);
      const answered = attemptId ? answeredAt.get(attemptId) : undefined;
      console.log(
        `[web] simulator answer → screen pop on the agent's page: ${
          popAt !== undefined && answered !== undefined ? `${popAt - answered} ms` : 'not measured'
        } (real time, ${SPEED}× engine time, reported not asserted)`,
      );

      // Wrap-up: the outcome form of the collections type; the API's field errors show first.
      await page.locator('[data-testid=agent-state][data-state=wrap_up]').waitFor(WAIT);
      await page.getByTestId('wrap-up-countdown').waitFor(WAIT);
      await page.getByLabel('Result of the call').selectOption('promise_to_pay');
      await page.getByLabel('Amount').fill('-5');
      await page.getByLabel('Date').fill('2026-12-24');
      await page.getByRole('button', { name: 'Save outcome' }).click();
      const amountError = page.locator('.field-error[data-field=amount]');
      await amountError.waitFor(WAIT);
      expect(await amountError.textContent()).toMatch(/more than zero/);
      if (takeScreenshots) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOT_DIR, 'agent-desktop.png'), fullPage: true });
      }
      await page.getByLabel('Amount').fill('120.50');
      expect(await amountError.count()).toBe(0);

      // Nothing on the page holds the full number, in any form.
      const html = await page.content();
      expect(html).not.toContain(contact.phone_e164);
      expect(html).not.toContain(contact.phone_e164.slice(2));

      // From the keyboard this time (Enter in a field sends the form). A click right after a full-page
      // screenshot can miss: Chromium restores the viewport after it.
      await page.getByLabel('Amount').press('Enter');
      await expect.poll(() => state.getAttribute('data-state'), WAIT).not.toBe('wrap_up');

      // In the dial log: the attempt that popped carries the agent's promise to pay.
      const logged = await db
        .selectFrom('outcomes')
        .innerJoin('call_attempts', 'call_attempts.id', 'outcomes.attempt_id')
        .select(['outcomes.tag', 'outcomes.data', 'call_attempts.channel_id', 'call_attempts.contact_id'])
        .where('outcomes.contact_id', '=', contactId!)
        .execute();
      expect(logged).toEqual([
        {
          tag: 'promise_to_pay',
          data: expect.objectContaining({ amount: 120.5, date: '2026-12-24' }),
          channel_id: attemptId,
          contact_id: contactId,
        },
      ]);
      expect(pageErrors).toEqual([]);
    } finally {
      await stopAll({ serving, simulated });
    }
  }, 240_000);

  it('sends each role to its own screen, lets a supervisor work any agent’s desk, and refuses another role’s screen in the page', async () => {
    const { handle } = under;
    const { db } = handle;
    const serving = await serveForTest(handle, { web: { root: under.bundle.root } });
    try {
      const manager = await testUser(db, 'manager');
      await givePassword(handle, manager.name);
      // A fresh browser session (cookies are per host, not per port: the agent's would still be sent).
      await page.context().clearCookies();
      await page.goto(`${serving.url}/`);
      await page.getByLabel('User name').fill(manager.name);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByLabel('Password').press('Enter');
      await page.waitForURL('**/manager', WAIT);
      await page.getByRole('table', { name: 'Campaigns' }).waitFor(WAIT);
      const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
      expect(await nav.allTextContents()).toEqual(['Agent desktop', 'Campaigns', 'Exports']);
      // A supervisor works any agent's desk: pick one, and its state comes over the live feed.
      const { code } = await db.selectFrom('agents').select('code').orderBy('id').executeTakeFirstOrThrow();
      await page.getByRole('link', { name: 'Agent desktop' }).click();
      await page.getByLabel('Agent to work').selectOption(code);
      await page.getByTestId('agent-state').waitFor(WAIT);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        `Agent desktop · Seat ${code}`,
      );
      await expectRefused(page, serving.url, '/compliance');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
      expect(pageErrors).toEqual([]);
    } finally {
      await serving.stop();
    }
  }, 120_000);
});
