import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { listAudit } from '../../db/queries/audit.ts';
import { createAttempt } from '../../db/queries/dial-log.ts';
import { addDnc } from '../../db/queries/dnc.ts';
import { authenticateToken } from '../../engine/access/authenticate.ts';
import type { Role } from '../../engine/access/permissions.ts';
import { listDncEntries, prepareDialLogExport, showAttempt } from '../../engine/services/number-access.ts';
import { makeCampaign, makeClient, makeContact } from '../compliance/db-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';

/** The one place full numbers leave the database, for the CLI and the API alike. */
describeEachDatabase('number access service', (handle) => {
  async function principal(role: Role) {
    const user = await testUser(handle().db, role);
    return authenticateToken(handle().db, user.token, new Date());
  }
  async function attempt(phone: string) {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, phone);
    return createAttempt(db, {
      campaignId: campaign.id,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `number-access-${campaign.id}`,
      gateReasons: [],
    });
  }
  const entriesOf = async (action: string, actor: string) =>
    (await listAudit(handle().db, { action })).filter((e) => e.actor === actor && e.action === action);

  it('shows a dial-log row masked, and audits nothing, when full numbers are not asked for', async () => {
    const manager = await principal('manager');
    const row = await attempt('+12125550171');
    const shown = await showAttempt(handle().db, manager, row.id, { full: false, via: 'api' });
    expect(shown.phone_e164).not.toContain('2125550171');
    expect(await entriesOf('contact.unmask', manager.name)).toEqual([]);
  });

  it('refuses full numbers to a role without numbers.full, and audits nothing', async () => {
    const agent = await principal('agent');
    const row = await attempt('+12125550172');
    await expect(showAttempt(handle().db, agent, row.id, { full: true, via: 'api' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(await entriesOf('contact.unmask', agent.name)).toEqual([]);
  });

  it('unmasks for a compliance officer and records who, the role they hold and the edge', async () => {
    const officer = await principal('compliance_officer');
    const row = await attempt('+12125550173');
    const shown = await showAttempt(handle().db, officer, row.id, { full: true, via: 'cli' });
    expect(shown.phone_e164).toBe('+12125550173');
    const [entry] = await entriesOf('contact.unmask', officer.name);
    expect(entry).toMatchObject({ role: 'compliance_officer', subject: `attempt:${row.id}` });
    expect(entry?.details).toMatchObject({ rows: 1, contactId: row.contact_id, via: 'cli' });
  });

  it('lists do-not-call entries masked unless unmasked, the unmasking audited with its row count', async () => {
    const officer = await principal('compliance_officer');
    const { db } = handle();
    await addDnc(db, {
      phoneE164: '+12125550174',
      ref: { scope: 'internal', scopeKey: 'internal' },
      actor: officer.name,
    });
    const masked = await listDncEntries(
      db,
      officer,
      { scopeKey: 'internal', limit: 100 },
      { full: false, via: 'api' },
    );
    expect(masked.map((r) => r.phone_e164)).not.toContain('+12125550174');
    expect(await entriesOf('dnc.unmask', officer.name)).toEqual([]);
    const full = await listDncEntries(
      db,
      officer,
      { scopeKey: 'internal', limit: 100 },
      { full: true, via: 'api' },
    );
    expect(full.map((r) => r.phone_e164)).toContain('+12125550174');
    const [entry] = await entriesOf('dnc.unmask', officer.name);
    expect(entry?.details).toEqual({
      filter: { scope: 'internal', limit: 100 },
      rows: full.length,
      via: 'api',
    });
  });

  it('checks an export before anything is audited, then audits its start before the first byte and its result after', async () => {
    const officer = await principal('compliance_officer');
    const row = await attempt('+12125550175');
    const { db } = handle();
    const request = {
      campaignId: row.campaign_id,
      from: new Date('2020-01-01T00:00:00Z'),
      to: new Date('2099-01-01T00:00:00Z'),
      format: 'jsonl' as const,
      full: true,
      outputName: '(test)',
      via: 'api' as const,
    };
    await expect(
      prepareDialLogExport(db, officer, { ...request, to: request.from, output: new PassThrough() }),
    ).rejects.toMatchObject({ code: 'usage' });
    expect(await entriesOf('export.dial_log.started', officer.name)).toEqual([]);

    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (c: Buffer) => chunks.push(c));
    const run = await prepareDialLogExport(db, officer, { ...request, output });
    let startedBeforeFirstByte = -1;
    const result = await run(() => {
      startedBeforeFirstByte = chunks.length;
    });
    expect(startedBeforeFirstByte).toBe(0);
    expect(result.rows).toBe(1);
    expect(Buffer.concat(chunks).toString('utf8')).toContain('+12125550175');
    const [started] = await entriesOf('export.dial_log.started', officer.name);
    const [done] = await entriesOf('export.dial_log', officer.name);
    expect(started?.details).toMatchObject({ fullNumbers: true, via: 'api', output: '(test)' });
    expect(done?.details).toMatchObject({ rows: 1, sha256: result.sha256, bytes: result.bytes });
  });
});
