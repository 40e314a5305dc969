import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../scripts/api/web-console.ts';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { describeEachDatabase } from '../support/database.ts';
import { serveForTest } from './support.ts';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head></html>';

describeEachDatabase('dialer serve: the web console at /', (database) => {
  let dir: string;
  let serving: Serving;
  let unbuilt: Serving;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dialer-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log(1);');
    serving = await serveForTest(database(), { web: { root: dir } });
    unbuilt = await serveForTest(database(), { web: { root: join(dir, 'nothing-here') } });
  });

  afterAll(async () => {
    await serving?.stop();
    await unbuilt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the app page at / and at any page path of the app, never cached, under the console CSP', async () => {
    for (const path of ['/', '/agent', '/manager/campaigns/3?tab=x']) {
      const response = await fetch(`${serving.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('serves hashed assets for good, and a missing asset is a 404, not the app page', async () => {
    const asset = await fetch(`${serving.url}/assets/app-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(await asset.text()).toBe('console.log(1);');
    const missing = await fetch(`${serving.url}/assets/gone-9z.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('keeps the API its own: an unknown API path is a JSON 404 under the API CSP', async () => {
    const response = await fetch(`${serving.url}/api/nothing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('without a built bundle answers / with 503 and how to build it; the API still works', async () => {
    const page = await fetch(`${unbuilt.url}/agent`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build:web');
    const api = await fetch(`${unbuilt.url}/api/openapi.json`);
    expect(api.status).toBe(200);
  });
});
