import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { listAudit } from '../../db/queries/audit.ts';
import { createAttempt } from '../../db/queries/dial-log.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

/**
 * Every path that shows or exports full numbers audits who did it with the role they actually
 * hold. The policy here also lets managers see full numbers, so that a role written down as a
 * constant ('compliance_officer') instead of the user's own shows up as wrong.
 */
vi.mock('../../engine/access/permissions.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../engine/access/permissions.ts')>();
  return {
    ...original,
    decide: (principal: { role: string }, permission: string) =>
      permission === 'numbers.full' && principal.role === 'manager'
        ? { allowed: true }
        : original.decide(principal as Parameters<typeof original.decide>[0], permission as never),
  };
});

const dir = mkdtempSync(join(tmpdir(), 'dialer-unmask-audit-'));

describeEachDatabase('full-number access is audited with the user’s own role', (handle) => {
  let token = '';
  const dialer = (...args: string[]) => runCliInProcess(args, handle(), { token });

  /** A manager, who acts in the commands that follow. */
  async function manager() {
    const user = await testUser(handle().db, 'manager');
    token = user.token;
    return user.name;
  }

  async function auditEntry(action: string, actor: string) {
    const entries = await listAudit(handle().db, { action });
    const mine = entries.filter((e) => e.actor === actor && e.action === action);
    expect(mine).toHaveLength(1);
    return mine[0]!;
  }

  it('dnc list --unmask records the user, their role, the filter and the row count', async () => {
    const who = await manager();
    for (const phone of ['2125550141', '2125550142']) {
      const added = await dialer('dnc', 'add', phone, '--scope', 'internal');
      expect(added.code, added.stderr).toBe(0);
    }
    const listed = await dialer('dnc', 'list', '--scope', 'internal', '--unmask', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const shown = JSON.parse(listed.stdout).entries.length;
    const entry = await auditEntry('dnc.unmask', who);
    expect(entry).toMatchObject({ actor: who, role: 'manager', subject: 'dnc:internal' });
    expect(entry.at).toBeInstanceOf(Date);
    expect(entry.details).toEqual({ filter: { scope: 'internal', limit: 100 }, rows: shown, via: 'cli' });
  });

  it('log show --unmask records the user and their role', async () => {
    const who = await manager();
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550143');
    const attempt = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `unmask-${campaign.id}`,
      gateReasons: [],
    });
    const shown = await dialer('log', 'show', String(attempt.id), '--unmask', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    const entry = await auditEntry('contact.unmask', who);
    expect(entry).toMatchObject({ actor: who, role: 'manager', subject: `attempt:${attempt.id}` });
  });

  it('log export --full records the user and their role, before and after the export', async () => {
    const who = await manager();
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const output = join(dir, `export-${campaign.id}-${who}.csv`);
    const exported = await dialer(
      ...['log', 'export', '--campaign', String(campaign.id), '--from', '2026-01-01', '--to', '2026-12-31'],
      ...['--format', 'csv', '--full', '--output', output],
    );
    expect(exported.code, exported.stderr).toBe(0);
    const started = await auditEntry('export.dial_log.started', who);
    const done = await auditEntry('export.dial_log', who);
    expect(started).toMatchObject({ role: 'manager', subject: `campaign:${campaign.id}` });
    expect(done).toMatchObject({ role: 'manager', subject: `campaign:${campaign.id}` });
    expect(done.details).toMatchObject({ filter: { campaignId: campaign.id }, rows: 0, fullNumbers: true });
    expect(exported.stdout).toContain(
      'abandon clock: US: the 2-second rule counts from the end of the greeting',
    );
  });
});
