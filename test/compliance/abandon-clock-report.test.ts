import { expect, it } from 'vitest';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { makeCampaign, makeClient } from './db-fixtures.ts';

/** A reader of the abandonment report learns which moment its `abandoned` was measured from. */
describeEachDatabase('report abandonment names the abandon clock', (handle) => {
  it('says the SIP answer for a CN campaign, in text and JSON', async () => {
    const { db } = handle();
    const { token } = await testUser(db, 'manager');
    const campaign = await makeCampaign(db, (await makeClient(db)).id, { jurisdiction: 'CN' });
    const args = ['report', 'abandonment', '--campaign', String(campaign.id), '--days', '1'];
    const text = await runCliInProcess(args, handle(), { token });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'abandon clock: CN: the 2-second rule counts from the SIP answer (sip_answered_at)',
    );
    const json = await runCliInProcess([...args, '--json'], handle(), { token });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).abandonClock).toMatchObject({
      from: 'sip_answer',
      column: 'sip_answered_at',
    });
  });

  it('says the end of the greeting for a US campaign', async () => {
    const { db } = handle();
    const { token } = await testUser(db, 'manager');
    const campaign = await makeCampaign(db, (await makeClient(db)).id, { jurisdiction: 'US' });
    const out = await runCliInProcess(
      ['report', 'abandonment', '--campaign', String(campaign.id), '--days', '1', '--json'],
      handle(),
      { token },
    );
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).abandonClock).toMatchObject({
      from: 'greeting_end',
      column: 'answered_at',
    });
  });
});
