import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { authenticateToken } from '../../engine/access/authenticate.ts';
import { AuthenticationError, ForbiddenError } from '../../engine/access/errors.ts';
import { decide } from '../../engine/access/permissions.ts';
import { csrfTokenMatches } from '../../engine/access/sign-in.ts';
import type { Api, ApiDeps } from './context.ts';
import { CsrfError, toHttpError } from './errors.ts';
import { ROUTE_AREAS } from './routes/index.ts';
import { isConsolePage, registerWebConsole } from './web-console.ts';

/** The cookie holding a browser's session token (HttpOnly: page scripts never see it). */
export const SESSION_COOKIE = 'dialer_session';
/** The cookie a page reads its CSRF token from (not HttpOnly), sent back as `x-csrf-token`. */
export const CSRF_COOKIE = 'dialer_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The HTTP API: fastify with zod schemas on every request and response (the type provider
 * validates and serializes; @fastify/swagger turns them into /api/openapi.json), security
 * headers, a body size limit, sign-in rate limits, and one access check per route against
 * engine/access/permissions.ts. Routes live one file per area in routes/.
 */
export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.config.serve.bodyBytes,
    // An API behind nothing: the socket's address is the client's (rate limits key on it).
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifyHelmet, {
    // An API serves JSON and an event stream, no pages: nothing may be framed or scripted.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyMultipart, {
    limits: { fileSize: deps.config.serve.uploadBytes, files: 1, fields: 20, fieldSize: 4096, parts: 21 },
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Outbound dialer API',
        version: '1',
        description:
          'Sign in with POST /api/session (cookie session; send the CSRF token back in x-csrf-token on every change) or send `Authorization: Bearer dlr_…` (an API token). Errors are {error:{code,message,field?}}. Each operation names the permission it needs (x-permission).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const access = (input.route.config as { access?: string } | undefined)?.access;
      return access
        ? { ...out, schema: { ...out.schema, 'x-permission': access } as typeof out.schema }
        : out;
    },
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500)
      deps.logger.error({ err: error, url: request.url, method: request.method }, 'API error');
    void reply.status(status).send(body);
  });
  const consolePage = deps.web
    ? await registerWebConsole(app as unknown as Api, { root: deps.web.root, logger: deps.logger })
    : undefined;
  app.setNotFoundHandler(async (request, reply) => {
    // The console's own routes (/agent, /manager…) are pages of the single-page app.
    if (consolePage && isConsolePage(request)) return consolePage(request, reply);
    await reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });

  // Who is asking, then whether they may: before the body is parsed, so a refused request
  // uploads nothing.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (request.routeOptions.url === undefined) return; // the not-found handler answers
    if (access === undefined) throw new Error(`bug: route ${request.routeOptions.url} states no access`);
    if (access === 'anyone') return;
    // Credentials expire in real time, whatever the engine's clock (the demo's is simulated).
    const now = new Date();
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match)
        throw new AuthenticationError('the Authorization header must be "Bearer <token>"', 'token_invalid');
      request.principal = await authenticateToken(deps.handle.db, match[1]!, now);
      request.via = 'bearer';
    } else {
      const token = request.cookies[SESSION_COOKIE];
      if (!token)
        throw new AuthenticationError(
          'sign in first (POST /api/session) or send a bearer token',
          'unauthenticated',
        );
      request.principal = await authenticateToken(deps.handle.db, token, now);
      request.via = 'cookie';
      // A change made with the browser's cookie must prove it comes from our page.
      const presented = request.headers[CSRF_HEADER];
      if (
        !SAFE_METHODS.has(request.method) &&
        !csrfTokenMatches(token, typeof presented === 'string' ? presented : undefined)
      ) {
        throw new CsrfError();
      }
    }
    if (access === 'authenticated') return;
    const decision = decide(request.principal, access);
    if (!decision.allowed) {
      throw new ForbiddenError(
        request.principal,
        access,
        decision.needs,
        `${request.method} ${request.routeOptions.url}`,
      );
    }
  });

  app.get('/api/openapi.json', { config: { access: 'anyone' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  for (const area of ROUTE_AREAS) area(app as unknown as Api, deps);
  await app.ready();
  return app as unknown as Api;
}
