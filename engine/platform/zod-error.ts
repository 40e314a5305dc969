import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/** Turns zod issues into "path: problem" lines a campaign manager can act on. */
export function describeZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
}

/** Parses `value` with `schema`, throwing a ValidationError whose first line names the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeZodIssues(result.error);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).join('; ')})` : '';
  throw new ValidationError(`${what} is invalid: ${issues[0]}${more}`, issues);
}
