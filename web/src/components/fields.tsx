import type { InputHTMLAttributes, ReactNode } from 'react';
import type { Issue } from '../api/client.ts';
import { fieldOf } from './use-load.ts';

/**
 * A labelled input in the console's `field` box, for the filters and forms whose input only
 * carries a value (no error state): the label points at the input by `id`, and `onValue`
 * receives the text. `children` come after the input (a `<datalist>`).
 */
export function InputField({
  id,
  label,
  onValue,
  children,
  ...input
}: {
  id: string;
  label: ReactNode;
  onValue: (value: string) => void;
  children?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'children'>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} onChange={(e) => onValue(e.target.value)} />
      {children}
    </div>
  );
}

/** A labelled choice among fixed values, in the console's `field` box. */
export function SelectField<V extends string>({
  id,
  label,
  value,
  options,
  onValue,
}: {
  id: string;
  label: ReactNode;
  value: V;
  options: readonly { value: V; label: ReactNode }[];
  onValue: (value: V) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValue(e.target.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The API's issues about one field, under it (`data-field` names the field for tests and styles). */
export function FieldProblems({ field, problems }: { field: string; problems: readonly Issue[] }) {
  if (problems.length === 0) return null;
  return (
    <span className="field-error" data-field={field}>
      {problems.map((p) => p.message).join('; ')}
    </span>
  );
}

/**
 * The API's issues about fields the form does not show (`shown` says which it does), in one line,
 * so a refusal is never silent.
 */
export function OtherIssues({
  issues,
  shown,
}: {
  issues: readonly Issue[];
  shown: (field: string) => boolean;
}) {
  const others = issues.filter((i) => !shown(fieldOf(i)));
  if (others.length === 0) return null;
  return <p className="field-error">{others.map((i) => `${fieldOf(i) || '—'}: ${i.message}`).join('; ')}</p>;
}
