import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { addDnc, scopeRef } from '../../db/queries/dnc.ts';
import { retentionReport } from '../../db/queries/retention.ts';
import type { RetentionRow } from '../../engine/compliance/retention.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { makeBatch, makeCampaign, makeClient, makeContact } from './db-fixtures.ts';

const DAY = 86_400_000;

describeEachDatabase('retention by preset', (handle) => {
  // Records dated from the real clock: a purge never runs at a moment in the future.
  const now = new Date();
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const recordingsDir = mkdtempSync(join(tmpdir(), 'dialer-test-recordings-'));
  let cn: { id: number };
  let us: { id: number };

  /** A finished call with its recording, `days` ago. */
  async function callWithRecording(
    campaignId: number,
    contact: { id: number; phone_e164: string },
    days: number,
  ) {
    const { db } = handle();
    const at = ago(days);
    const row = await createAttempt(db, {
      campaignId,
      contactId: contact.id,
      phoneE164: contact.phone_e164,
      channelId: `ret-${campaignId}-${contact.id}-${days}`,
      gateReasons: [],
      queuedAt: at,
    });
    await finalizeAttempt(db, row.id, { result: 'connected', endedAt: new Date(at.getTime() + 60_000) });
    await db
      .insertInto('recordings')
      .values({
        attempt_id: row.id,
        name: `rec-${row.id}`,
        format: 'wav',
        started_at: at,
        state: 'stored',
        stored_at: at,
        // As the recorder sets it: the campaign's preset minimum (CN 30 days, US 1826).
        purge_after: new Date(at.getTime() + (campaignId === cn.id ? 30 : 1826) * DAY),
        location: `rec-${row.id}.wav`,
      })
      .execute();
    writeFileSync(join(recordingsDir, `rec-${row.id}.wav`), 'RIFF');
  }

  beforeAll(async () => {
    const { db } = handle();
    const client = await makeClient(db);
    cn = await makeCampaign(db, client.id, {
      jurisdiction: 'CN',
      region: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
    });
    us = await makeCampaign(db, client.id);
    const a = await makeContact(db, cn.id, '+8613800138001', { consent_ref: 'CONSENT-1' });
    const b = await makeContact(db, cn.id, '+8613800138002', { consent_ref: 'CONSENT-2' });
    const c = await makeContact(db, us.id, '+12125550181');
    await callWithRecording(cn.id, a, 40); // past CN's 30 days
    await callWithRecording(cn.id, b, 10);
    await callWithRecording(us.id, c, 40); // well within the US 5 years
    await makeBatch(db, client.id, cn.id);
    await addDnc(db, {
      phoneE164: '+12125550182',
      ref: scopeRef('internal'),
      reason: 'asked',
      actor: 'test',
    });
  });

  const row = (rows: RetentionRow[], kind: string, campaignId: number | null) =>
    rows.find((r) => r.kind === kind && r.campaignId === campaignId);

  it('reports per kind and campaign what is kept, by which preset, until when, and what is due', async () => {
    const rows = await retentionReport(handle().db, now);
    expect(row(rows, 'dialLog', cn.id)).toMatchObject({
      preset: 'cn',
      minimumDays: 30,
      rows: 2,
      due: 1,
      purge: 'chained',
    });
    expect(row(rows, 'dialLog', cn.id)?.oldestKeptUntil).toEqual(new Date(ago(40).getTime() + 30 * DAY));
    expect(row(rows, 'dialLog', us.id)).toMatchObject({ preset: 'us', minimumDays: 1826, rows: 1, due: 0 });
    expect(row(rows, 'recordings', cn.id)).toMatchObject({ rows: 2, due: 1, purge: 'purge' });
    expect(row(rows, 'consentEvidence', cn.id)).toMatchObject({ rows: 2, due: 0, minimumDays: 30 });
    expect(row(rows, 'lists', cn.id)).toMatchObject({ rows: 1, minimumDays: 365 });
    // Shared by every campaign: the longest minimum of their presets governs.
    expect(row(rows, 'dncRequests', null)).toMatchObject({
      preset: 'us',
      minimumDays: 1826,
      rows: 1,
      due: 0,
    });
  });

  it('purges only the recordings past their minimum (file deleted, digest row kept), audited, and says so on the command line', async () => {
    const { db } = handle();
    const officer = await testUser(db, 'compliance_officer');
    const dialer = (...args: string[]) =>
      runCliInProcess(args, handle(), {
        token: officer.token,
        env: { DIALER_RECORDINGS_DIR: recordingsDir },
      });
    const dry = JSON.parse(
      (await dialer('--json', 'retention', 'purge', '--kind', 'recordings', '--dry-run')).stdout,
    );
    expect(dry).toMatchObject({ dryRun: true, due: [expect.any(Number)] });
    const purged = await dialer('retention', 'purge', '--kind', 'recordings');
    expect(purged.stdout).toContain('1 recording(s) purged (audited)');
    const left = await db
      .selectFrom('recordings')
      .select(['id', 'started_at', 'state'])
      .orderBy('started_at')
      .execute();
    expect(left.filter((r) => r.state === 'stored').map((r) => r.started_at)).toEqual([ago(40), ago(10)]); // the US one, the young CN one
    expect(left.filter((r) => r.state === 'purged').map((r) => r.id)).toEqual(dry.due);
    expect(existsSync(join(recordingsDir, `rec-${dry.due[0]}.wav`))).toBe(false);
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'recording.purge')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: officer.name, subject: `recording:${dry.due[0]}` });
    expect((await dialer('retention', 'purge', '--kind', 'recordings')).stdout).toContain(
      '0 recording(s) purged',
    );
  });

  it('refuses a kind it cannot purge and a moment in the future', async () => {
    const officer = await testUser(handle().db, 'compliance_officer');
    const dialer = (...args: string[]) => runCliInProcess(args, handle(), { token: officer.token });
    const unknown = await dialer('retention', 'purge', '--kind', 'consentEvidence');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('not purged here');
    const future = await dialer('retention', 'purge', '--kind', 'dialLog', '--at', '2999-01-01T00:00:00Z');
    expect(future.code).toBe(2);
    const report = await dialer('retention', 'report');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('dncRequests');
  });
});
