import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../campaigns/import/import-list.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { maskPhone } from '../../engine/platform/mask-phone.ts';
import type { ManualEngineClock } from '../../engine/runner/engine-clock.ts';
import type { SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { bearer, errorOf, givePassword, serveForTest } from '../api/support.ts';
import { makeCampaign, runningCampaign, workingAgents } from '../engine/fixtures.ts';
import { type ManualTelephony, manualTelephony } from '../engine/simulated-telephony.ts';
import { type TestUser, testUser } from '../support/identity.ts';
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
const DAY_MS = 86_400_000;
/** The client makeCampaign files every test campaign under. */
const CLIENT = 'test-client';
/** The number the engine calls (last digit 5: the simulator's person who answers and talks). */
const PHONE = '+12125550135';
/** A number put on a do-not-call list from the form, typed as people write it (region US). */
const DNC_TYPED = '(212) 555-0187';
const DNC_E164 = '+12125550187';

/** A table row read as { header: cell text }, so a check names the column it means. */
async function rowByHeader(table: Locator, row: Locator): Promise<Record<string, string>> {
  const headers = await table.locator('thead th').allTextContents();
  const cells = await row.locator('td').allTextContents();
  return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
}

/** The form whose heading is `title` (the DNC desk has two forms with the same field labels). */
const formTitled = (page: Page, title: string) =>
  page.locator('form').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

/**
 * The compliance officer's registers (approvals, do-not-call lists, audit log, abandonment,
 * exports) in headless Chromium. A real simulated call is made first by `dialer serve`'s
 * composition root on the ARI simulator; its number is then imported into a second campaign of
 * the same client, where the import holds it for a re-marketing approval. The simulator is
 * stopped once the call is on record (it may not outlive a test), and the console is served
 * again, without an engine, on the same database and the same engine time; the tests share it
 * and run in order (the audit log shows what the earlier ones did).
 */
describe.runIf(browserAvailable('compliance-registers.browser.test.ts'))(
  'web console: the compliance registers',
  () => {
    const under = consoleUnderTest();
    const folder = mkdtempSync(join(tmpdir(), 'dialer-registers-'));
    const pageErrors: string[] = [];
    let clock: ManualEngineClock;
    let serving: Serving;
    let officer: TestUser;
    let manager: TestUser;
    let agentUser: TestUser;
    let page: Page;
    let context: BrowserContext;
    /** The running campaign that called PHONE. */
    const called = { campaignId: 0 };
    /** The campaign the called number was imported into again, its batch and the held contact. */
    const remarketed = { campaignId: 0, batchId: 0, contactId: 0 };
    let approvalId = 0;

    beforeAll(async () => {
      const { handle } = under;
      const { db } = handle;
      let simulated: ManualTelephony | undefined;
      let engine: Serving | undefined;
      let agents: SimulatedAgents | undefined;
      // One list, received twice through the engine's own import: for the campaign that calls
      // the number, then for a second campaign of the same client.
      const list = join(folder, 'list.csv');
      writeFileSync(list, `phone\n${PHONE}\n`, { mode: 0o600 });
      const importInto = (campaignId: number) =>
        importList(
          { campaignId, file: list, archiveRoot: join(folder, 'archive') },
          { handle, clock, logger: silentLogger(), actor: 'list-import-test' },
        );
      try {
        simulated = await manualTelephony({ speed: SPEED, simulator: { agents: { answerDelayMs: 300 } } });
        clock = simulated.clock;
        const { campaign, definition } = await runningCampaign(db, clock.now(), { wrapUpSeconds: 5 });
        expect(await importInto(campaign.id)).toMatchObject({ imported: 1 });
        engine = await serveOnSimulator(under, simulated, { speed: SPEED });
        agents = await workingAgents(
          db,
          clock,
          { campaignId: campaign.id, definition },
          1,
          `reg-${campaign.id}`,
        );
        const chained = () =>
          db
            .selectFrom('call_attempts')
            .select('id')
            .where('campaign_id', '=', campaign.id)
            .where('chain_seq', 'is not', null)
            .execute();
        // expect.poll is for tests only: the same wait, by hand.
        const deadline = Date.now() + WAIT.timeout;
        while ((await chained()).length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(await chained(), 'the call is over and chained in the dial log').toHaveLength(1);
        called.campaignId = campaign.id;
      } finally {
        await stopAll({ agents, serving: engine, simulated });
      }

      // Re-marketing: the called number in a list for another campaign of the same client. The
      // import holds it until the client approves a second use.
      const target = await makeCampaign(db);
      const imported = await importInto(target.campaign.id);
      expect(imported).toMatchObject({ held: 1, imported: 0 });
      const held = await db
        .selectFrom('contacts')
        .select(['id', 'status'])
        .where('campaign_id', '=', target.campaign.id)
        .executeTakeFirstOrThrow();
      expect(held.status).toBe('awaiting_approval');
      Object.assign(remarketed, {
        campaignId: target.campaign.id,
        batchId: imported.batchId!,
        contactId: held.id,
      });

      // Users' sessions and tokens live in engine time, as the API does.
      const expiresAt = new Date(clock.now().getTime() + DAY_MS);
      officer = await testUser(db, 'compliance_officer', { expiresAt });
      manager = await testUser(db, 'manager', { expiresAt });
      agentUser = await testUser(db, 'agent', { expiresAt });
      for (const user of [officer, manager, agentUser]) await givePassword(handle, user.name);
      // Engine time now stands where the call left it: the API dates the day of the call, the
      // sessions and the revocation in it, as `dialer serve` would have.
      serving = await serveForTest(handle, { clock, web: { root: under.bundle.root } });
      ({ page, context } = await signedInPage(
        under.browser,
        serving.url,
        officer.name,
        '**/compliance/log',
        pageErrors,
      ));
    }, 240_000);

    afterAll(async () => {
      await context?.close();
      await serving?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('approvals: the officer records the client’s approval of the held batch (the contact is released), sees it listed, revokes it (held again) and sees it revoked', async () => {
      const { db } = under.handle;
      await page.getByRole('link', { name: 'Approvals' }).click();
      await page.waitForURL('**/compliance/approvals', WAIT);
      const record = formTitled(page, 'Record an approval');
      await record.getByLabel('Client code').fill(CLIENT);
      await record.getByLabel('Campaign id').fill(String(remarketed.campaignId));
      await record.getByLabel('Batch id (optional)').fill(String(remarketed.batchId));
      await record.getByLabel('Reference of the approval').fill('LETTER-2026-117');
      await record.getByLabel('Approved by').fill('J. Client');
      await record.getByRole('button', { name: 'Record approval' }).click();
      await page.getByText(/^Approval \d+ recorded; 1 contacts released\.$/).waitFor(WAIT);

      // On record as the officer typed it, by the officer, and the held contact may be dialed.
      const approvals = await db
        .selectFrom('remarketing_approvals')
        .select(['id', 'client_id', 'batch_id', 'reference', 'approved_by', 'recorded_by'])
        .where('campaign_id', '=', remarketed.campaignId)
        .execute();
      expect(approvals).toEqual([
        {
          id: expect.any(Number),
          client_id: expect.any(Number),
          batch_id: remarketed.batchId,
          reference: 'LETTER-2026-117',
          approved_by: 'J. Client',
          recorded_by: officer.name,
        },
      ]);
      approvalId = approvals[0]!.id;
      const contactStatus = async () =>
        (
          await db
            .selectFrom('contacts')
            .select('status')
            .where('id', '=', remarketed.contactId)
            .executeTakeFirstOrThrow()
        ).status;
      expect(await contactStatus()).toBe('ready');

      // Listed in the register, filtered to the campaign, in force.
      await page.getByLabel('Campaign', { exact: true }).selectOption(String(remarketed.campaignId));
      const table = page.getByTestId('approvals');
      const row = table.locator('tbody tr').filter({ hasText: 'LETTER-2026-117' });
      await expect.poll(() => row.count(), WAIT).toBe(1);
      expect(await rowByHeader(table, row)).toMatchObject({
        Id: String(approvalId),
        Campaign: String(remarketed.campaignId),
        Batch: String(remarketed.batchId),
        Reference: 'LETTER-2026-117',
        'Approved by': 'J. Client',
        Revoked: '—',
        'Why revoked': '—',
      });

      // Revoke it with the reason: a new record, and the contact never dialed is held again.
      await row.getByRole('button', { name: 'Revoke' }).click();
      const revoke = formTitled(page, `Revoke approval ${approvalId}`);
      await revoke.getByLabel('Reason').fill('client withdrew consent');
      await revoke.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText(`Approval ${approvalId} revoked; 1 contacts held.`).waitFor(WAIT);
      const revocation = await db
        .selectFrom('remarketing_approvals')
        .select(['revoke_reason', 'recorded_by'])
        .where('revokes_approval_id', '=', approvalId)
        .executeTakeFirst();
      expect(revocation).toEqual({ revoke_reason: 'client withdrew consent', recorded_by: officer.name });
      expect(await contactStatus()).toBe('awaiting_approval');

      // The register shows it revoked, with the reason, and offers no second revocation.
      await expect
        .poll(async () => (await rowByHeader(table, row))['Why revoked'], WAIT)
        .toBe('client withdrew consent');
      expect((await rowByHeader(table, row)).Revoked).not.toBe('—');
      expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
      expect(pageErrors).toEqual([]);
    }, 120_000);

    it('do-not-call: the officer adds a number to the campaign’s list, finds it by its last digits shown masked (no full number in the page), and takes it off with a reason', async () => {
      const { db } = under.handle;
      const scope = `campaign:${called.campaignId}`;
      await page.getByRole('link', { name: 'Do-not-call lists' }).click();
      await page.waitForURL('**/compliance/dnc', WAIT);
      const add = formTitled(page, 'Add a number');
      await add.getByLabel('Phone number').fill(DNC_TYPED);
      await add.getByLabel('List').fill(scope);
      await add.getByLabel('Region').fill('US');
      await add.getByLabel('Reason').fill('asked not to be called');
      await add.getByRole('button', { name: 'Add to the list' }).click();
      await page.getByText(`${maskPhone(DNC_E164)} added; 0 contacts blocked.`).waitFor(WAIT);
      const entries = () =>
        db
          .selectFrom('dnc_entries')
          .select(['scope_key', 'reason', 'added_by'])
          .where('phone_e164', '=', DNC_E164)
          .execute();
      expect(await entries()).toEqual([
        { scope_key: scope, reason: 'asked not to be called', added_by: officer.name },
      ]);

      // Found by the list and the last digits; shown masked, and the page holds no full number.
      const filters = page.locator('.filters');
      await filters.getByLabel('List').fill(scope);
      await filters.getByLabel('Number ends with').fill('87');
      const rows = page.getByTestId('dnc-entries').locator('tbody tr');
      await expect.poll(() => rows.count(), WAIT).toBe(1);
      expect(await rowByHeader(page.getByTestId('dnc-entries'), rows.first())).toMatchObject({
        Number: maskPhone(DNC_E164),
        List: scope,
        Reason: 'asked not to be called',
        'Added by': officer.name,
      });
      await filters.getByLabel('Number ends with').fill('88');
      await expect.poll(() => rows.count(), WAIT).toBe(0);
      await filters.getByLabel('Number ends with').fill('87');
      await expect.poll(() => rows.count(), WAIT).toBe(1);
      const html = await page.content();
      expect(html).not.toContain(DNC_E164.slice(2));
      expect(html).not.toContain('555-0187');

      // Taken off with the reason (the officer types the number; the page never shows it).
      const remove = formTitled(page, 'Take a number off');
      await remove.getByLabel('Phone number').fill(DNC_TYPED);
      await remove.getByLabel('List').fill(scope);
      await remove.getByLabel('Reason').fill('added to the wrong campaign');
      await remove.getByRole('button', { name: 'Remove with this reason' }).click();
      await page.getByText(`${maskPhone(DNC_E164)} removed; 0 contacts released.`).waitFor(WAIT);
      await expect.poll(() => rows.count(), WAIT).toBe(0);
      expect(await entries()).toEqual([]);
      const removal = await db
        .selectFrom('dnc_events')
        .select(['action', 'scope_key', 'reason', 'actor'])
        .where('phone_e164', '=', DNC_E164)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      expect(removal).toEqual({
        action: 'remove',
        scope_key: scope,
        reason: 'added to the wrong campaign',
        actor: officer.name,
      });
      expect(await page.content()).not.toContain(DNC_E164.slice(2));
      expect(pageErrors).toEqual([]);
    }, 120_000);

    it('audit log: the officer’s approval and do-not-call actions are listed, filtered by the action’s prefix and the actor (matched by the server)', async () => {
      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.waitForURL('**/compliance/audit', WAIT);
      const table = page.getByTestId('audit');
      const listed = async () => {
        const rows = table.locator('tbody tr');
        const out: string[] = [];
        for (let i = 0; i < (await rows.count()); i++) {
          const r = await rowByHeader(table, rows.nth(i));
          out.push(`${r.Actor} ${r.Action} ${r.Subject}`);
        }
        return out.sort();
      };
      const searched = page.waitForRequest(
        (r) => r.url().includes('/api/audit?') && new URL(r.url()).searchParams.get('actor') === officer.name,
      );
      await page.getByLabel('Actor').fill(officer.name);
      await searched;
      await page.getByLabel('Action starts with').fill('approval');
      await expect
        .poll(listed, WAIT)
        .toEqual([
          `${officer.name} approval.record approval:${approvalId}`,
          `${officer.name} approval.revoke approval:${approvalId}`,
        ]);
      await page.getByLabel('Action starts with').fill('dnc');
      await expect
        .poll(listed, WAIT)
        .toEqual([
          `${officer.name} dnc.add dnc:campaign:${called.campaignId}`,
          `${officer.name} dnc.remove dnc:campaign:${called.campaignId}`,
        ]);
      // The audit keeps numbers masked: its details show none in full.
      expect(await table.textContent()).toContain(maskPhone(DNC_E164));
      expect(await page.content()).not.toContain(DNC_E164.slice(2));
      expect(pageErrors).toEqual([]);
    }, 120_000);

    it('abandonment: the campaign’s day with the real call shows one call answered by a person, none abandoned, as the API reports it', async () => {
      const { db } = under.handle;
      const attempts = await db
        .selectFrom('call_attempts')
        .select('abandoned')
        .where('campaign_id', '=', called.campaignId)
        .execute();
      expect(attempts).toEqual([{ abandoned: false }]);
      const answer = await bearer(
        serving.url,
        officer.token,
      )(`/api/reports/abandonment?campaign=${called.campaignId}&days=30`);
      expect(answer.status).toBe(200);
      const report = (await answer.json()) as {
        days: { day: string; attempts: number; humanAnswered: number; abandoned: number; dayRate: number }[];
      };
      const busy = report.days.filter((d) => d.attempts > 0);
      expect(busy).toMatchObject([{ humanAnswered: 1, abandoned: 0, dayRate: 0 }]);

      await page.getByRole('link', { name: 'Abandonment' }).click();
      await page.waitForURL('**/compliance/abandonment', WAIT);
      await page.getByLabel('Campaign', { exact: true }).selectOption(String(called.campaignId));
      const table = page.getByRole('table', { name: 'Abandonment per day' });
      const day = table.locator('tbody tr').filter({ has: page.getByRole('cell', { name: busy[0]!.day }) });
      await expect.poll(() => day.count(), WAIT).toBe(1);
      expect(await rowByHeader(table, day)).toMatchObject({
        Day: busy[0]!.day,
        'Answered by a person': '1',
        Abandoned: '0',
        'Day rate': '0.00%',
      });
      // The days without a call have no rate to show.
      const other = table
        .locator('tbody tr')
        .filter({ hasNot: page.getByRole('cell', { name: busy[0]!.day }) });
      expect(await rowByHeader(table, other.first())).toMatchObject({
        'Answered by a person': '0',
        'Day rate': '—',
      });
      expect(pageErrors).toEqual([]);
    }, 120_000);

    it('exports: the officer picks the campaign and a period, downloads the dial log (the call, masked) and the export is audited', async () => {
      const { db } = under.handle;
      const queued = (
        await db
          .selectFrom('call_attempts')
          .select('queued_at')
          .where('campaign_id', '=', called.campaignId)
          .executeTakeFirstOrThrow()
      ).queued_at;
      // datetime-local, in the browser's zone: from a day before the call to a day after it.
      const local = (at: Date) =>
        new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      await page.getByRole('link', { name: 'Exports' }).click();
      await page.waitForURL('**/exports', WAIT);
      // The screen loads on first use; until it shows, the desk's own Campaign field is still there.
      await page.getByRole('heading', { name: 'Exports', level: 1 }).waitFor(WAIT);
      await page.getByLabel('Campaign').selectOption(String(called.campaignId));
      await page.getByLabel('From').fill(local(new Date(queued.getTime() - DAY_MS)));
      await page.getByLabel('Until').fill(local(new Date(queued.getTime() + DAY_MS)));
      await page.getByLabel('Format').selectOption('csv');
      const link = page.getByRole('link', { name: 'Download the export' });
      await link.waitFor(WAIT);
      const href = new URL((await link.getAttribute('href')) ?? '', serving.url);
      expect([href.pathname, href.searchParams.get('campaign'), href.searchParams.get('format')]).toEqual([
        '/api/log/export',
        String(called.campaignId),
        'csv',
      ]);
      const downloading = page.waitForEvent('download', WAIT);
      await link.click();
      const text = readFileSync((await (await downloading).path()) ?? '', 'utf8');
      expect(text).toContain(maskPhone(PHONE));
      expect(text).not.toContain(PHONE.slice(2));
      const audited = await db
        .selectFrom('audit_log')
        .select('action')
        .where('actor', '=', officer.name)
        .where('action', '=', 'export.dial_log')
        .execute();
      expect(audited).toHaveLength(1);
      expect(pageErrors).toEqual([]);
    }, 120_000);

    it('a manager is refused the compliance registers by the page and the officer’s changes by the API (403); an agent is refused them and the exports, and the API refuses the agent the registers', async () => {
      const managerSession = await signedInPage(
        under.browser,
        serving.url,
        manager.name,
        '**/manager',
        pageErrors,
      );
      for (const tab of ['approvals', 'dnc', 'audit', 'abandonment']) {
        await expectRefused(managerSession.page, serving.url, `/compliance/${tab}`);
      }
      expect(await managerSession.page.getByTestId('approvals').count()).toBe(0);
      expect(await statusInPage(managerSession.page, '/api/audit')).toBe(403);
      await managerSession.context.close();
      const asManager = bearer(serving.url, manager.token);
      const refusals = [
        await asManager(`/api/approvals/${approvalId}/revoke`, {
          method: 'POST',
          body: JSON.stringify({ reason: 'not mine to revoke' }),
        }),
        await asManager('/api/dnc/remove', {
          method: 'POST',
          body: JSON.stringify({ phone: PHONE, scope: 'internal', reason: 'not mine to remove' }),
        }),
      ];
      for (const refused of refusals) {
        expect(refused.status).toBe(403);
        expect(await errorOf(refused)).toMatchObject({ code: 'forbidden' });
      }

      const agent = await signedInPage(under.browser, serving.url, agentUser.name, '**/agent', pageErrors);
      for (const path of ['/compliance/approvals', '/compliance/dnc', '/compliance/audit', '/exports']) {
        await expectRefused(agent.page, serving.url, path);
      }
      for (const path of [
        '/api/approvals',
        '/api/dnc',
        '/api/audit',
        `/api/reports/abandonment?campaign=${called.campaignId}`,
      ]) {
        expect(await statusInPage(agent.page, path), path).toBe(403);
      }
      await agent.context.close();
      expect(pageErrors).toEqual([]);
    }, 120_000);
  },
);
