import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkpointSignatureValid, type SignedCheckpoint } from '../../engine/compliance/checkpoint.ts';
import { RecordingFolder } from '../../engine/recordings/recording-files-store.ts';
import { initKey } from '../../engine/services/evidence-key.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import {
  makeBatch,
  makeCampaign,
  makeClient,
  makeContact,
  recordDoneOutcome,
} from '../compliance/db-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

/**
 * The operations the CLI had and the API lacked, each through the CLI's own service: one
 * behaviour per route, over real HTTP. Numbers go in bodies and come back masked.
 */
describeEachDatabase('API: the CLI’s remaining operations', (database) => {
  let serving: Serving;
  let dir: string;
  let officer: TestUser;
  let manager: TestUser;
  const asOfficer = (path: string, init?: RequestInit) => bearer(serving.url, officer.token)(path, init);
  const asManager = (path: string, init?: RequestInit) => bearer(serving.url, manager.token)(path, init);
  const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
  let numberSeq = 0;
  /** A number of its own for each test (the DNC lists are shared by the file's tests). */
  const freshNumber = () => `+1212555${String(4000 + numberSeq++).padStart(4, '0')}`;
  const digits = (e164: string) => e164.replace(/\D/g, '');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dialer-api-parity-'));
    initKey(join(dir, 'keys', 'checkpoint.pem'));
    serving = await serveForTest(database(), {
      env: {
        DIALER_ARCHIVE_DIR: join(dir, 'archive'),
        DIALER_RECORDINGS_DIR: join(dir, 'recordings'),
        DIALER_EVIDENCE_KEY_FILE: join(dir, 'keys', 'checkpoint.pem'),
      },
    });
    officer = await testUser(database().db, 'compliance_officer');
    manager = await testUser(database().db, 'manager');
  });
  afterAll(async () => {
    await serving.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('POST /api/dnc/check: names every list a number is on, the number masked', async () => {
    const phone = freshNumber();
    expect((await asManager('/api/dnc', post({ phone, scope: 'internal', reason: 'asked' }))).status).toBe(
      201,
    );
    const response = await asManager('/api/dnc/check', post({ phone }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      phone: string;
      listed: boolean;
      entries: { scopeKey: string }[];
    };
    expect(body.listed).toBe(true);
    expect(body.entries.map((e) => e.scopeKey)).toEqual(['internal']);
    expect(digits(body.phone)).not.toContain(digits(phone));
    const clean = (await (await asManager('/api/dnc/check', post({ phone: freshNumber() }))).json()) as {
      listed: boolean;
    };
    expect(clean.listed).toBe(false);
  });

  it('POST /api/dnc/history: every addition and removal with who and why', async () => {
    const phone = freshNumber();
    await asManager('/api/dnc', post({ phone, scope: 'internal', reason: 'asked' }));
    const removed = await asOfficer(
      '/api/dnc/remove',
      post({ phone, scope: 'internal', reason: 'wrong number' }),
    );
    expect(removed.status).toBe(200);
    const response = await asManager('/api/dnc/history', post({ phone }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      phone: string;
      events: { action: string; reason: string; actor: string }[];
    };
    expect(body.events.map((e) => [e.action, e.reason, e.actor])).toEqual([
      ['add', 'asked', manager.name],
      ['remove', 'wrong number', officer.name],
    ]);
    expect(digits(body.phone)).not.toContain(digits(phone));
  });

  it('POST /api/dnc/national: loads an uploaded registry file, masks rejected lines, keeps no copy', async () => {
    const listed = freshNumber();
    const form = new FormData();
    form.append('file', new Blob([`${listed}\nhello world\n212,5550177\n`]), 'registry.txt');
    const response = await fetch(`${serving.url}/api/dnc/national?replace=true&source=test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer.token}` },
      body: form,
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const body = (await response.json()) as {
      added: number;
      rejected: number;
      replaced: boolean;
      rejectedSamples: { line: number }[];
    };
    expect(body).toMatchObject({ added: 2, rejected: 1, replaced: true });
    expect(body.rejectedSamples.map((r) => r.line)).toEqual([2]);
    const check = (await (await asManager('/api/dnc/check', post({ phone: listed }))).json()) as {
      entries: { scope: string }[];
    };
    expect(check.entries.map((e) => e.scope)).toContain('national');
    const national = join(dir, 'uploads', 'national');
    expect(readdirSync(national)).toEqual([]);
  });

  it('GET /api/lists/held: the contacts waiting for an approval, masked, with the total', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const phone = freshNumber();
    const held = await makeContact(db, campaign.id, phone, {
      status: 'awaiting_approval',
      needs_approval: true,
    });
    await makeContact(db, campaign.id, freshNumber());
    const response = await asManager(`/api/lists/held?campaign=${campaign.id}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      total: number;
      contacts: { contactId: number; phone: string }[];
    };
    expect(body.total).toBe(1);
    expect(body.contacts.map((c) => c.contactId)).toEqual([held.id]);
    expect(digits(body.contacts[0]!.phone)).not.toContain(digits(phone));
    expect((await asManager('/api/lists/held?campaign=999999')).status).toBe(404);
  });

  it('GET /api/lists/batches/:id/rejects: the rejected rows, numbers masked in the detail too', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const batch = await makeBatch(db, client.id, campaign.id);
    await db
      .insertInto('rejected_rows')
      .values({
        batch_id: batch.id,
        line_number: 3,
        reason: 'duplicate',
        detail: 'same number as line 2: +12125550123',
        raw_row: '+12125550123,Ann',
        phone_e164: '+12125550123',
      })
      .execute();
    const response = await asManager(`/api/lists/batches/${batch.id}/rejects`);
    expect(response.status).toBe(200);
    const rows = (await response.json()) as { line: number; reason: string; phone: string; detail: string }[];
    expect(rows).toMatchObject([{ line: 3, reason: 'duplicate' }]);
    expect(JSON.stringify(rows)).not.toContain('2125550123');
    expect((await asManager('/api/lists/batches/999999/rejects')).status).toBe(404);
  });

  it('POST /api/log/checkpoint: every chain head, signed with the configured key', async () => {
    const response = await asOfficer('/api/log/checkpoint', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const checkpoint = (await response.json()) as SignedCheckpoint;
    expect(checkpoint.algorithm).toBe('ed25519');
    const publicKey = createPublicKey(readFileSync(join(dir, 'keys', 'checkpoint.pem.pub')));
    expect(checkpointSignatureValid(checkpoint, publicKey)).toBe(true);
    expect(checkpointSignatureValid({ ...checkpoint, at: '2000-01-01T00:00:00.000Z' }, publicKey)).toBe(
      false,
    );
  });

  it('POST /api/outcomes/:id/correct: a new record pointing at the original, audited with the reason', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, freshNumber());
    const outcomeId = await recordDoneOutcome(db, {
      contactId: contact.id,
      campaignId: campaign.id,
      outcome: { tag: 'completed' },
      recordedBy: 'agent-7',
    });
    const response = await asManager(
      `/api/outcomes/${outcomeId}/correct`,
      post({ outcome: { tag: 'refused' }, reason: 'agent picked the wrong tag' }),
    );
    expect(response.status).toBe(201);
    const result = (await response.json()) as { correctionId: number; from: string; to: string };
    expect(result).toMatchObject({ from: 'completed', to: 'refused' });
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('action', '=', 'outcome.correct')
      .where('subject', '=', `outcome:${outcomeId}`)
      .executeTakeFirstOrThrow();
    expect(audit.actor).toBe(manager.name);
    expect(audit.details).toMatchObject({ reason: 'agent picked the wrong tag' });
    // Corrected once: correcting the original again is a conflict (correct the newer record).
    const again = await asManager(
      `/api/outcomes/${outcomeId}/correct`,
      post({ outcome: { tag: 'wrong_number' }, reason: 'second thoughts' }),
    );
    expect(again.status).toBe(409);
  });

  it('GET /api/outcomes: a contact’s outcome records, corrections after what they correct', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const contact = await makeContact(db, campaign.id, freshNumber());
    const outcomeId = await recordDoneOutcome(db, {
      contactId: contact.id,
      campaignId: campaign.id,
      outcome: { tag: 'completed' },
      recordedBy: 'agent-7',
    });
    await asManager(
      `/api/outcomes/${outcomeId}/correct`,
      post({ outcome: { tag: 'refused' }, reason: 'wrong tag' }),
    );
    const response = await asOfficer(`/api/outcomes?contact=${contact.id}`);
    expect(response.status).toBe(200);
    const rows = (await response.json()) as {
      tag: string;
      correctsOutcomeId: number | null;
      recordedBy: string;
    }[];
    expect(rows.map((r) => [r.tag, r.correctsOutcomeId, r.recordedBy])).toEqual([
      ['completed', null, 'agent-7'],
      ['refused', outcomeId, manager.name],
    ]);
    expect((await asOfficer('/api/outcomes')).status).toBe(400);
  });

  it('POST /api/compliance/check: every rule’s result; a number on the internal list is refused', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const phone = freshNumber();
    await asManager('/api/dnc', post({ phone, scope: 'internal', reason: 'asked' }));
    const response = await asOfficer('/api/compliance/check', post({ campaignId: campaign.id, phone }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      allowed: boolean;
      phone: string;
      contactId: number | null;
      denials: { code: string }[];
      results: unknown[];
    };
    expect(body.allowed).toBe(false);
    expect(body.contactId).toBeNull();
    expect(body.denials.map((d) => d.code)).toContain('dnc.internal');
    expect(body.results.length).toBeGreaterThan(body.denials.length);
    expect(digits(body.phone)).not.toContain(digits(phone));
  });

  it('POST /api/compliance/history: the gate’s refusals of a number, no number in the rows', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    const phone = freshNumber();
    await db
      .insertInto('gate_denials')
      .values({ campaign_id: campaign.id, phone_e164: phone, disposition: 'block', codes: ['dnc.internal'] })
      .execute();
    const response = await asOfficer('/api/compliance/history', post({ phone }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      attempts: unknown[];
      denials: { campaignId: number; disposition: string; codes: string }[];
    };
    expect(body.attempts).toEqual([]);
    expect(body.denials).toMatchObject([
      { campaignId: campaign.id, disposition: 'block', codes: 'dnc.internal' },
    ]);
    expect(JSON.stringify(body)).not.toContain(digits(phone));
  });

  it('GET /api/compliance/presets: the presets a campaign may name', async () => {
    const response = await asManager('/api/compliance/presets');
    expect(response.status).toBe(200);
    const names = ((await response.json()) as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['us', 'uk', 'cn']));
  });

  it('GET /api/compliance/presets/:name: a preset’s figures; an unknown name is refused', async () => {
    const response = await asManager('/api/compliance/presets/uk');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'uk', jurisdiction: 'UK' });
    const unknown = await asManager('/api/compliance/presets/atlantis');
    expect(unknown.status).toBe(422);
    expect(await errorOf(unknown)).toMatchObject({ code: 'not_found' });
  });

  it('GET /api/campaigns/:id/preset: the preset as the campaign applies it', async () => {
    const { db } = database();
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id, { jurisdiction: 'UK' });
    const response = await asManager(`/api/campaigns/${campaign.id}/preset`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jurisdiction: 'UK' });
    expect((await asManager('/api/campaigns/999999/preset')).status).toBe(404);
  });

  it('GET /api/retention: per kind, the minimum kept and what is due', async () => {
    await asManager('/api/dnc', post({ phone: freshNumber(), scope: 'internal', reason: 'asked' }));
    const response = await asOfficer('/api/retention?at=2026-06-01T00:00:00Z');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { at: string; rows: { kind: string; minimumDays: number }[] };
    expect(body.at).toBe('2026-06-01T00:00:00.000Z');
    expect(body.rows.map((r) => r.kind)).toContain('dncRequests');
    expect(body.rows.every((r) => r.minimumDays > 0)).toBe(true);
  });

  it('POST /api/retention/purge: a dry run counts and deletes nothing; a future moment is refused', async () => {
    const { db } = database();
    const before = await db
      .selectFrom('dnc_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await asOfficer('/api/retention/purge', post({ kind: 'dncRequests', dryRun: true }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      kind: 'dncRequests',
      dryRun: true,
      chain: { dryRun: true },
    });
    const after = await db
      .selectFrom('dnc_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const future = await asOfficer(
      '/api/retention/purge',
      post({ kind: 'dialLog', at: '2999-01-01T00:00:00Z' }),
    );
    expect(future.status).toBe(400);
    expect(await errorOf(future)).toMatchObject({ code: 'usage' });
    expect((await asOfficer('/api/retention/purge', post({ kind: 'consentEvidence' }))).status).toBe(400);
  });

  it('POST /api/recordings/purge: the files past their retention go, the digest stays, audited', async () => {
    const { db } = database();
    const folder = new RecordingFolder(join(dir, 'recordings'));
    const stored = await folder.store({
      campaignId: 0,
      name: `old-${Date.now()}`,
      format: 'wav',
      day: new Date('2015-01-01T00:00:00Z'),
      bytes: Buffer.from('RIFF old call'),
    });
    const row = await db
      .insertInto('recordings')
      .values({
        attempt_id: null,
        name: 'old call',
        format: 'wav',
        target: null,
        location: stored.location,
        state: 'stored',
        sha256: stored.sha256,
        size_bytes: stored.sizeBytes,
        started_at: new Date('2015-01-01T00:00:00Z'),
        stored_at: new Date('2015-01-01T00:00:00Z'),
        purge_after: new Date('2016-01-01T00:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const response = await asOfficer('/api/recordings/purge', post({}));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { purged: { id: number; sha256: string }[] };
    expect(body.purged).toEqual([expect.objectContaining({ id: row.id, sha256: stored.sha256 })]);
    expect(existsSync(folder.pathOf(stored.location))).toBe(false);
    const after = await db
      .selectFrom('recordings')
      .select(['state', 'sha256'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ state: 'purged', sha256: stored.sha256 });
    const audit = await db
      .selectFrom('audit_log')
      .select('actor')
      .where('action', '=', 'recording.purge')
      .where('subject', '=', `recording:${row.id}`)
      .execute();
    expect(audit).toEqual([{ actor: officer.name }]);
  });

  it('lists the new routes in the OpenAPI document with their permissions', async () => {
    const response = await fetch(`${serving.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      paths: Record<string, Record<string, { 'x-permission'?: string }>>;
    };
    const permission = (path: string, method: string) => doc.paths[path]?.[method]?.['x-permission'];
    expect(permission('/api/dnc/national', 'post')).toBe('dnc.import');
    expect(permission('/api/lists/batches/{id}/rejects', 'get')).toBe('list.read');
    expect(permission('/api/log/checkpoint', 'post')).toBe('log.checkpoint');
    expect(permission('/api/outcomes/{id}/correct', 'post')).toBe('outcome.correct');
    expect(permission('/api/compliance/check', 'post')).toBe('compliance.read');
    expect(permission('/api/retention/purge', 'post')).toBe('retention.purge');
    expect(permission('/api/recordings/purge', 'post')).toBe('recording.purge');
  });
});
