import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingFolder } from '../../engine/recordings/recording-files-store.ts';
import { createAriRecordingFiles } from '../../engine/telephony/ari/ari-recording-files.ts';
import type { SimulatedAgents } from '../../scripts/demo/simulated-agents.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { bearer, givePassword } from '../api/support.ts';
import { addContacts, runningCampaign, workingAgents } from '../engine/fixtures.ts';
import { type ManualTelephony, manualTelephony } from '../engine/simulated-telephony.ts';
import { testUser } from '../support/identity.ts';
import { COLLECTIONS_FORM as FORM } from '../support/qa-form.ts';
import {
  browserAvailable,
  consoleUnderTest,
  expectRefused,
  serveOnSimulator,
  signedInPage,
  statusInPage,
  stopAll,
  WAIT,
} from './browser.ts';

const SPEED = 10;
const DAY_MS = 86_400_000;

/** What the test reads of the page's <audio> element (the test is type-checked without the DOM). */
interface Media {
  play(): Promise<void>;
  readonly error: { code: number } | null;
  readonly readyState: number;
  readonly duration: number;
}

/**
 * The QA screen in headless Chromium, against `dialer serve`'s composition root with the ARI
 * simulator: the engine records a real simulated call and stores its file (fetched over ARI, as
 * `dialer serve` does), and the API serves it from the same folder, hash-checked and audited.
 */
describe.runIf(browserAvailable('qa-review.browser.test.ts'))('web console: quality review', () => {
  const under = consoleUnderTest();
  const root = mkdtempSync(join(tmpdir(), 'dialer-web-recordings-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('QA finds a recorded call by campaign, agent and day, plays and downloads it, and scores it against the campaign’s form; an agent is refused the screen and the API', async () => {
    const { handle, browser } = under;
    const { db } = handle;
    const folder = new RecordingFolder(join(root, 'recordings'));
    let simulated: ManualTelephony | undefined;
    let serving: Serving | undefined;
    let agents: SimulatedAgents | undefined;
    const pageErrors: string[] = [];
    try {
      simulated = await manualTelephony({ speed: SPEED, simulator: { agents: { answerDelayMs: 300 } } });
      const { clock, sim } = simulated;
      const { campaign, definition } = await runningCampaign(db, clock.now(), {
        mode: 'progressive',
        recording: { enabled: true },
        attempts: { maxPerContact: 1 },
        wrapUpSeconds: 5,
      });
      // Last digit 5: a person who answers and talks, so an agent is bridged and the call recorded.
      await addContacts(db, campaign.id, 1, {
        lastDigit: () => 5,
        nextAttemptAt: new Date(clock.now().getTime() - 60_000),
      });
      serving = await serveOnSimulator(under, simulated, {
        speed: SPEED,
        env: { DIALER_RECORDINGS_DIR: folder.root },
        recordings: {
          files: createAriRecordingFiles({ url: sim.url, username: sim.username, password: sim.password }),
          folder,
        },
      });
      agents = await workingAgents(
        db,
        clock,
        { campaignId: campaign.id, definition },
        1,
        `qa-${campaign.id}`,
      );
      // The call is over and its recording stored (fetched from the simulated Asterisk, hashed).
      const stored = async () =>
        db
          .selectFrom('recordings')
          .select(['id', 'agent_id', 'started_at', 'sha256', 'size_bytes'])
          .where('campaign_id', '=', campaign.id)
          .where('state', '=', 'stored')
          .executeTakeFirst();
      await expect.poll(stored, WAIT).toBeDefined();
      const recording = (await stored())!;
      expect(recording.agent_id).not.toBeNull();
      const agentId = String(recording.agent_id);
      const day = recording.started_at.toISOString().slice(0, 10);

      // A manager defines the campaign's evaluation form (tokens live in engine time, as the API does).
      const expiresAt = new Date(clock.now().getTime() + DAY_MS);
      const manager = await testUser(db, 'manager', { expiresAt });
      const put = await bearer(serving.url, manager.token)(`/api/campaigns/${campaign.id}/qa-form`, {
        method: 'PUT',
        body: JSON.stringify(FORM),
      });
      expect(put.status).toBe(200);

      const qa = await testUser(db, 'qa', { expiresAt });
      const agentUser = await testUser(db, 'agent');
      await givePassword(handle, qa.name);
      await givePassword(handle, agentUser.name);

      const { page, context } = await signedInPage(browser, serving.url, qa.name, '**/qa', pageErrors);

      // Find it: campaign, agent and day, each sent to GET /api/recordings, which matches them.
      await page.getByLabel('Campaign').selectOption(String(campaign.id));
      await page.getByLabel('Agent id').fill(agentId);
      const searched = page.waitForRequest(
        (r) => r.url().includes('/api/recordings?') && new URL(r.url()).searchParams.has('day'),
      );
      await page.getByLabel('Day').fill(day);
      const sent = new URL((await searched).url()).searchParams;
      expect([sent.get('campaign'), sent.get('agent'), sent.get('day')]).toEqual([
        String(campaign.id),
        agentId,
        day,
      ]);
      const rows = page.getByTestId('recordings').locator('tbody tr');
      await expect.poll(() => rows.count(), WAIT).toBe(1);
      // The day matters: the next day holds none of this campaign's recordings.
      const nextDay = new Date(recording.started_at.getTime() + DAY_MS).toISOString().slice(0, 10);
      await page.getByLabel('Day').fill(nextDay);
      await expect.poll(() => rows.count(), WAIT).toBe(0);
      await page.getByLabel('Day').fill(day);
      await expect.poll(() => rows.count(), WAIT).toBe(1);
      await page.getByRole('button', { name: `Open ${recording.id}` }).click();
      await page.getByTestId('recording').waitFor(WAIT);

      // Play in the page: the <audio> element's source is the API's file route, and the browser
      // gets playable audio from it (status, content type, and the element's own decoding).
      const file = `/api/recordings/${recording.id}/file`;
      const player = page.getByTestId('player');
      expect(await player.getAttribute('src')).toBe(file);
      // preload="none": nothing is fetched until the reviewer presses play.
      const audioAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === file, WAIT);
      await player.evaluate((audio) => (audio as unknown as Media).play());
      const answer = await audioAnswer;
      expect(answer.status()).toBe(200);
      expect(answer.headers()['content-type']).toBe('audio/wav');
      await expect
        .poll(
          () =>
            player.evaluate((element) => {
              const audio = element as unknown as Media;
              return {
                error: audio.error?.code ?? null,
                // HTMLMediaElement.HAVE_METADATA: the duration and format are known.
                metadata: audio.readyState >= 1,
                seconds: Number.isFinite(audio.duration) && audio.duration > 0,
              };
            }),
          WAIT,
        )
        .toEqual({ error: null, metadata: true, seconds: true });

      // The API audits every file it hands out with the reviewer's name: the play is on record.
      const audits = async () =>
        (
          await db
            .selectFrom('audit_log')
            .select('subject')
            .where('action', '=', 'recording.download')
            .where('actor', '=', qa.name)
            .execute()
        ).map((a) => a.subject);
      await expect.poll(audits, WAIT).toContain(`recording:${recording.id}`);
      const played = (await audits()).length;

      // Download: the very bytes stored, as their SHA-256 on record says, and one more audit entry.
      const downloading = page.waitForEvent('download', WAIT);
      await page.getByRole('link', { name: 'Download' }).click();
      const download = await downloading;
      const bytes = readFileSync((await download.path()) ?? '');
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(bytes.length).toBe(recording.size_bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(recording.sha256);
      expect(download.suggestedFilename()).toMatch(/\.wav$/);
      expect(await audits()).toEqual(Array(played + 1).fill(`recording:${recording.id}`));

      // Score against the campaign's form: (1×5/5 + 3×4/5) / 4 = 85 %, above the pass mark.
      await page.getByLabel(/^Greets and names the company/).fill('5');
      await page.getByLabel(/^States the debt disclosure/).fill('4');
      await page.getByLabel('Note').fill('clear disclosure');
      await page.getByRole('button', { name: 'Save the evaluation' }).click();
      await page.getByText('Saved: 85, passed.').waitFor(WAIT);
      await expect.poll(() => page.getByTestId('evaluations').textContent(), WAIT).toContain(qa.name);
      const evaluations = await db
        .selectFrom('qa_evaluations')
        .select(['recording_id', 'evaluator', 'scores', 'score', 'passed', 'note'])
        .where('recording_id', '=', recording.id)
        .execute();
      expect(evaluations).toEqual([
        {
          recording_id: recording.id,
          evaluator: qa.name,
          scores: { greeting: 5, disclosure: 4 },
          score: 85,
          passed: true,
          note: 'clear disclosure',
        },
      ]);
      await context.close();

      // An agent opening the QA screen is refused by the console, and the API refuses the recordings.
      const agent = await signedInPage(browser, serving.url, agentUser.name, '**/agent', pageErrors);
      const agentPage = agent.page;
      await expectRefused(agentPage, serving.url, '/qa');
      expect(await agentPage.getByTestId('recordings').count()).toBe(0);
      expect(await statusInPage(agentPage, `/api/recordings?campaign=${campaign.id}`)).toBe(403);
      expect(await statusInPage(agentPage, file)).toBe(403);
      await agent.context.close();
      expect(pageErrors).toEqual([]);
    } finally {
      await stopAll({ agents, serving, simulated });
    }
  }, 240_000);
});
