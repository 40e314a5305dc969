import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { makeBatch, makeCampaign, makeClient } from '../compliance/db-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';
import { type TestUser, testUser } from '../support/identity.ts';
import { bearer, errorOf, serveForTest } from './support.ts';

interface Reject {
  line: number;
  reason: string;
  phone: string | null;
  detail: string | null;
}

/**
 * GET /api/lists/batches/:id/rejects pages a batch's rejects in line order: `after` the last
 * line of the previous page (keyset), `limit` rows a page, so a console can show every reject of
 * a large list a page at a time.
 */
describeEachDatabase('API: a batch’s rejected rows, a page at a time', (database) => {
  let serving: Serving;
  let manager: TestUser;
  let batchId: number;
  /** The file's lines that were rejected: not contiguous, and stored out of order. */
  const LINES = Array.from({ length: 25 }, (_, i) => 2 + i * 3);
  const asManager = (path: string) => bearer(serving.url, manager.token)(path);
  const page = async (query: string): Promise<Reject[]> => {
    const response = await asManager(`/api/lists/batches/${batchId}/rejects?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Reject[];
  };

  beforeAll(async () => {
    const { db } = database();
    serving = await serveForTest(database());
    manager = await testUser(db, 'manager');
    const client = await makeClient(db);
    const campaign = await makeCampaign(db, client.id);
    batchId = (await makeBatch(db, client.id, campaign.id)).id;
    // A second batch's rejects on the same lines must never show in this batch's pages.
    const other = await makeBatch(db, client.id, campaign.id);
    const reject = (batch: number, line: number) => ({
      batch_id: batch,
      line_number: line,
      reason: 'invalid_phone',
      detail: `line ${line}`,
      raw_row: `x${line}`,
      phone_e164: null,
    });
    await db
      .insertInto('rejected_rows')
      .values([...LINES].reverse().map((line) => reject(batchId, line)))
      .execute();
    await db
      .insertInto('rejected_rows')
      .values(LINES.map((line) => reject(other.id, line)))
      .execute();
  });
  afterAll(async () => {
    await serving?.stop();
  });

  it('walks every reject once, in line order, by passing the last line shown as `after`', async () => {
    const seen: number[] = [];
    const pages: number[] = [];
    let after: number | undefined;
    for (;;) {
      const rows = await page(`limit=10${after === undefined ? '' : `&after=${after}`}`);
      pages.push(rows.length);
      seen.push(...rows.map((r) => r.line));
      if (rows.length < 10) break;
      after = rows.at(-1)?.line;
    }
    expect(pages).toEqual([10, 10, 5]);
    expect(seen).toEqual(LINES);
  });

  it('starts after the given line, which need not be a rejected one', async () => {
    const rows = await page('after=3&limit=2');
    expect(rows.map((r) => r.line)).toEqual([5, 8]);
  });

  it('answers an empty page after the last reject', async () => {
    expect(await page(`after=${LINES.at(-1)}`)).toEqual([]);
  });

  it('refuses an `after` that is not a line number (400, the API’s error shape)', async () => {
    const response = await asManager(`/api/lists/batches/${batchId}/rejects?after=-1`);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request', field: 'querystring.after' });
  });
});
