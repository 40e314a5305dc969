import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findRecording, listRecordings } from '../../db/queries/recordings.ts';
import { sha256 } from '../../engine/recordings/recording-files-store.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { type RecordedRun, runRecordedCampaign } from '../recordings/recorded-campaign.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { COLLECTIONS_FORM as FORM } from '../support/qa-form.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

describeEachDatabase('API: recordings and quality inspection', (database) => {
  let run: RecordedRun;
  let serving: Serving;
  let qa: TestUser;
  let agent: TestUser;
  let manager: TestUser;
  let recordingId: number;
  const as = (user: TestUser) => bearer(serving.url, user.token);
  const downloadAudits = (actor: string) =>
    database()
      .db.selectFrom('audit_log')
      .select(['actor', 'role', 'subject', 'details'])
      .where('action', '=', 'recording.download')
      .where('actor', '=', actor)
      .execute();

  beforeAll(async () => {
    run = await runRecordedCampaign(database, {
      lastDigits: [5, 6],
      campaign: { recording: { enabled: true } },
    });
    const { db } = database();
    qa = await testUser(db, 'qa');
    agent = await testUser(db, 'agent');
    manager = await testUser(db, 'manager');
    const [first] = await listRecordings(db, { campaignId: run.campaignId, state: 'stored' });
    recordingId = first?.id ?? -1;
    serving = await serveForTest(database(), { env: { DIALER_RECORDINGS_DIR: run.folder.root } });
  }, 120_000);
  afterAll(async () => {
    await serving?.stop();
    run?.cleanup();
  });

  it('lists the campaign’s recordings like `dialer recording list`: contact ids, no numbers, no file path', async () => {
    const response = await as(qa)(`/api/recordings?campaign=${run.campaignId}&state=stored`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const rows = JSON.parse(text) as Array<{ id: number; state: string; durationSeconds: number }>;
    expect(rows.map((r) => r.state)).toEqual(['stored', 'stored']);
    expect(rows.map((r) => r.id)).toContain(recordingId);
    expect(rows.every((r) => r.durationSeconds > 0)).toBe(true);
    expect(text).not.toMatch(/\+1212|location|recordings-test-/);
  });

  it('refuses a filter it does not know with the API’s error shape', async () => {
    const response = await as(qa)('/api/recordings?state=lost');
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request', field: 'querystring.state' });
  });

  it('refuses the file to an agent (403), and audits nothing', async () => {
    const response = await as(agent)(`/api/recordings/${recordingId}/file`);
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ code: 'forbidden' });
    expect(await downloadAudits(agent.name)).toEqual([]);
  });

  it('hands QA the stored wav bytes, hash-checked, and audits the download with the digest', async () => {
    const response = await as(qa)(`/api/recordings/${recordingId}/file`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await response.arrayBuffer());
    const row = await findRecording(database().db, { id: recordingId });
    expect(bytes.equals(readFileSync(run.folder.pathOf(row?.location ?? '')))).toBe(true);
    expect(sha256(bytes)).toBe(row?.sha256);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(await downloadAudits(qa.name)).toEqual([
      {
        actor: qa.name,
        role: 'qa',
        subject: `recording:${recordingId}`,
        details: expect.objectContaining({ sha256: row?.sha256, sizeBytes: bytes.length }),
      },
    ]);
  });

  it('refuses a file that no longer matches its SHA-256: no bytes, no audit', async () => {
    const [, second] = await listRecordings(database().db, { campaignId: run.campaignId, state: 'stored' });
    const path = run.folder.pathOf(second?.location ?? '');
    const original = readFileSync(path);
    const altered = Buffer.from(original);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0xff;
    writeFileSync(path, altered);
    try {
      const officer = await testUser(database().db, 'compliance_officer');
      const response = await as(officer)(`/api/recordings/${second?.id}/file`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect((await errorOf(response)).message).toMatch(/does not match its recorded SHA-256/);
      expect(await downloadAudits(officer.name)).toEqual([]);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('records a score against the campaign’s form, and a correction as a new record', async () => {
    const noForm = await as(qa)(`/api/campaigns/${run.campaignId}/qa-form`);
    expect(noForm.status).toBe(404);
    const put = await as(manager)(`/api/campaigns/${run.campaignId}/qa-form`, {
      method: 'PUT',
      body: JSON.stringify(FORM),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ version: 1, form: { name: FORM.name } });
    expect((await as(qa)(`/api/campaigns/${run.campaignId}/qa-form`)).status).toBe(200);

    const scored = await as(qa)(`/api/recordings/${recordingId}/evaluations`, {
      method: 'POST',
      body: JSON.stringify({ points: { greeting: 5, disclosure: 2 }, note: 'rushed disclosure' }),
    });
    expect(scored.status).toBe(200);
    const first = (await scored.json()) as { id: number; score: number; passed: boolean };
    // (1×5/5 + 3×2/5) / 4 = 55 %: below the pass mark.
    expect(first).toMatchObject({ score: 55, passed: false });

    const corrected = await as(qa)(`/api/recordings/${recordingId}/evaluations`, {
      method: 'POST',
      body: JSON.stringify({
        points: { greeting: 5, disclosure: 5 },
        corrects: { evaluationId: first.id, reason: 'disclosure was given after the hold' },
      }),
    });
    expect(corrected.status).toBe(200);
    expect(await corrected.json()).toMatchObject({
      score: 100,
      passed: true,
      correctsEvaluationId: first.id,
    });

    const detail = (await (await as(qa)(`/api/recordings/${recordingId}`)).json()) as {
      evaluations: Array<{ id: number }>;
    };
    expect(detail.evaluations).toHaveLength(2);
    const report = (await (await as(manager)(`/api/qa/report?campaign=${run.campaignId}`)).json()) as Array<{
      evaluations: number;
      averageScore: number;
    }>;
    expect(report.map((r) => r.evaluations).reduce((a, b) => a + b, 0)).toBe(1);
    expect(report[0]?.averageScore).toBe(100);
  });

  it('refuses an evaluation with a criterion missing from the form: 422, nothing recorded', async () => {
    const before = await database().db.selectFrom('qa_evaluations').select('id').execute();
    const response = await as(qa)(`/api/recordings/${recordingId}/evaluations`, {
      method: 'POST',
      body: JSON.stringify({ points: { greeting: 5 } }),
    });
    expect(response.status).toBe(422);
    expect(await database().db.selectFrom('qa_evaluations').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('serves the management summary of `dialer report summary` as json, csv and an html page with charts', async () => {
    const row = await findRecording(database().db, { id: recordingId });
    const query = `period=week&campaign=${run.campaignId}&at=${row?.startedAt.toISOString()}`;
    const asJson = await as(manager)(`/api/reports/summary?${query}`);
    expect(asJson.status).toBe(200);
    const body = (await asJson.json()) as {
      management: { campaigns: Array<{ campaignId: number; dials: number; connects: number }> };
    };
    expect(body.management.campaigns).toEqual([
      expect.objectContaining({ campaignId: run.campaignId, dials: 2, connects: 2 }),
    ]);

    const csv = await as(manager)(`/api/reports/summary?${query}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, line, ...rest] = (await csv.text()).trim().split('\n');
    expect(rest).toEqual([]);
    const columns = header?.split(',') ?? [];
    const cells = line?.split(',') ?? [];
    expect(cells[columns.indexOf('campaign_id')]).toBe(String(run.campaignId));
    expect(cells[columns.indexOf('dials')]).toBe('2');

    const html = await as(manager)(`/api/reports/summary?${query}&format=html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await html.text();
    expect(page).toMatch(/<svg/);
    expect(page).not.toMatch(/<script/);
  });

  it('refuses the summary to an agent (report.read is staff only)', async () => {
    const response = await as(agent)('/api/reports/summary?format=html');
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ code: 'forbidden' });
  });

  it('lists the routes in the OpenAPI document with their permissions', async () => {
    const response = await fetch(`${serving.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      paths: Record<string, Record<string, { 'x-permission'?: string }>>;
    };
    expect(doc.paths['/api/recordings/{id}/file']?.get?.['x-permission']).toBe('recording.download');
    expect(doc.paths['/api/recordings/{id}/evaluations']?.post?.['x-permission']).toBe('qa.score');
    expect(doc.paths['/api/campaigns/{id}/qa-form']?.put?.['x-permission']).toBe('qa.form');
    expect(doc.paths['/api/reports/summary']?.get?.['x-permission']).toBe('report.read');
  });
});
