import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { campaignDefinitionSchema } from '../../campaigns/campaign-definition.ts';
import { createAttempt, finalizeAttempt, getAttempt, updateAttempt } from '../../db/queries/dial-log.ts';
import { verifyDialLog } from '../../db/queries/dial-log-verify.ts';
import { canonicalRowContent, type HashableRow } from '../../engine/compliance/dial-log-hash.ts';
import { abandonClockStart } from '../../engine/runner/abandon-clock.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

describe('the SIP answer in the dial-log hash (a column added after rows were sealed)', () => {
  const row = { id: 1, result: 'answered' } as unknown as HashableRow;

  it('leaves the content of a row without it exactly as before, so old rows keep their hashes', () => {
    expect(canonicalRowContent({ ...row, sip_answered_at: null })).toBe(canonicalRowContent(row));
  });

  it('seals the value when there is one', () => {
    const answered = canonicalRowContent({ ...row, sip_answered_at: new Date('2026-12-03T08:00:00.000Z') });
    expect(answered).toContain('"sip_answered_at":"2026-12-03T08:00:00.000Z"');
    expect(answered).not.toBe(canonicalRowContent(row));
  });
});

describe('the moment the 2-second rule counts from', () => {
  const call = { sipAnsweredAt: new Date(1000), answeredAt: new Date(3000) };
  const parse = (jurisdiction: string) =>
    campaignDefinitionSchema.shape.jurisdiction.parse(jurisdiction) as 'US' | 'UK' | 'CN' | 'OTHER';

  it('is the end of the greeting (AMD verdict) in the US and the UK', () => {
    expect(abandonClockStart({ jurisdiction: parse('US') }, call)).toEqual(new Date(3000));
    expect(abandonClockStart({ jurisdiction: parse('UK') }, call)).toEqual(new Date(3000));
  });

  it('is the SIP answer where no rule says otherwise (CN, other): the stricter reading', () => {
    expect(abandonClockStart({ jurisdiction: parse('CN') }, call)).toEqual(new Date(1000));
    expect(abandonClockStart({ jurisdiction: parse('OTHER') }, call)).toEqual(new Date(1000));
  });
});

describeEachDatabase('the dial log with both answer moments', (handle) => {
  it('stores the SIP answer apart from the AMD verdict, seals both, and verify sees a change of either', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125559001');
    const attempt = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: '+12125559001',
      channelId: `sip-answer-${Math.random()}`,
      gateReasons: [],
    });
    const sipAnsweredAt = new Date('2026-12-03T08:00:00.000Z');
    const verdictAt = new Date('2026-12-03T08:00:02.100Z');
    await updateAttempt(db, attempt.id, { status: 'answered', sipAnsweredAt, answeredAt: verdictAt });
    await finalizeAttempt(db, attempt.id, { result: 'answered', cause: 16 });
    const row = await getAttempt(db, attempt.id);
    expect(row.sip_answered_at).toEqual(sipAnsweredAt);
    expect(row.answered_at).toEqual(verdictAt);
    expect((await verifyDialLog(db)).ok).toBe(true);

    await db.transaction().execute(async (trx) => {
      await sql`alter table call_attempts disable trigger call_attempts_guard`.execute(trx);
      await sql`update call_attempts set sip_answered_at = null where id = ${attempt.id}`.execute(trx);
      await sql`alter table call_attempts enable trigger call_attempts_guard`.execute(trx);
    });
    const report = await verifyDialLog(db);
    expect(report.firstBreak).toMatchObject({ problem: 'content_changed', attemptId: attempt.id });
  });
});
