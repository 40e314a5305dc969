import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listRecordings } from '../../db/queries/recordings.ts';
import { defineQaForm, scoreRecording } from '../../engine/recordings/qa-service.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { type RecordedRun, runRecordedCampaign } from './recorded-campaign.ts';

describeEachDatabase('the weekly and monthly summary', (database) => {
  let run: RecordedRun;
  let manager: TestUser;
  let at: string;
  const cli = (args: string[]) => runCliInProcess(args, database(), { token: manager.token });

  beforeAll(async () => {
    // Two people (5, 6) and a busy line (0); every person scores 4 after the call.
    run = await runRecordedCampaign(database, {
      lastDigits: [5, 6, 0],
      campaign: { recording: { enabled: true }, satisfaction: { enabled: true } },
      simulator: { callees: { dtmf: '4' } },
      during: async ({ engine, simulated }) => {
        simulated.telephony.onEvent((event) => {
          if (event.type === 'connected') void engine.runners[0]?.sendToSatisfaction(event.attemptId);
        });
      },
    });
    const { db } = database();
    manager = await testUser(db, 'manager');
    const qa = await testUser(db, 'qa');
    const qaPrincipal = { userId: 0, name: qa.name, role: 'qa' as const };
    await defineQaForm(db, qaPrincipal, run.campaignId, {
      name: 'call',
      passMark: 50,
      criteria: [{ id: 'courtesy', label: 'Courtesy', weight: 1, maxPoints: 4 }],
    });
    const [recording] = await listRecordings(db, { campaignId: run.campaignId });
    await scoreRecording(db, qaPrincipal, { recordingId: recording?.id ?? -1, points: { courtesy: 3 } });
    const first = await db
      .selectFrom('call_attempts')
      .select('queued_at')
      .where('campaign_id', '=', run.campaignId)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    at = first.queued_at.toISOString();
  }, 120_000);
  afterAll(() => run?.cleanup());

  interface Figures {
    dials: number;
    connects: number;
    connectionRate: number;
    abandonDayMax: number | null;
    outcomes: Record<string, number>;
    agentHours: number;
    talkHours: number;
    occupancy: number;
    qa: { evaluations: number; averageScore: number };
    satisfaction: { asked: number; scored: number; average: number; distribution: Record<string, number> };
  }

  async function figures(period: string): Promise<Figures> {
    const result = await cli([
      '--json',
      'report',
      'summary',
      '--period',
      period,
      '--at',
      at,
      '--campaign',
      String(run.campaignId),
    ]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { management: { campaigns: Figures[] } };
    expect(json.management.campaigns).toHaveLength(1);
    return json.management.campaigns[0] as Figures;
  }

  it('counts dials, connects and the connection rate, and the outcomes by type', async () => {
    const week = await figures('week');
    expect(week).toMatchObject({ dials: 3, connects: 2, connectionRate: 0.6667, abandonDayMax: 0 });
    expect(Object.values(week.outcomes).reduce((a, b) => a + b, 0)).toBe(3);
    expect(week.outcomes.busy).toBe(1);
  });

  it('gives agent hours, talk hours and occupancy, QA scores and satisfaction', async () => {
    const month = await figures('month');
    expect(month.agentHours).toBeGreaterThan(0);
    expect(month.talkHours).toBeGreaterThan(0);
    expect(month.occupancy).toBeCloseTo(month.talkHours / month.agentHours, 1);
    expect(month.qa).toMatchObject({ evaluations: 1, averageScore: 75 });
    expect(month.satisfaction).toMatchObject({ asked: 2, scored: 2, average: 4, distribution: { '4': 2 } });
  });

  it('writes a CSV with the management figures beside the dial-log ones', async () => {
    const output = join(run.folder.root, '..', 'summary.csv');
    const result = await cli([
      'report',
      'summary',
      '--period',
      'week',
      '--at',
      at,
      '--campaign',
      String(run.campaignId),
      '--format',
      'csv',
      '--output',
      output,
    ]);
    expect(result.code).toBe(0);
    const rows = parse(readFileSync(output), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dials: '3',
      connects: '2',
      connection_rate: '0.6667',
      satisfaction_average: '4',
      qa_evaluations: '1',
    });
  });

  it('writes a self-contained HTML report with SVG charts and no script', async () => {
    const output = join(run.folder.root, '..', 'summary.html');
    const result = await cli([
      'report',
      'summary',
      '--period',
      'month',
      '--at',
      at,
      '--format',
      'html',
      '--output',
      output,
    ]);
    expect(result.code).toBe(0);
    const html = readFileSync(output, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`Campaign ${run.campaignId}`);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
