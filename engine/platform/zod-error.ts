import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/**
 * Turns zod issues into "path: problem" lines a campaign manager can act on. A key the schema
 * does not know (strict objects) becomes one line per key naming its full path
 * (`attempts.maxPerContat: unknown key`); a text over its length says the length.
 */
export function describeZodIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${pathOf([...issue.path, key])}: unknown key`);
    }
    if (issue.code === 'too_big' && issue.origin === 'string') {
      return [`${pathOf(issue.path)}: must be at most ${issue.maximum} characters`];
    }
    return [`${pathOf(issue.path)}: ${issue.message}`];
  });
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join('.') : '(root)';
}

/** Parses `value` with `schema`, throwing a ValidationError whose first line names the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeZodIssues(result.error);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).join('; ')})` : '';
  throw new ValidationError(`${what} is invalid: ${issues[0]}${more}`, issues);
}
