import { type FormEvent, useId, useMemo, useState } from 'react';
import type { ZodType } from 'zod';
import { ApiError } from '../../api/client.ts';
import { labelOf, t } from '../../i18n/index.ts';
import {
  type FieldSpec,
  type FormValues,
  issuesByField,
  outcomeBody,
  outcomeForms,
  type TagForm,
} from './outcome-form-model.ts';

export interface OutcomeFormProps {
  /** The campaign's outcome schema for agents (outcomeSchemaFor(definition, 'agent')). */
  schema: ZodType;
  /** Labels of fields the strings do not name (survey questions: id → prompt). */
  labels?: Record<string, string>;
  /** Sends the body to the API; an ApiError's issues are shown by their fields. */
  submit(body: Record<string, unknown>): Promise<void>;
  /** Saving is not possible yet (the call is still on): the form can be filled, not sent. */
  disabled?: boolean;
}

function FieldInput({
  field,
  id,
  value,
  onChange,
  describedBy,
  invalid,
}: {
  field: FieldSpec;
  id: string;
  value: string | boolean | undefined;
  onChange(value: string | boolean): void;
  describedBy: string | undefined;
  invalid: boolean;
}) {
  const common = {
    id,
    name: field.path,
    required: field.required,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
  };
  const text = typeof value === 'string' ? value : '';
  switch (field.kind) {
    case 'boolean':
      return (
        <input
          {...common}
          required={false}
          type="checkbox"
          checked={typeof value === 'boolean' ? value : (field.defaultValue ?? false)}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
    case 'choice':
      return (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {field.choices?.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
    case 'number':
    case 'integer':
      return (
        <input
          {...common}
          type="number"
          inputMode="decimal"
          step={field.kind === 'integer' ? 1 : 'any'}
          min={field.exclusiveMin ? undefined : field.min}
          max={field.max}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'date':
      return <input {...common} type="date" value={text} onChange={(e) => onChange(e.target.value)} />;
    case 'datetime':
      return (
        <input {...common} type="datetime-local" value={text} onChange={(e) => onChange(e.target.value)} />
      );
    case 'textarea':
      return (
        <textarea
          {...common}
          rows={3}
          maxLength={field.maxLength}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    default:
      return (
        <input
          {...common}
          type="text"
          maxLength={field.maxLength}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

/**
 * The outcome of a call: the agent picks a tag, the fields that tag takes appear (generated from
 * the schema), the API validates; its 422 issues show under their fields.
 */
export function OutcomeForm({ schema, labels = {}, submit, disabled = false }: OutcomeFormProps) {
  const forms = useMemo(() => outcomeForms(schema), [schema]);
  const [tag, setTag] = useState('');
  const [values, setValues] = useState<FormValues>({});
  const [issues, setIssues] = useState<Record<string, string[]>>({});
  const [saving, setSaving] = useState(false);
  const base = useId();
  const form: TagForm | undefined = forms.find((f) => f.tag === tag);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    setSaving(true);
    setIssues({});
    try {
      await submit(outcomeBody(form, values));
    } catch (error) {
      if (error instanceof ApiError) {
        setIssues(
          error.issues.length > 0
            ? issuesByField(form, error.issues)
            : { '': [t.errors.generic(error.message)] },
        );
      } else setIssues({ '': [t.errors.network] });
    } finally {
      setSaving(false);
    }
  }

  const general = issues[''];
  return (
    <form className="outcome-form" onSubmit={(e) => void onSubmit(e)} aria-label={t.agent.outcome} noValidate>
      <label>
        {t.agent.outcomeTag}
        <select
          name="tag"
          value={tag}
          onChange={(e) => {
            setTag(e.target.value);
            setIssues({});
          }}
        >
          <option value="">{t.agent.chooseTag}</option>
          {forms.map((f) => (
            <option key={f.tag} value={f.tag}>
              {labelOf(t.tags, f.tag)}
            </option>
          ))}
        </select>
      </label>
      {form?.fields.map((field) => {
        const id = `${base}-${field.path}`;
        const errors = issues[field.path];
        const errorId = errors ? `${id}-error` : undefined;
        const label = labels[field.key] ?? labelOf(t.fields, field.key);
        return (
          <label key={field.path} htmlFor={id} className={field.kind === 'boolean' ? 'inline' : undefined}>
            <span>
              {label} {field.required ? null : <span className="notice">{t.agent.optional}</span>}
            </span>
            <FieldInput
              field={field}
              id={id}
              value={values[field.path]}
              onChange={(v) => {
                setValues((old) => ({ ...old, [field.path]: v }));
                // A changed field's error was about the old value.
                setIssues(({ [field.path]: _gone, ...rest }) => rest);
              }}
              describedBy={errorId}
              invalid={Boolean(errors)}
            />
            {errors && (
              <span id={errorId} className="field-error" data-field={field.path}>
                {errors.join('; ')}
              </span>
            )}
          </label>
        );
      })}
      {general && (
        <p role="alert" className="error">
          {general.join('; ')}
        </p>
      )}
      <button type="submit" disabled={disabled || saving || !form}>
        {saving ? t.agent.saving : t.agent.submitOutcome}
      </button>
    </form>
  );
}
