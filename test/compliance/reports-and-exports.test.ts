import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import { exportDialLog } from '../../db/queries/dial-log-export.ts';
import { recordGateDenials } from '../../db/queries/gate-denials.ts';
import { abandonmentReport, blockCategory, periodBounds, summaryReport } from '../../db/queries/reports.ts';
import { abandonmentDefinition } from '../../engine/compliance/abandonment.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import { describeEachDatabase } from '../support/database.ts';
import { makeCampaign, makeClient, makeContact } from './db-fixtures.ts';
import { input } from './gate-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'dialer-export-'));

describeEachDatabase('compliance reports and exports', (handle) => {
  let campaignId: number;

  beforeAll(async () => {
    const { db } = handle();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    campaignId = campaign.id;
    // Two days of calls: day 1 (8 June) 10 answered by a person, 1 abandoned; day 2 (9 June) 4 answered, 1 abandoned,
    // 2 machines, 3 unanswered.
    const calls: Array<{ day: string; kind: 'human' | 'abandoned' | 'machine' | 'no_answer' }> = [
      ...Array.from({ length: 9 }, () => ({ day: '2026-06-08', kind: 'human' as const })),
      { day: '2026-06-08', kind: 'abandoned' },
      ...Array.from({ length: 3 }, () => ({ day: '2026-06-09', kind: 'human' as const })),
      { day: '2026-06-09', kind: 'abandoned' },
      { day: '2026-06-09', kind: 'machine' },
      { day: '2026-06-09', kind: 'machine' },
      ...Array.from({ length: 3 }, () => ({ day: '2026-06-09', kind: 'no_answer' as const })),
    ];
    let i = 0;
    for (const c of calls) {
      const phone = `+1212555${String(2000 + i).padStart(4, '0')}`;
      const contact = await makeContact(db, campaign.id, phone);
      const at = new Date(`${c.day}T15:00:00Z`);
      const row = await createAttempt(db, {
        campaignId: campaign.id,
        contactId: contact.id,
        phoneE164: phone,
        channelId: `rep-${campaign.id}-${i++}`,
        gateReasons: [{ rule: 'dnc', status: 'pass', code: 'dnc.clear', message: 'clear' }],
        queuedAt: at,
      });
      const answered = c.kind !== 'no_answer';
      await finalizeAttempt(db, row.id, {
        result: c.kind === 'human' ? 'answered' : c.kind,
        ...(answered ? { answeredAt: at } : {}),
        ...(c.kind === 'human' ? { connectedAt: at } : {}),
        ...(c.kind === 'machine' ? { amdResult: 'MACHINE' } : {}),
        abandoned: c.kind === 'abandoned',
        // A value a spreadsheet would run as a formula.
        recordingRef: c.kind === 'human' ? '=HYPERLINK("http://x")' : null,
        endedAt: new Date(at.getTime() + 60_000),
      });
      if (c.kind === 'human') {
        await db
          .insertInto('outcomes')
          .values({
            attempt_id: row.id,
            contact_id: contact.id,
            campaign_id: campaign.id,
            tag: i % 2 ? 'completed' : 'refused',
            final: true,
            recorded_at: at,
          })
          .execute();
      }
    }
    const blocked = evaluateGate(
      input({
        now: '2026-06-09T03:00:00Z',
        facts: {
          dnc: [{ scope: 'internal', scopeKey: 'internal', reason: null, addedAt: null, expiresAt: null }],
        },
      }),
    );
    await recordGateDenials(db, [
      { campaignId: campaign.id, contactId: null, phoneE164: '+12125559999', decision: blocked },
    ]);
  });

  it('reports abandonment per day and over the rolling window', async () => {
    const report = await abandonmentReport(handle().db, {
      campaignId,
      jurisdiction: 'US',
      window: '30d',
      maxRate: 0.03,
      timeZone: 'America/New_York',
      days: 3,
      now: new Date('2026-06-10T16:00:00Z'),
    });
    expect(report.days.map((d) => [d.day, d.humanAnswered, d.abandoned])).toEqual([
      ['2026-06-08', 10, 1],
      ['2026-06-09', 4, 1],
      ['2026-06-10', 0, 0],
    ]);
    expect(report.days[0]).toMatchObject({ dayRate: 0.1, rollingRate: 0.1, overCap: true });
    expect(report.days[1]).toMatchObject({ dayRate: 0.25, rollingRate: 2 / 14 });
    expect(report.current).toMatchObject({ humanAnswered: 14, abandoned: 2, overCap: true });
    const uk = await abandonmentReport(handle().db, {
      campaignId,
      jurisdiction: 'UK',
      window: '24h',
      maxRate: 0.03,
      timeZone: 'America/New_York',
      days: 2,
      now: new Date('2026-06-10T14:00:00Z'),
    });
    expect(uk.days.map((d) => d.rollingRate)).toEqual([0.25, null]);
    expect(uk.current).toMatchObject({ humanAnswered: 4, abandoned: 1 });
  });

  it('counts by the campaign’s abandonment definition: Ofcom adds the estimate of persons AMD hung up on', async () => {
    const common = {
      campaignId,
      jurisdiction: 'US' as const,
      maxRate: 0.03,
      timeZone: 'America/New_York',
      days: 2,
    };
    const now = new Date('2026-06-10T14:00:00Z');
    // 9 June: 4 answered by a person, 1 abandoned, 2 machine verdicts; 1 in 2 of those taken to be a person.
    const uk = await abandonmentReport(handle().db, {
      ...common,
      window: '24h',
      now,
      definition: abandonmentDefinition('uk', { amdFalsePositiveShare: 0.5 }),
    });
    expect(uk.definition).toBe('uk');
    expect(uk.days[0]).toMatchObject({ machineVerdicts: 2, estimatedAmdFalsePositives: 1, dayRate: 2 / 5 });
    expect(uk.current).toMatchObject({ estimatedAmdFalsePositives: 1, rate: 2 / 5 });
    const us = await abandonmentReport(handle().db, {
      ...common,
      window: '24h',
      now,
      definition: abandonmentDefinition('us', { amdFalsePositiveShare: 0.5 }),
    });
    // The US counts them answered by a person, not abandoned.
    expect(us.days[0]).toMatchObject({ estimatedAmdFalsePositives: 1, dayRate: 1 / 5 });
  });

  it('names the moment each jurisdiction counts the 2-second rule from', async () => {
    const base = {
      campaignId,
      window: '30d' as const,
      maxRate: 0.03,
      timeZone: 'UTC',
      days: 1,
      now: new Date('2026-06-10T16:00:00Z'),
    };
    const us = await abandonmentReport(handle().db, { ...base, jurisdiction: 'US' });
    const cn = await abandonmentReport(handle().db, { ...base, jurisdiction: 'CN' });
    expect(us.abandonClock).toMatchObject({ from: 'greeting_end', column: 'answered_at' });
    expect(cn.abandonClock).toMatchObject({ from: 'sip_answer', column: 'sip_answered_at' });
    expect(cn.abandonClock.description).toContain('SIP answer');
  });

  it('summarizes a period per campaign with outcomes and blocks by reason', async () => {
    const bounds = periodBounds('week', new Date('2026-06-10T12:00:00Z'), 'UTC');
    expect(bounds.label).toBe('2026-W24');
    const [summary] = await summaryReport(handle().db, { ...bounds, campaignId });
    expect(summary).toMatchObject({
      attempts: 19,
      answered: 16,
      humanAnswered: 14,
      connected: 12,
      abandoned: 2,
      blocks: { dnc: 1, hours: 1 },
    });
    expect(summary!.answerRate).toBeCloseTo(16 / 19);
    expect(Object.values(summary!.outcomes).reduce((a, b) => a + b, 0)).toBe(12);
    const day = periodBounds('day', new Date('2026-06-08T12:00:00Z'), 'UTC');
    expect((await summaryReport(handle().db, { ...day, campaignId }))[0]).toMatchObject({ attempts: 10 });
    expect(blockCategory('calling_window.holiday')).toBe('hours');
    expect(blockCategory('retry_gap.too_soon')).toBe('attempts');
  });

  it('exports masked numbers by default, neutralizes formula cells, and hashes what it wrote', async () => {
    const path = join(dir, 'masked.csv');
    const result = await exportDialLog(handle().db, {
      filter: { campaignId, from: new Date('2026-06-08T00:00:00Z'), to: new Date('2026-06-09T00:00:00Z') },
      jurisdiction: 'US',
      format: 'csv',
      full: false,
      output: path,
    });
    const text = readFileSync(path, 'utf8');
    expect(result.rows).toBe(10);
    expect(result.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(text).not.toMatch(/\+1212555\d{4}/);
    expect(text).toContain(`'=HYPERLINK`);
    const header = text.split('\n')[0]!;
    expect(header).toContain('phone,agent_id');
    expect(header).toContain('originated_at,sip_answered_at,answered_at');
    expect(header).toContain('abandoned,abandon_clock_from');
    const firstRow = text.split('\n')[1]!;
    expect(firstRow).toContain(',greeting_end,');
  });

  it('exports full numbers as JSON lines when asked', async () => {
    const path = join(dir, 'full.jsonl');
    const result = await exportDialLog(handle().db, {
      filter: { campaignId },
      jurisdiction: 'CN',
      format: 'jsonl',
      full: true,
      output: path,
    });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(result.rows);
    expect(result.rows).toBe(19);
    expect(JSON.parse(lines[0]!).phone).toMatch(/^\+1212555\d{4}$/);
    expect(JSON.parse(lines[0]!).gate_codes).toEqual(['dnc.clear']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ abandon_clock_from: 'sip_answer', sip_answered_at: null });
  });
});
