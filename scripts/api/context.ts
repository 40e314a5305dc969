import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DatabaseHandle } from '../../db/connect.ts';
import { ForbiddenError } from '../../engine/access/errors.ts';
import type { Permission, Principal } from '../../engine/access/permissions.ts';
import type { Clock } from '../../engine/platform/clock.ts';
import type { Config } from '../../engine/platform/config.ts';
import type { Logger } from '../../engine/platform/logger.ts';
import type { EngineHost } from '../../engine/serve/engine-host.ts';
import type { Services } from '../../engine/services/index.ts';
import type { LiveFeed } from './live-feed.ts';

/** What the API is built from: the composition root hands these in (serve, demo, tests). */
export interface ApiDeps {
  handle: DatabaseHandle;
  config: Config;
  logger: Logger;
  /** Business time (tokens' expiry, outcomes' moments): the engine's clock in the demo. */
  clock: Clock;
  services: Services;
  /** The engine of this process, when it runs one (live figures, waking runners). */
  host?: EngineHost;
  feed: LiveFeed;
  /** The web console's bundle to serve at `/` (web/dist); absent: the API alone. */
  web?: { root: string };
}

/**
 * What a route needs before its handler runs: a permission of engine/access/permissions.ts,
 * `authenticated` (any signed-in user; the handler decides more, e.g. which agent), or
 * `anyone` (sign-in, the OpenAPI document). Every route states one: a route without is refused.
 */
export type RouteAccess = Permission | 'authenticated' | 'anyone';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** How the principal was established: a bearer token, or a browser session cookie. */
    via?: 'bearer' | 'cookie';
  }
}

export type Api = FastifyInstance<
  // biome-ignore lint/suspicious/noExplicitAny: fastify's server generics are left to inference
  any,
  // biome-ignore lint/suspicious/noExplicitAny: idem
  any,
  // biome-ignore lint/suspicious/noExplicitAny: idem
  any,
  FastifyInstance['log'],
  ZodTypeProvider
>;

/** One area's routes (campaigns, agents…): one file each under routes/, listed in routes/index.ts. */
export type RouteArea = (api: Api, deps: ApiDeps) => void;

/** The authenticated user of a request whose route required one (the hook ran before). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('bug: a route used its principal without requiring one');
  return request.principal;
}

/** Name and role, as audit entries and services record who acted. */
export function actorOf(request: FastifyRequest): { name: string; role: Principal['role'] } {
  const p = principalOf(request);
  return { name: p.name, role: p.role };
}

export function refuse(
  request: FastifyRequest,
  permission: Permission,
  needs: readonly string[],
  what: string,
) {
  return new ForbiddenError(principalOf(request), permission, needs as never, what);
}

export type Reply = FastifyReply;
