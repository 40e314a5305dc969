import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { insertCallback } from '../../db/queries/callbacks.ts';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { exportRecord } from '../../db/queries/dial-log-export.ts';
import { verifyDialLog } from '../../db/queries/dial-log-verify.ts';
import { gateInputFor, loadGateFacts } from '../../db/queries/gate-facts.ts';
import { evaluateGate, gateReasonsForLog } from '../../engine/compliance/gate.ts';
import type { GateDecision, LoggedGateReason } from '../../engine/compliance/gate-types.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact, markRegistryFresh } from './db-fixtures.ts';

// A Wednesday, 12:00 in New York.
const NOW = new Date('2026-06-10T16:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const frequency = (d: GateDecision) => d.results.find((r) => r.rule === 'frequency')!;

describeEachDatabase(
  'frequency facts: the account and caller number of each call, Regulation F exceptions',
  (handle) => {
    let n = 0;
    const phone = (prefix = '+1212557') => `${prefix}${String(1000 + n++).padStart(4, '0')}`;

    async function call(
      campaignId: number,
      contact: { id: number; phone_e164: string },
      at: Date,
      options: {
        conversation?: boolean;
        result?: string;
        callerNumber?: string;
        gateReasons?: LoggedGateReason[];
      } = {},
    ) {
      const { db } = handle();
      const row = await createAttempt(db, {
        campaignId,
        contactId: contact.id,
        phoneE164: contact.phone_e164,
        channelId: `fx-${contact.id}-${at.getTime()}-${n++}`,
        gateReasons: options.gateReasons ?? [],
        queuedAt: at,
        callerNumber: options.callerNumber ?? '+12125550100',
      });
      await finalizeAttempt(db, row.id, {
        result: options.result ?? (options.conversation ? 'connected' : 'no_answer'),
        ...(options.conversation ? { answeredAt: at, connectedAt: new Date(at.getTime() + 2_000) } : {}),
        endedAt: new Date(at.getTime() + 60_000),
      });
      return row;
    }

    async function decide(campaignId: number, contactId: number, now = NOW) {
      const loaded = await loadGateFacts(handle().db, campaignId, [contactId], now);
      return evaluateGate(gateInputFor(loaded, contactId, now)!);
    }

    const attempts = {
      maxPerContact: 50,
      maxPerDay: 20,
      retryMinutes: { no_answer: 1, machine: 1, busy: 1 },
    };
    const collections = { type: 'collections', attempts, compliance: { preset: 'us-collections' } };

    beforeAll(async () => {
      await markRegistryFresh(handle().db, new Date(NOW.getTime() - DAY));
    });

    it('records the account and the caller number with each call; the row hash seals the caller number', async () => {
      const { db } = handle();
      const campaign = await makeCampaign(db, (await makeClient(db)).id, collections);
      const contact = await makeContact(db, campaign.id, phone(), { account_ref: `ACC-${n++}` });
      const row = await call(campaign.id, contact, new Date(NOW.getTime() - HOUR), {
        callerNumber: '+12125550177',
      });
      const stored = await db
        .selectFrom('call_attempts')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      expect(stored.account_ref).toBe(contact.account_ref);
      expect(stored.caller_number).toBe('+12125550177');
      expect(exportRecord(stored, false, 'greeting_end')).toMatchObject({ caller_number: '+12125550177' });
      expect((await verifyDialLog(db, { campaignId: campaign.id })).ok).toBe(true);
      // Changing the recorded line of a sealed row breaks the chain.
      await sql`alter table call_attempts disable trigger call_attempts_guard`.execute(db);
      await sql`update call_attempts set caller_number = '+12125550178' where id = ${row.id}`.execute(db);
      await sql`alter table call_attempts enable trigger call_attempts_guard`.execute(db);
      expect((await verifyDialLog(db, { campaignId: campaign.id })).ok).toBe(false);
    });

    it('counts a call about the account 1 ms short of 7 days old (day 7), not one exactly 7 days old (day 8)', async () => {
      const { db } = handle();
      const campaign = await makeCampaign(db, (await makeClient(db)).id, collections);
      const account = `ACC-${n++}`;
      const home = await makeContact(db, campaign.id, phone(), { account_ref: account });
      const work = await makeContact(db, campaign.id, phone(), { account_ref: account });
      for (let h = 1; h <= 6; h++) await call(campaign.id, home, new Date(NOW.getTime() - h * HOUR));
      await call(campaign.id, work, new Date(NOW.getTime() - 7 * DAY));
      expect(frequency(await decide(campaign.id, home.id)).code).toBe('frequency.within_limits');
      // One millisecond earlier the oldest call is 1 ms short of 7 days old: in the window.
      expect(frequency(await decide(campaign.id, home.id, new Date(NOW.getTime() - 1))).code).toBe(
        'frequency.over_limit',
      );
    });

    it('does not count calls that never reached the dialed number (busy, congestion, not in service); counts the rest', async () => {
      const { db } = handle();
      const campaign = await makeCampaign(db, (await makeClient(db)).id, collections);
      const contact = await makeContact(db, campaign.id, phone(), { account_ref: `ACC-${n++}` });
      const at = (h: number) => new Date(NOW.getTime() - h * HOUR);
      let h = 1;
      for (const result of ['busy', 'congestion', 'invalid_number', 'busy', 'busy', 'congestion', 'busy'])
        await call(campaign.id, contact, at(h++), { result });
      for (const result of ['no_answer', 'machine', 'no_answer', 'abandoned', 'no_answer', 'failed'])
        await call(campaign.id, contact, at(h++), { result });
      // 6 counted calls: the 7th is allowed.
      expect(frequency(await decide(campaign.id, contact.id)).code).toBe('frequency.within_limits');
      await call(campaign.id, contact, at(0.5), { result: 'no_answer' });
      const eighth = await decide(campaign.id, contact.id);
      expect(frequency(eighth).code).toBe('frequency.over_limit');
      expect(frequency(eighth).message).toContain('7 calls about the account');
    });

    it('a callback the person asked for in a conversation is allowed within 7 days, and is not counted afterwards', async () => {
      const { db } = handle();
      const campaign = await makeCampaign(db, (await makeClient(db)).id, collections);
      const contact = await makeContact(db, campaign.id, phone(), { account_ref: `ACC-${n++}` });
      const talk = await call(campaign.id, contact, new Date(NOW.getTime() - 2 * DAY), {
        conversation: true,
      });
      // Without a callback the 7 days of quiet after the conversation hold the contact.
      expect(frequency(await decide(campaign.id, contact.id)).code).toBe('frequency.over_limit');
      await insertCallback(db, {
        contactId: contact.id,
        campaignId: campaign.id,
        agentId: null,
        dueAt: new Date(NOW.getTime() - MINUTE),
        fromAttemptId: talk.id,
      });
      const asked = await decide(campaign.id, contact.id);
      expect(frequency(asked).code).toBe('frequency.consented');
      expect(asked.allowed).toBe(true);
      // The consented call is logged with its reasons; later it is not among the counted calls.
      await call(campaign.id, contact, new Date(NOW.getTime() - 30 * MINUTE), {
        gateReasons: gateReasonsForLog(asked),
      });
      await db
        .updateTable('callbacks')
        .set({ status: 'done' })
        .where('contact_id', '=', contact.id)
        .execute();
      const later = new Date(NOW.getTime() + HOUR);
      const loaded = await loadGateFacts(db, campaign.id, [contact.id], later);
      const counted = loaded.contacts.get(contact.id)!.facts.frequency![0]!.attemptTimes;
      expect(counted).toEqual([NOW.getTime() - 2 * DAY]);
    });

    it('a callback scheduled without a conversation carries no consent', async () => {
      const { db } = handle();
      const campaign = await makeCampaign(db, (await makeClient(db)).id, collections);
      const contact = await makeContact(db, campaign.id, phone(), { account_ref: `ACC-${n++}` });
      let last = null;
      for (let h = 1; h <= 7; h++)
        last = await call(campaign.id, contact, new Date(NOW.getTime() - h * HOUR));
      await insertCallback(db, {
        contactId: contact.id,
        campaignId: campaign.id,
        agentId: null,
        dueAt: new Date(NOW.getTime() - MINUTE),
        fromAttemptId: last!.id,
      });
      expect(frequency(await decide(campaign.id, contact.id)).code).toBe('frequency.over_limit');
    });

    const perLine = (callerId: string) => ({
      attempts,
      dialing: { callerId },
      compliance: {
        overrides: {
          frequency: [
            {
              id: 'line-cap',
              unit: 'number',
              across: 'all',
              callerNumbers: 'each',
              windows: [{ minutes: 60, maxAttempts: 2 }],
              source: 'fcc-64.1200',
            },
          ],
        },
      },
    });

    it('a rule counted per caller number counts only the calls presented from the campaign’s line', async () => {
      const { db } = handle();
      const client = await makeClient(db);
      const lineA = await makeCampaign(db, client.id, perLine('"Acme" <+12125550101>'));
      const lineB = await makeCampaign(db, client.id, perLine('+12125550102'));
      const number = phone();
      const inA = await makeContact(db, lineA.id, number);
      const inB = await makeContact(db, lineB.id, number);
      await call(lineB.id, inB, new Date(NOW.getTime() - 10 * MINUTE), { callerNumber: '+12125550102' });
      await call(lineB.id, inB, new Date(NOW.getTime() - 20 * MINUTE), { callerNumber: '+12125550102' });
      await call(lineA.id, inA, new Date(NOW.getTime() - 30 * MINUTE), { callerNumber: '+12125550101' });
      // Line A presented one call in the hour: a 2nd is allowed; line B has presented two.
      expect(frequency(await decide(lineA.id, inA.id)).code).toBe('frequency.within_limits');
      const fromB = await decide(lineB.id, inB.id);
      expect(frequency(fromB).code).toBe('frequency.over_limit');
      expect(frequency(fromB).message).toContain('from caller number +12125550102');
    });

    it('the CN carrier rule counts the callee’s calls across caller numbers', async () => {
      const { db } = handle();
      const CN_NOW = new Date('2026-06-10T06:00:00Z');
      const cn = (callerId: string) => ({
        jurisdiction: 'CN',
        region: 'CN',
        defaultTimeZone: 'Asia/Shanghai',
        attempts,
        dialing: { callerId },
      });
      const a = await makeCampaign(db, (await makeClient(db)).id, cn('+8610100001'));
      const b = await makeCampaign(db, (await makeClient(db)).id, cn('+8610100002'));
      const number = phone('+8613700');
      const extra = { time_zone: 'Asia/Shanghai', consent_ref: 'CONSENT-1' };
      const inA = await makeContact(db, a.id, number, extra);
      const inB = await makeContact(db, b.id, number, extra);
      await call(a.id, inA, new Date(CN_NOW.getTime() - 4 * MINUTE), { callerNumber: '+8610100001' });
      await call(b.id, inB, new Date(CN_NOW.getTime() - 3 * MINUTE), { callerNumber: '+8610100002' });
      await call(a.id, inA, new Date(CN_NOW.getTime() - 2 * MINUTE), { callerNumber: '+8610100001' });
      const fourth = await decide(b.id, inB.id, CN_NOW);
      expect(frequency(fourth).message).toContain('3 calls about the number in the last 5 min');
    });
  },
);
