// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { DataTable } from '../src/components/data-table.tsx';
import { FieldProblems, InputField, OtherIssues } from '../src/components/fields.tsx';

afterEach(cleanup);

it('puts the API’s issues about a field under it, and those about fields the form does not show in one line', () => {
  const issues = [
    { field: 'body.phone', message: 'not a number' },
    { field: 'body.phone', message: 'too short' },
    { field: 'body.region', message: 'unknown region' },
    { field: '', message: 'refused' },
  ];
  const { container } = render(
    <form>
      <FieldProblems field="phone" problems={issues.filter((i) => i.field === 'body.phone')} />
      <OtherIssues issues={issues} shown={(field) => field === 'phone'} />
    </form>,
  );
  expect(container.querySelector('[data-field=phone]')?.textContent).toBe('not a number; too short');
  expect(container.querySelector('p.field-error')?.textContent).toBe('region: unknown region; —: refused');
});

it('shows nothing where there is no issue', () => {
  const { container } = render(
    <form>
      <FieldProblems field="phone" problems={[]} />
      <OtherIssues issues={[{ field: 'body.phone', message: 'x' }]} shown={(field) => field === 'phone'} />
    </form>,
  );
  expect(container.querySelector('.field-error')).toBeNull();
});

it('labels an input and hands its text to onValue', () => {
  const typed: string[] = [];
  render(<InputField id="f-day" label="Day" type="date" value="" onValue={(v) => typed.push(v)} />);
  fireEvent.change(screen.getByLabelText('Day'), { target: { value: '2026-12-03' } });
  expect(typed).toEqual(['2026-12-03']);
});

it('draws a table named by its caption with one header cell per column', () => {
  render(
    <DataTable caption="2 entries" columns={['When', 'Who']} testId="t">
      <tr>
        <td>today</td>
        <td>ada</td>
      </tr>
    </DataTable>,
  );
  const table = screen.getByRole('table', { name: '2 entries' });
  expect([...table.querySelectorAll('thead th[scope=col]')].map((th) => th.textContent)).toEqual([
    'When',
    'Who',
  ]);
  expect(table.querySelectorAll('tbody tr')).toHaveLength(1);
  expect(table.getAttribute('data-testid')).toBe('t');
});
