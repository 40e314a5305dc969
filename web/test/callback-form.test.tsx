// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { CallbackForm } from '../src/screens/agent/callback-form.tsx';

afterEach(cleanup);

it('schedules a callback at the local time the agent entered, as an instant, for anyone when ticked, with the note', () => {
  const sent: { path: string; body: unknown }[] = [];
  render(
    <CallbackForm
      act={async (path, body) => {
        sent.push({ path, body });
      }}
      busy={false}
    />,
  );
  const button = screen.getByRole('button', { name: 'Schedule callback' }) as HTMLButtonElement;
  expect(button.disabled).toBe(true);
  fireEvent.change(screen.getByLabelText('Call back at'), { target: { value: '2026-12-24T15:30' } });
  fireEvent.click(screen.getByLabelText('Any agent may take it'));
  fireEvent.change(screen.getByLabelText(/^Note/), { target: { value: '  after lunch  ' } });
  fireEvent.click(button);
  expect(sent).toEqual([
    {
      path: 'callback',
      body: { at: new Date('2026-12-24T15:30').toISOString(), anyone: true, note: 'after lunch' },
    },
  ]);
});
