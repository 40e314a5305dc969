// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CampaignDefinition } from '../../campaigns/campaign-definition.ts';
import { agentTags, outcomeSchemaFor } from '../../campaigns/outcomes/outcome-schema.ts';
import { ApiError } from '../src/api/client.ts';
import { OutcomeForm } from '../src/screens/agent/outcome-form.tsx';
import { type FieldSpec, outcomeForms } from '../src/screens/agent/outcome-form-model.ts';

afterEach(cleanup);

type Definition = Pick<CampaignDefinition, 'type' | 'questions'>;

const QUESTIONS = [
  { id: 'recommend', prompt: 'Would you recommend us?', choices: { '1': 'yes', '2': 'no' }, required: true },
  { id: 'why', prompt: 'Why?', required: false },
] as Definition['questions'];

const DEFINITIONS: Record<string, Definition> = {
  collections: { type: 'collections', questions: [] },
  survey: { type: 'survey', questions: QUESTIONS },
  reminder: { type: 'reminder', questions: [] },
  revisit: { type: 'revisit', questions: [] },
};

/** A value a person could type that the field's constraints accept. */
function sample(field: FieldSpec): string | null {
  switch (field.kind) {
    case 'number':
      return '12.5';
    case 'integer':
      return String(field.min ?? 1);
    case 'date':
      return '2026-12-24';
    case 'datetime':
      return '2026-12-24T15:30';
    case 'choice':
      return field.choices![0]!;
    case 'boolean':
      return null;
    default:
      return 'said so';
  }
}

function renderForm(definition: Definition, submit: (body: Record<string, unknown>) => Promise<void>) {
  const schema = outcomeSchemaFor(definition, 'agent');
  const labels = Object.fromEntries(definition.questions.map((q) => [q.id, q.prompt]));
  const view = render(<OutcomeForm schema={schema} labels={labels} submit={submit} />);
  return { schema, view };
}

function field(container: HTMLElement, path: string): HTMLInputElement {
  const input = container.querySelector(`[name="${path}"]`);
  if (!input) throw new Error(`no field ${path}`);
  return input as HTMLInputElement;
}

describe.each(Object.entries(DEFINITIONS))('the outcome form of a %s campaign', (_type, definition) => {
  it('offers exactly the tags an agent may choose in this campaign type, in the schema’s order', () => {
    const { view } = renderForm(definition, async () => {});
    const options = [...view.container.querySelectorAll<HTMLOptionElement>('select[name="tag"] option')]
      .map((o) => o.value)
      .filter(Boolean);
    expect(options).toEqual(agentTags(definition));
  });

  it('for every tag shows the schema’s fields, and filled in sends a body the schema accepts', async () => {
    const sent: Record<string, unknown>[] = [];
    const { schema, view } = renderForm(definition, async (body) => {
      sent.push(body);
    });
    for (const form of outcomeForms(schema)) {
      fireEvent.change(field(view.container, 'tag'), { target: { value: form.tag } });
      const shown = [...view.container.querySelectorAll('[name]')]
        .map((e) => e.getAttribute('name'))
        .filter((n) => n !== 'tag');
      expect(shown, form.tag).toEqual(form.fields.map((f) => f.path));
      for (const f of form.fields) {
        const value = sample(f);
        if (value !== null) fireEvent.change(field(view.container, f.path), { target: { value } });
      }
      fireEvent.click(screen.getByRole('button', { name: 'Save outcome' }));
      await waitFor(() => expect(sent).toHaveLength(1));
      const body = sent.pop()!;
      expect(body.tag).toBe(form.tag);
      expect(schema.safeParse(body).error?.issues, form.tag).toBeUndefined();
    }
  });
});

describe('the outcome form and the API’s answer', () => {
  it('shows each 422 issue under the field it names until that field changes, and one naming no field above the button', async () => {
    const { view } = renderForm(DEFINITIONS.collections!, async () => {
      throw new ApiError(422, 'invalid', 'outcome is invalid', [
        { field: 'amount', message: 'must be more than zero' },
        { field: 'date', message: 'must be a date as YYYY-MM-DD' },
        { field: '(root)', message: 'the call is over' },
      ]);
    });
    fireEvent.change(field(view.container, 'tag'), { target: { value: 'promise_to_pay' } });
    fireEvent.change(field(view.container, 'amount'), { target: { value: '-5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save outcome' }));
    await waitFor(() => expect(view.container.querySelector('[data-field="amount"]')).not.toBeNull());
    expect(view.container.querySelector('[data-field="amount"]')?.textContent).toBe('must be more than zero');
    expect(view.container.querySelector('[data-field="date"]')?.textContent).toBe(
      'must be a date as YYYY-MM-DD',
    );
    expect(field(view.container, 'amount').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe('the call is over');
    // Correcting a field takes its error away; the others stay until the next answer.
    fireEvent.change(field(view.container, 'amount'), { target: { value: '120' } });
    expect(view.container.querySelector('[data-field="amount"]')).toBeNull();
    expect(view.container.querySelector('[data-field="date"]')).not.toBeNull();
  });

  it('labels survey answers with the question the agent reads', () => {
    const { view } = renderForm(DEFINITIONS.survey!, async () => {});
    fireEvent.change(field(view.container, 'tag'), { target: { value: 'completed' } });
    expect(screen.getByLabelText(/Would you recommend us\?/)).toBe(
      field(view.container, 'answers.recommend'),
    );
  });

  it('cannot send while the call is still on (the API tags in wrap-up only)', () => {
    const schema = outcomeSchemaFor(DEFINITIONS.collections!, 'agent');
    render(<OutcomeForm schema={schema} submit={async () => {}} disabled />);
    expect((screen.getByRole('button', { name: 'Save outcome' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
