import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { listApprovals, recordApproval, revokeApproval } from '../../db/queries/approvals.ts';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { addDnc, checkDnc, recordOptOut, removeDnc, scopeRef } from '../../db/queries/dnc.ts';
import { recordGateDenials } from '../../db/queries/gate-denials.ts';
import { gateInputFor, loadGateFacts, loadGateFactsForPhone } from '../../db/queries/gate-facts.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import { ConflictError } from '../../engine/platform/errors.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { makeBatch, makeCampaign, makeClient, makeContact, markRegistryFresh } from './db-fixtures.ts';

// A Wednesday, 12:00 in New York: inside every default window.
const NOW = new Date('2026-06-10T16:00:00Z');

describeEachDatabase('do-not-call and approvals', (handle) => {
  const decide = async (campaignId: number, contactId: number, now = NOW) => {
    const loaded = await loadGateFacts(handle().db, campaignId, [contactId], now);
    return evaluateGate(gateInputFor(loaded, contactId, now)!);
  };
  const status = async (id: number) =>
    await handle()
      .db.selectFrom('contacts')
      .select(['status', 'status_reason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('blocks an opted-out number in every campaign at once', async () => {
    const { db } = handle();
    await markRegistryFresh(db, new Date('2026-06-01T00:00:00Z'));
    const client = await makeClient(db);
    const other = await makeClient(db);
    const a = await makeCampaign(db, client.id);
    const b = await makeCampaign(db, other.id);
    const inA = await makeContact(db, a.id, '+12125550301');
    const inB = await makeContact(db, b.id, '+12125550301');
    expect((await decide(a.id, inA.id)).allowed).toBe(true);
    const result = await recordOptOut(db, '+12125550301', {
      source: 'agent tag',
      attemptId: 12,
      actor: 'agent-7',
    });
    expect(result.contactsBlocked).toBe(2);
    for (const [campaign, contact] of [
      [a, inA],
      [b, inB],
    ] as const) {
      const d = await decide(campaign.id, contact.id);
      expect(d.denials.map((r) => r.code)).toEqual(['dnc.internal']);
      expect((await status(contact.id)).status).toBe('blocked');
    }
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'dnc.opt_out').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).not.toContain('+12125550301');
  });

  it('reads the client blacklist and the campaign list at dial time, not only at import', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550302');
    await db.updateTable('contacts').set({ status: 'in_progress' }).where('id', '=', contact.id).execute();
    await addDnc(db, { phoneE164: contact.phone_e164, ref: scopeRef('client', client.id), actor: 'officer' });
    expect((await decide(campaign.id, contact.id)).denials.map((r) => r.code)).toEqual(['blacklist.client']);
    // A contact in a call is not touched by the list; the gate stops its next attempt.
    expect((await status(contact.id)).status).toBe('in_progress');
    await addDnc(db, {
      phoneE164: contact.phone_e164,
      ref: scopeRef('campaign', campaign.id),
      actor: 'officer',
    });
    expect((await decide(campaign.id, contact.id)).denials.map((r) => r.code)).toEqual([
      'dnc.campaign',
      'blacklist.client',
    ]);
    const hits = await checkDnc(db, contact.phone_e164);
    expect(hits.map((h) => h.scopeKey).sort()).toEqual([`campaign:${campaign.id}`, `client:${client.id}`]);
  });

  it('releases the contacts it blocked when an entry is removed', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550303');
    await addDnc(db, { phoneE164: contact.phone_e164, ref: scopeRef('campaign', campaign.id), actor: 'o' });
    expect((await status(contact.id)).status).toBe('blocked');
    const removed = await removeDnc(db, {
      phoneE164: contact.phone_e164,
      ref: scopeRef('campaign', campaign.id),
      reason: 'added by mistake',
      actor: 'o',
    });
    expect(removed.contactsReleased).toBe(1);
    expect(await status(contact.id)).toEqual({ status: 'ready', status_reason: null });
    await expect(
      removeDnc(db, {
        phoneE164: contact.phone_e164,
        ref: scopeRef('campaign', campaign.id),
        reason: 'again',
        actor: 'o',
      }),
    ).rejects.toThrow(/does not exist/);
  });

  it('keeps every addition and removal as a record: `dnc history`, and no removal without a reason', async () => {
    const officer = await testUser(handle().db, 'compliance_officer');
    const dialer = (...args: string[]) => runCliInProcess(args, handle(), { token: officer.token });
    expect((await dialer('dnc', 'add', '2125550388', '--scope', 'internal', '--reason', 'asked')).code).toBe(
      0,
    );
    const noReason = await dialer('dnc', 'remove', '2125550388', '--scope', 'internal');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    const removed = await dialer(
      'dnc',
      'remove',
      '2125550388',
      '--scope',
      'internal',
      '--reason',
      'wrong number',
    );
    expect(removed.code, removed.stderr).toBe(0);
    const history = await dialer('--json', 'dnc', 'history', '2125550388');
    expect(history.code, history.stderr).toBe(0);
    const parsed = JSON.parse(history.stdout);
    expect(parsed.phone).not.toContain('2125550388');
    expect(parsed.events.map((e: { action: string; reason: string }) => [e.action, e.reason])).toEqual([
      ['add', 'asked'],
      ['remove', 'wrong number'],
    ]);
  });

  it('blocks a number in the national registry (US)', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550304');
    await db.insertInto('national_dnc').values({ phone_e164: contact.phone_e164 }).execute();
    expect((await decide(campaign.id, contact.id)).denials.map((r) => r.code)).toEqual(['dnc.national']);
  });

  it('releases held contacts when an approval of their batch is recorded, and holds them again on revocation', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const batch = await makeBatch(db, client.id, campaign.id);
    const held = await makeContact(db, campaign.id, '+12125550310', {
      batch_id: batch.id,
      needs_approval: true,
      status: 'awaiting_approval',
    });
    const dialed = await makeContact(db, campaign.id, '+12125550311', {
      batch_id: batch.id,
      needs_approval: true,
      status: 'awaiting_approval',
    });
    expect((await decide(campaign.id, held.id)).denials.map((r) => r.code)).toEqual(['approval.missing']);

    const recorded = await recordApproval(db, {
      clientId: client.id,
      campaignId: campaign.id,
      batchId: batch.id,
      reference: 'DOC-1',
      approvedBy: 'J. Smith, Acme',
      actor: 'officer',
      now: new Date('2026-06-09T00:00:00Z'),
    });
    expect(recorded.contactsReleased).toBe(2);
    expect((await status(held.id)).status).toBe('ready');
    expect((await decide(campaign.id, held.id)).allowed).toBe(true);

    // One of them is dialed before the revocation.
    const attempt = await createAttempt(db, {
      campaignId: campaign.id,
      contactId: dialed.id,
      phoneE164: dialed.phone_e164,
      channelId: `appr-${dialed.id}`,
      gateReasons: [],
      queuedAt: new Date('2026-06-09T15:00:00Z'),
    });
    await finalizeAttempt(db, attempt.id, {
      result: 'no_answer',
      endedAt: new Date('2026-06-09T15:01:00Z'),
      finalizedAt: new Date('2026-06-09T15:01:00Z'),
    });

    const revoked = await revokeApproval(db, recorded.approval.id, {
      reason: 'owner withdrew consent',
      actor: 'officer',
      now: new Date('2026-06-10T15:00:00Z'),
    });
    expect(revoked.contactsHeld).toBe(1);
    expect(await status(held.id)).toMatchObject({ status: 'awaiting_approval' });
    expect((await status(dialed.id)).status).toBe('ready');
    // The dialed one is stopped by the gate.
    expect((await decide(campaign.id, dialed.id)).denials.map((r) => r.code)).toEqual(['approval.revoked']);
    // Before the revocation was recorded, the approval held.
    expect((await decide(campaign.id, dialed.id, new Date('2026-06-10T14:30:00Z'))).allowed).toBe(true);

    await expect(
      revokeApproval(db, recorded.approval.id, { reason: 'again', actor: 'officer' }),
    ).rejects.toBeInstanceOf(ConflictError);
    const list = await listApprovals(db, { campaignId: campaign.id });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ reference: 'DOC-1', revoke_reason: 'owner withdrew consent' });
    // Approvals are immutable: the original row is unchanged, the revocation is a new row.
    const rows = await db
      .selectFrom('remarketing_approvals')
      .selectAll()
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.id === recorded.approval.id)?.revoke_reason).toBeNull();
  });

  it('covers listed numbers only, and keeps contacts another approval still covers', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const named = await makeContact(db, campaign.id, '+12125550320', {
      needs_approval: true,
      status: 'awaiting_approval',
    });
    const notNamed = await makeContact(db, campaign.id, '+12125550321', {
      needs_approval: true,
      status: 'awaiting_approval',
    });
    const first = await recordApproval(db, {
      clientId: client.id,
      campaignId: campaign.id,
      numbers: [named.phone_e164],
      reference: 'N-1',
      approvedBy: 'Owner',
      actor: 'o',
      now: new Date('2026-06-01T00:00:00Z'),
    });
    expect(first.contactsReleased).toBe(1);
    expect((await status(notNamed.id)).status).toBe('awaiting_approval');
    await recordApproval(db, {
      clientId: client.id,
      campaignId: campaign.id,
      numbers: [named.phone_e164],
      reference: 'N-2',
      approvedBy: 'Owner',
      actor: 'o',
      now: new Date('2026-06-02T00:00:00Z'),
    });
    const revoked = await revokeApproval(db, first.approval.id, { reason: 'superseded', actor: 'o' });
    expect(revoked.contactsHeld).toBe(0);
    expect((await decide(campaign.id, named.id)).results.find((r) => r.rule === 'approval')?.code).toBe(
      'approval.valid',
    );
  });

  it('refuses an approval with neither a batch nor numbers', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    await expect(
      recordApproval(db, {
        clientId: client.id,
        campaignId: campaign.id,
        reference: 'x',
        approvedBy: 'y',
        actor: 'z',
      }),
    ).rejects.toThrow(/either a batch or a list of numbers/);
  });

  it('loads attempts, the last result and abandoned calls from the dial log', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id, { attempts: { maxPerDay: 2 } });
    const other = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550330');
    const elsewhere = await makeContact(db, other.id, '+12125550330');
    const call = async (
      campaignId: number,
      contactId: number,
      at: string,
      final: { result: string; abandoned?: boolean },
    ) => {
      const row = await createAttempt(db, {
        campaignId,
        contactId,
        phoneE164: '+12125550330',
        channelId: `f-${contactId}-${at}`,
        gateReasons: [],
        queuedAt: new Date(at),
      });
      await finalizeAttempt(db, row.id, {
        ...final,
        ...(final.abandoned ? { answeredAt: new Date(at) } : {}),
        endedAt: new Date(new Date(at).getTime() + 60_000),
      });
    };
    await call(campaign.id, contact.id, '2026-06-09T15:00:00Z', { result: 'no_answer' });
    await call(campaign.id, contact.id, '2026-06-10T13:00:00Z', { result: 'busy' });
    const loaded = await loadGateFacts(db, campaign.id, [contact.id], NOW);
    const facts = loaded.contacts.get(contact.id)!.facts;
    expect(facts.attemptsTotal).toBe(2);
    expect(facts.recentAttemptTimes.map((t) => t.toISOString()).sort()).toEqual([
      '2026-06-09T15:00:00.000Z',
      '2026-06-10T13:00:00.000Z',
    ]);
    expect(facts.lastAttempt).toEqual({ result: 'busy', at: new Date('2026-06-10T13:01:00Z') });
    expect(facts.openAttempt).toBe(false);
    // An abandoned call in another campaign to the same number.
    await call(other.id, elsewhere.id, '2026-06-10T14:00:00Z', { result: 'abandoned', abandoned: true });
    const d = await decide(campaign.id, contact.id);
    expect(d.denials.map((r) => r.code)).toEqual(['abandon_repeat.within_window']);
    // The abandonment figures of the other campaign: 1 of 1.
    const otherFacts = await loadGateFacts(db, other.id, [elsewhere.id], NOW);
    expect(otherFacts.campaignFacts.abandonment).toMatchObject({ abandoned: 1, humanAnswered: 1 });
    expect(evaluateGate(gateInputFor(otherFacts, elsewhere.id, NOW)!).predictiveAllowed).toBe(false);
    // Two calls today in New York (13:00Z, 14:00Z is the other campaign's): one in this campaign.
    const later = await decide(campaign.id, contact.id, new Date('2026-06-13T16:00:00Z'));
    expect(later.allowed).toBe(true);
  });

  it('checks any number for a campaign, contact or not', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const first = await makeCampaign(db, client.id);
    const second = await makeCampaign(db, client.id);
    await makeContact(db, first.id, '+13105550340');
    const loaded = await loadGateFactsForPhone(db, second.id, '+13105550340', NOW);
    expect(loaded.contactId).toBeNull();
    const d = evaluateGate(gateInputFor(loaded, 0, NOW)!);
    expect(d.denials.map((r) => r.code)).toContain('approval.missing');
    expect(loaded.contacts.get(0)!.contact.timeZone).toBe('America/Los_Angeles');
  });

  it('records the gate’s refusals for the reports', async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, '+12125550350');
    await addDnc(db, { phoneE164: contact.phone_e164, ref: scopeRef('campaign', campaign.id), actor: 'o' });
    const decision = await decide(campaign.id, contact.id);
    const written = await recordGateDenials(db, [
      { campaignId: campaign.id, contactId: contact.id, phoneE164: contact.phone_e164, decision },
    ]);
    expect(written).toBe(1);
    const rows = await sql<{
      codes: string[];
    }>`select codes from gate_denials where campaign_id = ${campaign.id}`.execute(db);
    expect(rows.rows[0]!.codes).toEqual(['dnc.campaign']);
  });
});
