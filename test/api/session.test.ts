import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Serving } from '../../scripts/serve/start-serve.ts';
import { describeEachDatabase } from '../support/database.ts';
import { testUser } from '../support/identity.ts';
import { bearer, browser, errorOf, givePassword, serveForTest, TEST_PASSWORD } from './support.ts';

describeEachDatabase('API sign-in and tokens', (database) => {
  let serving: Serving;
  let manager: Awaited<ReturnType<typeof testUser>>;

  beforeAll(async () => {
    serving = await serveForTest(database(), { env: { DIALER_SIGN_IN_PER_MINUTE: '1000' } });
    manager = await testUser(database().db, 'manager');
    await givePassword(database(), manager.name);
  });
  afterAll(async () => {
    await serving.stop();
  });

  it('signs a browser in: an HttpOnly session cookie, a CSRF token, and who it is', async () => {
    const b = await browser(serving.url, manager.name);
    const session = b.setCookies.find((c) => c.startsWith('dialer_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    const me = await b.fetch('/api/session');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: manager.name, role: 'manager', via: 'cookie' });
  });

  it('refuses a wrong password with the same answer as an unknown user', async () => {
    const post = (name: string, password: string) =>
      fetch(`${serving.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': name },
        body: JSON.stringify({ name, password }),
      });
    const wrong = await post(manager.name, 'not the password');
    const unknown = await post('nobody-at-all', TEST_PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('refuses a change sent with the session cookie but without the CSRF token', async () => {
    const b = await browser(serving.url, manager.name);
    const without = await b.fetch('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'x' }),
      csrf: false,
    });
    expect(without.status).toBe(403);
    expect((await errorOf(without)).code).toBe('csrf');
    const wrong = await b.fetch('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'x' }),
      csrf: false,
      headers: { 'x-csrf-token': 'forged' },
    });
    expect(wrong.status).toBe(403);
    const withToken = await b.fetch('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'x' }) });
    expect(withToken.status).toBe(201);
  });

  it('signs out: the session token is revoked, the cookie no longer works', async () => {
    const b = await browser(serving.url, manager.name);
    expect((await b.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
    const after = await b.fetch('/api/session');
    expect(after.status).toBe(401);
    expect((await errorOf(after)).code).toBe('token_revoked');
  });

  it('takes a bearer token from a script; a token created through the API works at once', async () => {
    const api = bearer(serving.url, manager.token);
    const created = await api('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'script', expires: '1d' }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const me = await bearer(serving.url, token)('/api/session');
    expect(await me.json()).toMatchObject({ name: manager.name, via: 'bearer' });
  });

  it('answers 401 with the error shape when nobody signed in, 400 for a malformed bearer', async () => {
    const none = await fetch(`${serving.url}/api/campaigns`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    const bad = await fetch(`${serving.url}/api/campaigns`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect((await errorOf(bad)).code).toBe('token_invalid');
  });

  it('names the field of an invalid request body', async () => {
    const response = await fetch(`${serving.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: manager.name }),
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_request', field: 'body.password' });
  });

  it('limits sign-in attempts per client address (429 with the error shape)', async () => {
    const limited = await serveForTest(database(), { env: { DIALER_SIGN_IN_PER_MINUTE: '2' } });
    try {
      const attempt = () =>
        fetch(`${limited.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: manager.name, password: 'guess guess guess' }),
        });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      const third = await attempt();
      expect(third.status).toBe(429);
      expect((await errorOf(third)).code).toBe('rate_limited');
    } finally {
      await limited.stop();
    }
  });

  it('sends security headers', async () => {
    const response = await fetch(`${serving.url}/api/openapi.json`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('serves the OpenAPI document with each operation’s permission', async () => {
    const doc = (await (await fetch(`${serving.url}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-permission'?: string }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/campaigns/{id}/start']?.post?.['x-permission']).toBe('campaign.control');
    expect(doc.paths['/api/session']?.post?.['x-permission']).toBe('anyone');
  });
});
