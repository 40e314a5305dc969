import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyEvidence } from '../../db/queries/evidence-verify.ts';
import { findRecording, listRecordings } from '../../db/queries/recordings.ts';
import { sha256 } from '../../engine/recordings/recording-files-store.ts';
import { runCliInProcess } from '../cli/cli-run.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { type RecordedRun, runRecordedCampaign } from './recorded-campaign.ts';

const DAY = 86_400_000;

describeEachDatabase('recordings from the command line', (database) => {
  let run: RecordedRun;
  let qa: TestUser;
  let agent: TestUser;
  let officer: TestUser;
  let recordingId: number;
  const env = () => ({ DIALER_RECORDINGS_DIR: run.folder.root });
  const cli = (args: string[], user: TestUser, now?: Date) =>
    runCliInProcess(['--json', ...args], database(), {
      token: user.token,
      env: env(),
      ...(now ? { now: () => now } : {}),
    });
  const auditOf = (action: string) =>
    database()
      .db.selectFrom('audit_log')
      .select(['actor', 'action', 'subject', 'details'])
      .where('action', '=', action)
      .execute();

  beforeAll(async () => {
    run = await runRecordedCampaign(database, {
      lastDigits: [5, 6],
      campaign: { recording: { enabled: true } },
    });
    const { db } = database();
    qa = await testUser(db, 'qa');
    agent = await testUser(db, 'agent');
    officer = await testUser(db, 'compliance_officer');
    const [first] = await listRecordings(db, { campaignId: run.campaignId, state: 'stored' });
    recordingId = first?.id ?? -1;
  }, 120_000);
  afterAll(() => run?.cleanup());

  it('lists the campaign’s recordings for QA, with duration and state, and no phone numbers', async () => {
    const result = await cli(['recording', 'list', '--campaign', String(run.campaignId)], qa);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ state: string; durationSeconds: number }>;
    expect(rows.map((r) => r.state)).toEqual(['stored', 'stored']);
    expect(rows.every((r) => r.durationSeconds > 0)).toBe(true);
    expect(result.stdout).not.toMatch(/\+1212/);
  });

  it('refuses a download to an agent: nothing written, nothing audited', async () => {
    const output = join(run.folder.root, '..', 'agent-copy.wav');
    const result = await cli(['recording', 'download', String(recordingId), '--output', output], agent);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/qa or compliance_officer/);
    expect(existsSync(output)).toBe(false);
    expect((await auditOf('recording.download')).filter((a) => a.actor === agent.name)).toEqual([]);
  });

  it('hands QA a hash-checked copy (0600) and audits it with the digest', async () => {
    const output = join(run.folder.root, '..', 'qa-copy.wav');
    const result = await cli(['recording', 'download', String(recordingId), '--output', output], qa);
    expect(result.code).toBe(0);
    const row = await findRecording(database().db, { id: recordingId });
    expect(sha256(readFileSync(output))).toBe(row?.sha256);
    const audits = (await auditOf('recording.download')).filter((a) => a.actor === qa.name);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      subject: `recording:${recordingId}`,
      details: { sha256: row?.sha256 },
    });
  });

  it('refuses a file that no longer matches its recorded SHA-256', async () => {
    const [, second] = await listRecordings(database().db, { campaignId: run.campaignId, state: 'stored' });
    const path = run.folder.pathOf(second?.location ?? '');
    const original = readFileSync(path);
    const altered = Buffer.from(original);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0xff;
    writeFileSync(path, altered);
    try {
      const output = join(run.folder.root, '..', 'altered-copy.wav');
      const result = await cli(['recording', 'download', String(second?.id), '--output', output], officer);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/does not match its recorded SHA-256/);
      expect(existsSync(output)).toBe(false);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('scores a recording against the campaign’s form, append-only, a correction being a new record', async () => {
    const formFile = join(run.folder.root, '..', 'form.json');
    writeFileSync(
      formFile,
      JSON.stringify({
        name: 'collections call',
        passMark: 70,
        criteria: [
          { id: 'greeting', label: 'Greets and names the company', weight: 1, maxPoints: 5 },
          { id: 'disclosure', label: 'States the debt disclosure', weight: 3, maxPoints: 5 },
        ],
      }),
    );
    expect((await cli(['qa', 'form', 'set', String(run.campaignId), '--file', formFile], qa)).code).toBe(0);
    const first = await cli(['qa', 'score', String(recordingId), 'greeting=5', 'disclosure=2'], qa);
    expect(first.code).toBe(0);
    const evaluation = JSON.parse(first.stdout) as {
      id: number;
      score: number;
      passed: boolean;
      rowHash: string;
    };
    // (1×5/5 + 3×2/5) / 4 = 55 %: below the pass mark.
    expect(evaluation).toMatchObject({ score: 55, passed: false });
    expect(evaluation.rowHash).toMatch(/^[0-9a-f]{64}$/);
    const correction = await cli(
      [
        'qa',
        'score',
        String(recordingId),
        'greeting=5',
        'disclosure=4',
        '--corrects',
        String(evaluation.id),
        '--reason',
        'misheard the disclosure',
      ],
      qa,
    );
    expect(correction.code).toBe(0);
    expect(JSON.parse(correction.stdout)).toMatchObject({
      score: 85,
      passed: true,
      correctsEvaluationId: evaluation.id,
    });
    const again = await cli(
      [
        'qa',
        'score',
        String(recordingId),
        'greeting=1',
        'disclosure=1',
        '--corrects',
        String(evaluation.id),
        '--reason',
        'x',
      ],
      qa,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/corrected already/);
    await expect(
      database()
        .db.updateTable('qa_evaluations')
        .set({ score: 100 })
        .where('id', '=', evaluation.id)
        .execute(),
    ).rejects.toThrow(/append-only/);
    // Both records are sealed into the evidence chain, which still verifies.
    const verified = await verifyEvidence(database().db);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    const report = await cli(['qa', 'report', '--campaign', String(run.campaignId)], qa);
    expect(JSON.parse(report.stdout)).toEqual([
      expect.objectContaining({ campaignId: run.campaignId, evaluations: 1, averageScore: 85, passRate: 1 }),
    ]);
  });

  it('refuses a score with a criterion missing or out of range, recording nothing', async () => {
    const before = await database().db.selectFrom('qa_evaluations').select('id').execute();
    const result = await cli(['qa', 'score', String(recordingId), 'greeting=9'], qa);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/greeting: 9 is not a whole number from 0 to 5/);
    expect(await database().db.selectFrom('qa_evaluations').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('purges after the retention only, deleting the file, keeping the digest, audited', async () => {
    const stored = await listRecordings(database().db, { campaignId: run.campaignId, state: 'stored' });
    const storedAt = stored[0]?.storedAt ?? new Date();
    const early = await cli(
      ['recording', 'purge', '--at', new Date(storedAt.getTime() + 100 * DAY).toISOString()],
      officer,
    );
    expect(JSON.parse(early.stdout)).toMatchObject({ purged: [] });
    const late = await cli(
      ['recording', 'purge', '--at', new Date(storedAt.getTime() + 1827 * DAY).toISOString()],
      officer,
    );
    expect(late.code).toBe(0);
    expect((JSON.parse(late.stdout) as { purged: unknown[] }).purged).toHaveLength(stored.length);
    for (const r of stored) {
      const row = await findRecording(database().db, { id: r.id });
      expect(row).toMatchObject({ state: 'purged', sha256: r.sha256, location: null });
      expect(existsSync(run.folder.pathOf(r.location ?? ''))).toBe(false);
    }
    const audits = await auditOf('recording.purge');
    expect(audits.map((a) => (a.details as { sha256: string }).sha256).sort()).toEqual(
      stored.map((r) => r.sha256).sort(),
    );
  });
});
