import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthenticationError, ForbiddenError } from '../../engine/access/errors.ts';
import {
  ConflictError,
  InfrastructureError,
  isDialerError,
  NotFoundError,
  UsageError,
  UserError,
  ValidationError,
} from '../../engine/platform/errors.ts';

/** A change sent with the session cookie but without the page's CSRF token. */
export class CsrfError extends UserError {
  constructor() {
    super(
      'a change made with a session cookie needs the CSRF token of the sign-in in the x-csrf-token header',
      'csrf',
    );
  }
}

/** The one error shape of the API: a code to branch on, a sentence for people, the field at fault. */
export const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    /** Every field at fault (an outcome with several wrong fields), `field` being the first. */
    issues: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorSchema>;

export interface HttpError {
  status: number;
  body: ErrorBody;
}

/** State refusals of the agent and campaign services that are conflicts with the current state. */
const CONFLICT_CODES = new Set(['conflict', 'not_logged_in', 'already_bootstrapped', 'last_admin']);

/** `path: problem` lines of a ValidationError → fields. */
function fieldIssues(lines: readonly string[]): { field: string; message: string }[] {
  return lines.map((line) => {
    const at = line.indexOf(': ');
    return at > 0 ? { field: line.slice(0, at), message: line.slice(at + 2) } : { field: '', message: line };
  });
}

function body(code: string, message: string, issues?: { field: string; message: string }[]): ErrorBody {
  const first = issues?.find((i) => i.field);
  return {
    error: {
      code,
      message,
      ...(first ? { field: first.field } : {}),
      ...(issues && issues.length > 0 ? { issues } : {}),
    },
  };
}

/**
 * Maps what a handler threw to a status and the error body. Typed errors by class and code
 * (never by message text); fastify's own (body too large, bad media type, rate limit) by code;
 * anything else is a 500 that says nothing of the inside (the log has it).
 */
export function toHttpError(error: unknown): HttpError {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      field: [
        error.validationContext,
        ...String(v.instancePath ?? '')
          .split('/')
          .filter(Boolean),
      ]
        .filter(Boolean)
        .join('.'),
      message: v.message ?? 'is invalid',
    }));
    const first = issues[0];
    return {
      status: 400,
      body: body('invalid_request', first ? `${first.field}: ${first.message}` : 'invalid request', issues),
    };
  }
  if (isResponseSerializationError(error)) return { status: 500, body: body('internal', 'internal error') };
  if (error instanceof AuthenticationError) return { status: 401, body: body(error.code, error.message) };
  if (error instanceof CsrfError) return { status: 403, body: body('csrf', error.message) };
  if (error instanceof ForbiddenError) return { status: 403, body: body('forbidden', error.message) };
  if (error instanceof NotFoundError) return { status: 404, body: body('not_found', error.message) };
  if (error instanceof ConflictError) return { status: 409, body: body('conflict', error.message) };
  if (error instanceof ValidationError) {
    return { status: 422, body: body('invalid', error.message, fieldIssues(error.issues)) };
  }
  if (error instanceof UsageError) return { status: 400, body: body('usage', error.message) };
  if (error instanceof InfrastructureError) {
    return { status: 503, body: body(error.code, 'a service the dialer needs is unavailable; try again') };
  }
  if (isDialerError(error)) {
    return { status: CONFLICT_CODES.has(error.code) ? 409 : 422, body: body(error.code, error.message) };
  }
  const fastify = error as { code?: string; statusCode?: number; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code =
      fastify.statusCode === 413
        ? 'too_large'
        : fastify.statusCode === 429
          ? 'rate_limited'
          : fastify.statusCode === 415
            ? 'unsupported_media_type'
            : 'bad_request';
    return { status: fastify.statusCode, body: body(code, fastify.message ?? code) };
  }
  return { status: 500, body: body('internal', 'internal error') };
}

/** Error responses every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
} as const;
