import { expect, it } from 'vitest';
import { createAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { silentLogger } from '../../engine/platform/logger.ts';
import { recoverCampaign } from '../../engine/runner/recovery.ts';
import { describeEachDatabase } from '../support/database.ts';
import { addContacts, makeCampaign } from './fixtures.ts';
import { reconcilingTelephony } from './reconciling-telephony.ts';

describeEachDatabase('recovery of a campaign after its engine died', (database) => {
  it('finalizes every open call: a person left without an agent is an abandoned call, a ringing or machine call a failed one', async () => {
    const { db } = database();
    const { campaign, definition } = await makeCampaign(db, { mode: 'predictive' });
    const contacts = await addContacts(db, campaign.id, 3, { lastDigit: () => 5 });
    const at = new Date('2026-11-25T15:00:00Z');
    const open = async (index: number, patch: Parameters<typeof updateAttempt>[2]) => {
      const contactId = contacts[index]!;
      await db.updateTable('contacts').set({ status: 'in_progress' }).where('id', '=', contactId).execute();
      const row = await createAttempt(db, {
        campaignId: campaign.id,
        contactId,
        phoneE164: `+1212555010${index}`,
        channelId: `crashed-${campaign.id}-${index}`,
        gateReasons: [],
        queuedAt: at,
      });
      await updateAttempt(db, row.id, { originatedAt: at, ...patch });
      return row;
    };
    const ringing = await open(0, { status: 'ringing' });
    const person = await open(1, { status: 'answered', answeredAt: at, amdResult: 'HUMAN:HUMAN' });
    const machine = await open(2, { status: 'answered', answeredAt: at, amdResult: 'MACHINE:LONGGREETING' });
    const hungUp: string[] = [];

    const report = await recoverCampaign(
      {
        db,
        telephony: reconcilingTelephony([person.channel_id], hungUp, 'recovery'),
        logger: silentLogger(),
      },
      campaign.id,
      definition,
      new Date(at.getTime() + 60_000),
    );

    expect(report).toMatchObject({ attemptsReconciled: 3, callsHungUp: 1 });
    expect(hungUp).toEqual([person.channel_id]);
    const rows = await db
      .selectFrom('call_attempts as a')
      .leftJoin('outcomes as o', 'o.attempt_id', 'a.id')
      .select(['a.id', 'a.result', 'a.abandoned', 'a.finalized_at', 'o.tag'])
      .where('a.campaign_id', '=', campaign.id)
      .orderBy('a.id')
      .execute();
    expect(rows.map((r) => [r.id, r.result, r.abandoned, r.tag])).toEqual([
      [ringing.id, 'lost', false, 'failed'],
      [person.id, 'lost', true, 'abandoned'],
      [machine.id, 'lost', false, 'failed'],
    ]);
    expect(rows.every((r) => r.finalized_at !== null)).toBe(true);
  });

  it('does not count an agentless call a person answered as abandoned: they were talking to the IVR', async () => {
    const { db } = database();
    const { campaign, definition } = await makeCampaign(db, {
      mode: 'agentless',
      type: 'reminder',
      questions: [{ id: 'confirm', prompt: 'p', choices: { '1': 'confirmed', '2': 'reschedule' } }],
    });
    const [contactId] = await addContacts(db, campaign.id, 1, { lastDigit: () => 5 });
    const at = new Date('2026-11-25T15:00:00Z');
    const row = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contactId!,
      phoneE164: '+12125550109',
      channelId: `crashed-ivr-${campaign.id}`,
      gateReasons: [],
      queuedAt: at,
    });
    await updateAttempt(db, row.id, { status: 'answered', originatedAt: at, answeredAt: at });

    await recoverCampaign(
      { db, telephony: reconcilingTelephony([], [], 'recovery'), logger: silentLogger() },
      campaign.id,
      definition,
      new Date(at.getTime() + 60_000),
    );

    const [final] = await db
      .selectFrom('call_attempts as a')
      .leftJoin('outcomes as o', 'o.attempt_id', 'a.id')
      .select(['a.abandoned', 'o.tag'])
      .where('a.id', '=', row.id)
      .execute();
    expect(final).toEqual({ abandoned: false, tag: 'failed' });
  });
});
