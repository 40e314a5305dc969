import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { makeImportCampaign } from '../import/support.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

/** A client's list with its own header names: the mapping says which column is the phone. */
const LIST = [
  'Mobile,Customer,Note',
  '13800138001,Wang,vip',
  '13800138002,Li,',
  'not-a-number,Zhao,',
  '13800138001,Wang again,dup',
  '',
].join('\n');

describeEachDatabase('API: CSV upload, preview, import', (database) => {
  let serving: Serving;
  let manager: TestUser;
  let archive: string;

  beforeAll(async () => {
    archive = mkdtempSync(join(tmpdir(), 'dialer-api-archive-'));
    serving = await serveForTest(database(), {
      env: { DIALER_ARCHIVE_DIR: join(archive, 'archive'), DIALER_MAX_UPLOAD_BYTES: '2048' },
    });
    manager = await testUser(database().db, 'manager');
  });
  afterAll(async () => {
    await serving.stop();
    rmSync(archive, { recursive: true, force: true });
  });

  const upload = (text: string) => {
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'text/csv' }), 'client-list.csv');
    return fetch(`${serving.url}/api/lists/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager.token}` },
      body: form,
    });
  };

  it('previews the mapping and the accounting without writing, then imports, then forgets the upload', async () => {
    const { db } = database();
    const campaign = await makeImportCampaign(db);
    const sent = await upload(LIST);
    expect(sent.status).toBe(201);
    const { upload: id } = (await sent.json()) as { upload: string };
    const api = bearer(serving.url, manager.token);
    const options = { campaignId: campaign.id, map: 'phone=Mobile,name=Customer' };

    const preview = await api(`/api/lists/uploads/${id}/preview`, {
      method: 'POST',
      body: JSON.stringify(options),
    });
    expect(preview.status).toBe(200);
    const body = (await preview.json()) as {
      columns: { headers: string[]; mapping: Record<string, string | null> };
      accounting: {
        batchId: number | null;
        rows: number;
        imported: number;
        rejected: Record<string, number>;
      };
    };
    expect(body.columns.headers).toEqual(['Mobile', 'Customer', 'Note']);
    expect(body.columns.mapping).toMatchObject({ phone: 'Mobile', name: 'Customer', tz: null });
    expect(body.accounting).toMatchObject({ batchId: null, rows: 4, imported: 2 });
    expect(Object.values(body.accounting.rejected).reduce((a, b) => a + b, 0)).toBe(2);
    const contactsAfterPreview = await db
      .selectFrom('contacts')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(contactsAfterPreview).toHaveLength(0);

    const imported = await api(`/api/lists/uploads/${id}/import`, {
      method: 'POST',
      body: JSON.stringify({ ...options, source: 'ticket 42' }),
    });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ rows: 4, imported: 2, batchId: expect.any(Number) });
    const contacts = await db
      .selectFrom('contacts')
      .select('phone_e164')
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(contacts.map((c) => c.phone_e164).sort()).toEqual(['+8613800138001', '+8613800138002']);

    const again = await api(`/api/lists/uploads/${id}/preview`, {
      method: 'POST',
      body: JSON.stringify(options),
    });
    expect(again.status).toBe(404);
  });

  it('names the column a mapping asks for that the header does not have', async () => {
    const campaign = await makeImportCampaign(database().db);
    const { upload: id } = (await (await upload(LIST)).json()) as { upload: string };
    const response = await bearer(serving.url, manager.token)(`/api/lists/uploads/${id}/preview`, {
      method: 'POST',
      body: JSON.stringify({ campaignId: campaign.id, map: 'phone=Telephone' }),
    });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toContain('Telephone');
  });

  it('refuses an upload over the configured limit, keeping nothing of it', async () => {
    const uploads = join(archive, 'uploads');
    const before = readdirSync(uploads).length;
    const big = `phone\n${'13800138000\n'.repeat(400)}`;
    const response = await upload(big);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('too_large');
    expect(readdirSync(uploads)).toHaveLength(before);
  });
});
