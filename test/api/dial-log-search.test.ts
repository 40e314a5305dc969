import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAttempt, finalizeAttempt } from '../../db/queries/dial-log.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { makeCampaign, makeClient, makeContact } from '../compliance/db-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

interface Row {
  id: number;
  phone: string;
  result: string | null;
  status: string;
  abandoned: boolean;
  queuedAt: string;
}

/**
 * GET /api/log searches on the server (the query `dialer log list` uses): campaign, time range,
 * outcome and the number's last digits, a page at a time; numbers still come back masked.
 */
describeEachDatabase('API: dial-log search', (database) => {
  let serving: Serving;
  let officer: TestUser;
  let campaignId: number;
  const ids: Record<string, number> = {};
  const day = (d: number, h: number) => new Date(Date.UTC(2026, 10, d, h));
  const search = async (query: string) => {
    const response = await bearer(serving.url, officer.token)(`/api/log?campaign=${campaignId}&${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Row[];
  };
  const names = (rows: Row[]) => rows.map((r) => Object.keys(ids).find((k) => ids[k] === r.id));

  beforeAll(async () => {
    serving = await serveForTest(database());
    officer = await testUser(database().db, 'compliance_officer');
    const { db } = database();
    const client = await makeClient(db);
    campaignId = (await makeCampaign(db, client.id)).id;
    const calls: [string, string, Date, { result: string; abandoned?: boolean } | null][] = [
      ['busy', '+12125551234', day(2, 14), { result: 'busy' }],
      ['answered', '+12125559876', day(3, 14), { result: 'answered' }],
      ['dropped', '+12125550034', day(4, 14), { result: 'answered', abandoned: true }],
      ['open', '+12125551299', day(5, 14), null],
    ];
    for (const [name, phone, at, end] of calls) {
      const contact = await makeContact(db, campaignId, phone);
      const row = await createAttempt(db, {
        campaignId,
        contactId: contact.id,
        phoneE164: phone,
        channelId: `search-${campaignId}-${name}`,
        gateReasons: [],
        queuedAt: at,
      });
      if (end) {
        await finalizeAttempt(db, row.id, {
          ...end,
          endedAt: new Date(at.getTime() + 30_000),
        });
      }
      ids[name] = row.id;
    }
  });
  afterAll(async () => {
    await serving.stop();
  });

  it('from and to: rows queued from the first instant up to, not including, the second', async () => {
    const rows = await search(`from=${day(3, 0).toISOString()}&to=${day(5, 0).toISOString()}`);
    expect(names(rows)).toEqual(['dropped', 'answered']);
  });

  it('result: the outcome, the status of a call without one, and abandoned by its flag', async () => {
    expect(names(await search('result=busy'))).toEqual(['busy']);
    expect(names(await search('result=abandoned'))).toEqual(['dropped']);
    expect(names(await search('result=queued'))).toEqual(['open']);
  });

  it('suffix: the number’s last digits matched on the server, the numbers returned masked', async () => {
    const rows = await search('suffix=34');
    expect(names(rows)).toEqual(['dropped', 'busy']);
    expect(rows.map((r) => r.phone)).toEqual(['+12*******34', '+12*******34']);
    expect(names(await search('suffix=1299'))).toEqual(['open']);
  });

  it('suffix: more than 4 digits, or not digits, is refused', async () => {
    const response = await bearer(serving.url, officer.token)(`/api/log?suffix=51234`);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_request');
    expect((await bearer(serving.url, officer.token)('/api/log?suffix=12a')).status).toBe(400);
  });

  it('before and limit: pages newest first, each page after the last id of the one before', async () => {
    const first = await search('limit=3');
    expect(names(first)).toEqual(['open', 'dropped', 'answered']);
    const next = await search(`limit=3&before=${first[first.length - 1]!.id}`);
    expect(names(next)).toEqual(['busy']);
  });
});
