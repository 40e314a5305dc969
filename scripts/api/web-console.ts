import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../engine/platform/logger.ts';
import type { Api } from './context.ts';

/** Where `npm run build:web` (and `npm ci`, through `prepare`) puts the console's bundle. */
export const DEFAULT_WEB_ROOT = resolve(import.meta.dirname, '../../web/dist');
/** The console's sources, to tell a bundle older than them. */
const WEB_SOURCES = resolve(import.meta.dirname, '../../web/src');

/**
 * The console's pages: scripts, styles and images of our own origin only, talking to our own
 * API; no inline script, no framing, no plugin, forms post nowhere else. (The API's answers
 * keep helmet's `default-src 'none'`.)
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebConsoleOptions {
  /** The built bundle (index.html, assets/); absent: `/` explains how to build it. */
  root: string;
  logger: Logger;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether the bundle at `root` is missing, or older than the console's sources (a checkout that changed them). */
export function bundleState(root: string): 'missing' | 'stale' | 'fresh' {
  const index = join(root, 'index.html');
  if (!existsSync(index)) return 'missing';
  if (existsSync(WEB_SOURCES) && newestMtime(WEB_SOURCES) > statSync(index).mtimeMs) return 'stale';
  return 'fresh';
}

/** Does this request ask for a page of the console (not the API, not a file)? */
export function isConsolePage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '/';
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !path.startsWith('/api/') &&
    path !== '/api' &&
    !path.startsWith('/assets/')
  );
}

/**
 * Serves the console at `/`: the bundle's hashed assets under /assets/ (cached for good), and
 * index.html (never cached) for any other page path so that the app's own routes (/agent, /manager…) load
 * on a reload. Returns the not-found answer for console pages, used by the API's not-found handler.
 */
export async function registerWebConsole(
  app: Api,
  options: WebConsoleOptions,
): Promise<(request: FastifyRequest, reply: FastifyReply) => Promise<void>> {
  const state = bundleState(options.root);
  if (state !== 'fresh') {
    options.logger.warn(
      { root: options.root, state },
      state === 'missing'
        ? 'the web console is not built: run `npm run build:web` (npm ci does it)'
        : 'the web console bundle is older than web/src: run `npm run build:web`',
    );
  }
  const setConsoleHeaders = (reply: FastifyReply) => {
    void reply.header('content-security-policy', CONSOLE_CSP);
  };
  if (state !== 'missing') {
    await app.register(async (scope) => {
      // Files are public (the sign-in page needs them): the API's access check lets them through.
      scope.addHook('onRoute', (route) => {
        route.config = { ...(route.config as object), access: 'anyone' } as typeof route.config;
      });
      // Only the hashed assets are files; every other page path is index.html (below).
      await scope.register(fastifyStatic, {
        root: join(options.root, 'assets'),
        prefix: '/assets/',
        index: false,
        maxAge: '365d',
        immutable: true,
        setHeaders: (reply: FastifyReply) => setConsoleHeaders(reply),
      });
    });
  }
  return async (_request, reply) => {
    setConsoleHeaders(reply);
    if (state === 'missing') {
      await reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run `npm run build:web` (npm ci does it), then reload.');
      return;
    }
    // Read each time (a few hundred bytes): a rebuilt bundle is served without a restart.
    const page = await readFile(join(options.root, 'index.html'));
    await reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
  };
}
