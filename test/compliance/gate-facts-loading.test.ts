import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { dncSummary } from '../../db/queries/dnc.ts';
import { gateInputFor, loadGateFacts, loadGateFactsForPhone } from '../../db/queries/gate-facts.ts';
import { importNationalDnc } from '../../db/queries/national-dnc-import.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import type { GateDecision } from '../../engine/compliance/gate-types.ts';
import { jurisdictionPolicy } from '../../engine/compliance/jurisdictions.ts';
import { createPhoneNormalizer } from '../../engine/compliance/phone-number.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

// A Wednesday, 12:00 in New York: inside every default window.
const NOW = new Date('2026-06-10T16:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const dir = mkdtempSync(join(tmpdir(), 'dialer-gate-facts-'));
function registryFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const codeOf = (decision: GateDecision, rule: string) => decision.results.find((r) => r.rule === rule)?.code;

describeEachDatabase('the facts the compliance gate is given', (handle) => {
  let phones = 0;
  /** A contact whose number had an abandoned call `hoursAgo` (in this campaign). */
  const abandonedContact = async (hoursAgo: number) => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const phone = `+1212555${String(1000 + phones++).padStart(4, '0')}`;
    const contact = await makeContact(db, campaign.id, phone);
    const at = new Date(NOW.getTime() - hoursAgo * HOUR);
    const attempt = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: phone,
      channelId: `abandon-${contact.id}`,
      gateReasons: [],
      queuedAt: at,
    });
    await finalizeAttempt(db, attempt.id, {
      result: 'abandoned',
      abandoned: true,
      answeredAt: at,
      endedAt: new Date(at.getTime() + 5_000),
    });
    const agent = await db
      .insertInto('agents')
      .values({ code: `agent-${contact.id}`, name: 'Agent', endpoint: 'PJSIP/agent' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { campaign, contact, agentId: agent.id };
  };
  const abandonRepeat = async (campaignId: number, contactId: number) => {
    const loaded = await loadGateFacts(handle().db, campaignId, [contactId], NOW);
    return codeOf(evaluateGate(gateInputFor(loaded, contactId, NOW)!), 'abandon_repeat');
  };
  const callback = (campaignId: number, contactId: number, agentId: number | null, dueAt: Date) =>
    handle()
      .db.insertInto('callbacks')
      .values({ contact_id: contactId, campaign_id: campaignId, agent_id: agentId, due_at: dueAt })
      .execute();

  it('lifts the no-repeat-after-abandon rule for a personal callback due now (its agent is held for it)', async () => {
    const { campaign, contact, agentId } = await abandonedContact(10);
    await callback(campaign.id, contact.id, agentId, new Date(NOW.getTime() - 5 * 60_000));
    expect(await abandonRepeat(campaign.id, contact.id)).toBe('abandon_repeat.agent_reserved');
  });

  it('does not lift it for a personal callback that is not due yet (nobody is held for this call)', async () => {
    const { campaign, contact, agentId } = await abandonedContact(10);
    await callback(campaign.id, contact.id, agentId, new Date(NOW.getTime() + DAY));
    expect(await abandonRepeat(campaign.id, contact.id)).toBe('abandon_repeat.within_window');
  });

  it('does not lift it when the callback served first is not a personal one', async () => {
    const { campaign, contact, agentId } = await abandonedContact(10);
    // The runner serves the earliest due callback; this one has no agent, so none is held.
    await callback(campaign.id, contact.id, null, new Date(NOW.getTime() - 2 * HOUR));
    await callback(campaign.id, contact.id, agentId, new Date(NOW.getTime() - HOUR));
    expect(await abandonRepeat(campaign.id, contact.id)).toBe('abandon_repeat.within_window');
  });

  it('does not take contacts.reserved_agent_id for a reservation (the runner never holds that agent)', async () => {
    const { campaign, contact, agentId } = await abandonedContact(10);
    await handle()
      .db.updateTable('contacts')
      .set({ reserved_agent_id: agentId })
      .where('id', '=', contact.id)
      .execute();
    expect(await abandonRepeat(campaign.id, contact.id)).toBe('abandon_repeat.within_window');
  });

  it('looks back as far as the policy’s repeat-after-abandon hours: a 96 h rule sees a call abandoned 80 h ago', async () => {
    const { db } = handle();
    const { campaign, contact } = await abandonedContact(80);
    const policy = jurisdictionPolicy('US', { repeatAfterAbandonHours: 96 });
    const loaded = await loadGateFacts(db, campaign.id, [contact.id], NOW, { policy });
    expect(loaded.contacts.get(contact.id)!.facts.lastAbandonedAt).toEqual(
      new Date(NOW.getTime() - 80 * HOUR),
    );
    expect(codeOf(evaluateGate(gateInputFor(loaded, contact.id, NOW)!), 'abandon_repeat')).toBe(
      'abandon_repeat.within_window',
    );
    const checked = await loadGateFactsForPhone(db, campaign.id, contact.phone_e164, NOW, { policy });
    expect(codeOf(evaluateGate(gateInputFor(checked, contact.id, NOW)!), 'abandon_repeat')).toBe(
      'abandon_repeat.within_window',
    );
    // Under the jurisdiction's default (72 h) the same call no longer holds the number.
    expect(await abandonRepeat(campaign.id, contact.id)).toBe('abandon_repeat.none_recent');
  });

  it('dates the national registry by its last full replacement, not by a later addition', async () => {
    const { db } = handle();
    const normalize = createPhoneNormalizer('US');
    const fullAt = new Date(NOW.getTime() - 40 * DAY);
    await importNationalDnc(handle(), {
      file: registryFile('full.txt', ['2125550900', '2125550901']),
      normalize,
      replace: true,
      actor: 'officer',
      now: fullAt,
    });
    // A one-line addition today: the copy is still 40 days old.
    await importNationalDnc(handle(), {
      file: registryFile('one.txt', ['2125550902']),
      normalize,
      replace: false,
      actor: 'officer',
      now: new Date(NOW.getTime() - 60_000),
    });
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550910');

    const loaded = await loadGateFacts(db, campaign.id, [contact.id], NOW);
    expect(loaded.campaignFacts.nationalRegistrySyncedAt).toEqual(fullAt);
    expect(codeOf(evaluateGate(gateInputFor(loaded, contact.id, NOW)!), 'national_registry')).toBe(
      'national_registry.stale',
    );
    // `compliance check` of any number reads the same age.
    const checked = await loadGateFactsForPhone(db, campaign.id, '+13105550911', NOW);
    expect(checked.campaignFacts.nationalRegistrySyncedAt).toEqual(fullAt);
    // So does `dnc list`.
    expect((await dncSummary(db)).national.lastSync?.synced_at).toEqual(fullAt);
  });
});
