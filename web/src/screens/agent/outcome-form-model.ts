import { type ZodType, z } from 'zod';

/**
 * The outcome form, generated from the campaign type's zod schema (campaigns/outcomes): the
 * schema is turned into JSON Schema (zod's own toJSONSchema) and each tag's object into fields.
 * Pure: no React, no request.
 */

export type FieldKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'integer'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'choice';

export interface FieldSpec {
  /** Dotted path as the API names a field in its 422 issues (`amount`, `answers.q1`). */
  path: string;
  /** The last key of the path (the label's key). */
  key: string;
  kind: FieldKind;
  required: boolean;
  choices?: string[];
  min?: number;
  max?: number;
  /** The value must be more than `min` (not equal). */
  exclusiveMin?: boolean;
  minLength?: number;
  maxLength?: number;
  defaultValue?: boolean;
}

export interface TagForm {
  tag: string;
  fields: FieldSpec[];
  /** Object-valued fields the tag requires (sent even when none of their fields is filled). */
  objects: string[];
}

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
}

/** Text longer than this gets a multi-line box. */
const LONG_TEXT = 200;

function kindOf(s: JsonSchema): FieldKind {
  if (s.enum) return 'choice';
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'integer') return 'integer';
  if (s.type === 'number') return 'number';
  if (s.format === 'date-time') return 'datetime';
  if (s.format === 'date' || s.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return 'date';
  return (s.maxLength ?? Number.POSITIVE_INFINITY) > LONG_TEXT ? 'textarea' : 'text';
}

function fieldsOf(object: JsonSchema, prefix: string, form: TagForm): void {
  const required = new Set(object.required ?? []);
  for (const [key, property] of Object.entries(object.properties ?? {})) {
    if (prefix === '' && key === 'tag') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (property.type === 'object') {
      if (required.has(key)) form.objects.push(path);
      fieldsOf(property, path, form);
      continue;
    }
    const kind = kindOf(property);
    const spec: FieldSpec = { path, key, kind, required: required.has(key) };
    if (property.enum) spec.choices = property.enum.map(String);
    if (property.exclusiveMinimum !== undefined) {
      spec.min = property.exclusiveMinimum;
      spec.exclusiveMin = true;
    } else if (property.minimum !== undefined) spec.min = property.minimum;
    if (property.maximum !== undefined) spec.max = property.maximum;
    if (property.minLength !== undefined) spec.minLength = property.minLength;
    if (property.maxLength !== undefined) spec.maxLength = property.maxLength;
    if (typeof property.default === 'boolean') spec.defaultValue = property.default;
    form.fields.push(spec);
  }
}

/** One form per tag the schema accepts, in the schema's order. */
export function outcomeForms(schema: ZodType): TagForm[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const options = json.oneOf ?? json.anyOf ?? [json];
  return options.map((option) => {
    const tag = option.properties?.tag?.const;
    if (typeof tag !== 'string') throw new Error('an outcome schema option without a literal tag');
    const form: TagForm = { tag, fields: [], objects: [] };
    fieldsOf(option, '', form);
    return form;
  });
}

export type FormValues = Record<string, string | boolean>;

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/**
 * The request body of POST /api/agents/:code/outcome from the form's values: numbers as
 * numbers, a local date-time as an ISO instant, empty fields left out (the API says which
 * are missing).
 */
export function outcomeBody(form: TagForm, values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = { tag: form.tag };
  for (const path of form.objects) setPath(body, path, {});
  for (const field of form.fields) {
    const raw = values[field.path];
    if (field.kind === 'boolean') {
      const value = typeof raw === 'boolean' ? raw : field.defaultValue;
      if (value !== undefined) setPath(body, field.path, value);
      continue;
    }
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    if (field.kind === 'number' || field.kind === 'integer') {
      const n = Number(raw);
      setPath(body, field.path, Number.isFinite(n) ? n : raw);
    } else if (field.kind === 'datetime') {
      const at = new Date(raw);
      setPath(body, field.path, Number.isNaN(at.getTime()) ? raw : at.toISOString());
    } else {
      setPath(body, field.path, field.kind === 'choice' ? raw : raw.trim());
    }
  }
  return body;
}

/** The 422 issues of the API by field path; those naming no field of the form under `''`. */
export function issuesByField(
  form: TagForm,
  issues: readonly { field: string; message: string }[],
): Record<string, string[]> {
  const known = new Set(form.fields.map((f) => f.path));
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const at = known.has(issue.field) ? issue.field : '';
    const message =
      at === '' && issue.field && issue.field !== '(root)'
        ? `${issue.field}: ${issue.message}`
        : issue.message;
    out[at] = [...(out[at] ?? []), message];
  }
  return out;
}
