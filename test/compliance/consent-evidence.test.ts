import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

describeEachDatabase('consent evidence with the call’s record (CN)', (handle) => {
  it('shows the consent reference imported with the list with the call, and exports it with it', async () => {
    const { db } = handle();
    const campaign = await makeCampaign(db, (await makeClient(db)).id, {
      jurisdiction: 'CN',
      region: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
    });
    const contact = await makeContact(db, campaign.id, '+8613800138077', {
      consent_ref: 'WL-2026-0042',
      account_ref: 'LOAN-9',
      time_zone: 'Asia/Shanghai',
    });
    const at = new Date('2026-06-10T06:00:00Z');
    const attempt = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `consent-${contact.id}`,
      gateReasons: [],
      queuedAt: at,
    });
    await finalizeAttempt(db, attempt.id, { result: 'connected', endedAt: new Date(at.getTime() + 60_000) });
    const qa = await testUser(db, 'qa');
    const dialer = (...args: string[]) => runCliInProcess(args, handle(), { token: qa.token });

    const shown = await dialer('log', 'show', String(attempt.id));
    expect(shown.stdout).toMatch(/consent_ref\s+WL-2026-0042/);
    expect(shown.stdout).toMatch(/account_ref\s+LOAN-9/);
    expect(JSON.parse((await dialer('--json', 'log', 'show', String(attempt.id))).stdout).consent_ref).toBe(
      'WL-2026-0042',
    );

    const file = join(mkdtempSync(join(tmpdir(), 'dialer-consent-')), 'export.jsonl');
    const manager = await testUser(db, 'manager');
    const exported = await runCliInProcess(
      [
        'log',
        'export',
        '--campaign',
        String(campaign.id),
        '--format',
        'jsonl',
        '--from',
        '2026-06-01',
        '--to',
        '2026-06-30',
        '--output',
        file,
      ],
      handle(),
      { token: manager.token },
    );
    expect(exported.code).toBe(0);
    const record = JSON.parse(readFileSync(file, 'utf8').trim());
    expect(record).toMatchObject({ id: attempt.id, consent_ref: 'WL-2026-0042', account_ref: 'LOAN-9' });
    expect(record.phone).not.toContain('13800138077');
  });
});
