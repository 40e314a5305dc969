import { beforeAll, expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { gateInputFor, loadGateFacts } from '../../db/queries/gate-facts.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import type { GateDecision } from '../../engine/compliance/gate-types.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact, markRegistryFresh } from './db-fixtures.ts';

// A Wednesday: 12:00 in New York, 17:00 in London, 00:00 in Shanghai (the CN tests use CN_NOW).
const NOW = new Date('2026-06-10T16:00:00Z');
const CN_NOW = new Date('2026-06-10T06:00:00Z'); // 14:00 in Shanghai
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const frequency = (d: GateDecision) => d.results.find((r) => r.rule === 'frequency')!;

describeEachDatabase('frequency rules on the dial log', (handle) => {
  let n = 0;
  const phone = (prefix = '+1212556') => `${prefix}${String(1000 + n++).padStart(4, '0')}`;

  /** A finished call to a contact at `at`; `conversation` makes it connected to an agent. */
  async function call(
    campaignId: number,
    contact: { id: number; phone_e164: string },
    at: Date,
    options: { conversation?: boolean; result?: string } = {},
  ) {
    const { db } = handle();
    const row = await createAttempt(db, {
      campaignId,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `f-${contact.id}-${at.getTime()}-${n++}`,
      gateReasons: [],
      queuedAt: at,
    });
    await finalizeAttempt(db, row.id, {
      result: options.result ?? (options.conversation ? 'connected' : 'no_answer'),
      ...(options.conversation ? { answeredAt: at, connectedAt: new Date(at.getTime() + 2_000) } : {}),
      endedAt: new Date(at.getTime() + 60_000),
    });
  }

  async function decide(campaignId: number, contactId: number, now = NOW) {
    const loaded = await loadGateFacts(handle().db, campaignId, [contactId], now);
    return evaluateGate(gateInputFor(loaded, contactId, now)!);
  }

  // Other limits out of the way: these tests are about the frequency rules alone.
  const attempts = { maxPerContact: 50, maxPerDay: 20, retryMinutes: { no_answer: 1, machine: 1 } };
  const collections = { type: 'collections', attempts, compliance: { preset: 'us-collections' } };
  const denials = (d: GateDecision) => d.denials.map((r) => r.code);

  beforeAll(async () => {
    await markRegistryFresh(handle().db, new Date(NOW.getTime() - DAY));
  });

  it('Regulation F counts calls about the same account in every campaign of the client, by any number', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const first = await makeCampaign(db, client.id, collections);
    const second = await makeCampaign(db, client.id, collections);
    const account = `ACC-${n++}`;
    const home = await makeContact(db, first.id, phone(), { account_ref: account });
    const work = await makeContact(db, second.id, phone(), { account_ref: account });
    for (let d = 1; d <= 6; d++) await call(first.id, home, new Date(NOW.getTime() - d * DAY + HOUR));
    // The 7th call of the week, to the other number of the same debt: allowed.
    expect(denials(await decide(second.id, work.id))).toEqual([]);
    await call(second.id, work, new Date(NOW.getTime() - 2 * HOUR));
    // The 8th, to either number: refused until the oldest call is 7 days old.
    const eighth = await decide(second.id, work.id);
    expect(frequency(eighth).code).toBe('frequency.over_limit');
    expect(frequency(eighth).message).toContain('7 calls about the account');
    expect(eighth.retryAt).toEqual(new Date(NOW.getTime() - 6 * DAY + HOUR + 7 * DAY));
    expect(frequency(await decide(first.id, home.id)).code).toBe('frequency.over_limit');
  });

  it('Regulation F does not count another client’s calls, nor another account’s', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const other = await makeClient(db);
    const mine = await makeCampaign(db, client.id, collections);
    const theirs = await makeCampaign(db, other.id, collections);
    const account = `ACC-${n++}`;
    const contact = await makeContact(db, mine.id, phone(), { account_ref: account });
    const elsewhere = await makeContact(db, theirs.id, contact.phone_e164, { account_ref: account });
    const otherAccount = await makeContact(db, mine.id, phone(), { account_ref: `ACC-${n++}` });
    for (let h = 1; h <= 8; h++) {
      await call(theirs.id, elsewhere, new Date(NOW.getTime() - h * HOUR));
      await call(mine.id, otherAccount, new Date(NOW.getTime() - h * HOUR));
    }
    expect(denials(await decide(mine.id, contact.id))).toEqual([]);
  });

  it('Regulation F keeps quiet for 7 days after a conversation about the debt', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id, collections);
    const contact = await makeContact(db, campaign.id, phone(), { account_ref: `ACC-${n++}` });
    const talked = new Date(NOW.getTime() - 6 * DAY);
    await call(campaign.id, contact, talked, { conversation: true });
    const day7 = await decide(campaign.id, contact.id);
    expect(frequency(day7).message).toContain('a conversation about the account');
    expect(day7.retryAt).toEqual(new Date(talked.getTime() + 2_000 + 7 * DAY));
    expect(
      denials(await decide(campaign.id, contact.id, new Date(talked.getTime() + 2_000 + 7 * DAY))),
    ).toEqual([]);
  });

  it('Regulation F counts a contact without an account reference by its number', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id, collections);
    const contact = await makeContact(db, campaign.id, phone());
    for (let h = 1; h <= 7; h++) await call(campaign.id, contact, new Date(NOW.getTime() - h * HOUR));
    const d = await decide(campaign.id, contact.id);
    expect(frequency(d).message).toContain('7 calls about the number');
  });

  const cn = { jurisdiction: 'CN', region: 'CN', defaultTimeZone: 'Asia/Shanghai', attempts };
  const cnContact = async (campaignId: number, number: string) =>
    makeContact(handle().db, campaignId, number, { time_zone: 'Asia/Shanghai', consent_ref: 'CONSENT-1' });

  it('the CN carrier rule counts the callee’s calls in every campaign: the 6th in 24 h is refused', async () => {
    const { db } = handle();
    const a = await makeCampaign(db, (await makeClient(db)).id, cn);
    const b = await makeCampaign(db, (await makeClient(db)).id, cn);
    const number = phone('+8613800');
    const inA = await cnContact(a.id, number);
    const inB = await cnContact(b.id, number);
    for (const h of [20, 15, 10]) await call(a.id, inA, new Date(CN_NOW.getTime() - h * HOUR));
    await call(b.id, inB, new Date(CN_NOW.getTime() - 5 * HOUR));
    expect(denials(await decide(b.id, inB.id, CN_NOW))).toEqual([]); // the 5th
    await call(b.id, inB, new Date(CN_NOW.getTime() - 4 * HOUR));
    const sixth = await decide(a.id, inA.id, CN_NOW);
    expect(frequency(sixth).message).toContain('5 calls about the number in the last 1 d');
    expect(sixth.retryAt).toEqual(new Date(CN_NOW.getTime() - 20 * HOUR + DAY));
  });

  it('the CN carrier rule refuses a 4th call within 5 minutes', async () => {
    const { db } = handle();
    const campaign = await makeCampaign(db, (await makeClient(db)).id, cn);
    const contact = await cnContact(campaign.id, phone('+8613900'));
    for (const m of [4, 3]) await call(campaign.id, contact, new Date(CN_NOW.getTime() - m * MINUTE));
    expect(denials(await decide(campaign.id, contact.id, CN_NOW))).toEqual([]); // the 3rd
    await call(campaign.id, contact, new Date(CN_NOW.getTime() - 2 * MINUTE));
    const fourth = await decide(campaign.id, contact.id, CN_NOW);
    expect(frequency(fourth).message).toContain('3 calls about the number in the last 5 min');
    expect(fourth.retryAt).toEqual(new Date(CN_NOW.getTime() - 4 * MINUTE + 5 * MINUTE));
  });

  it('the UK preset refuses a same-day redial of a number a machine answered', async () => {
    const { db } = handle();
    const campaign = await makeCampaign(db, (await makeClient(db)).id, {
      jurisdiction: 'UK',
      attempts,
      region: 'GB',
      defaultTimeZone: 'Europe/London',
    });
    const contact = await makeContact(db, campaign.id, phone('+4420718'), { time_zone: 'Europe/London' });
    await call(campaign.id, contact, new Date(NOW.getTime() - 3 * HOUR), { result: 'machine' });
    const d = await decide(campaign.id, contact.id);
    expect(d.results.find((r) => r.rule === 'machine_redial')!.code).toBe('machine_redial.same_day');
    expect(d.preset).toBe('uk');
  });
});
