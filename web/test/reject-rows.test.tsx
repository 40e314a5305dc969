// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { REJECTS_PAGE, type Reject, RejectRows } from '../src/screens/manager/reject-rows.tsx';

afterEach(cleanup);

/** A batch's rejects as the API pages them: in line order, those after `after`, a page at a time. */
function batchOf(count: number) {
  // Every other line of the file rejected, from line 2 (after the header).
  const rejects: Reject[] = Array.from({ length: count }, (_, i) => ({
    line: 2 + i * 2,
    reason: 'invalid_phone',
    phone: null,
    detail: null,
  }));
  const asked: number[] = [];
  const load = async (after: number) => {
    asked.push(after);
    return rejects.filter((r) => r.line > after).slice(0, REJECTS_PAGE);
  };
  return { rejects, asked, load };
}

const lines = () =>
  [...screen.getByTestId('reject-rows').querySelectorAll('tbody tr')].map((tr) =>
    Number(tr.querySelector('td')?.textContent),
  );

it('pages through every reject of a large batch, after the last line shown, and back', async () => {
  const batch = batchOf(2500);
  render(<RejectRows total={2500} load={batch.load} />);
  await screen.findByRole('table', { name: 'Rejected rows 1–1000 of 2500' });
  expect(lines()).toEqual(batch.rejects.slice(0, 1000).map((r) => r.line));
  const previous = () => screen.getByRole('button', { name: 'Previous rejected rows' }) as HTMLButtonElement;
  const next = () => screen.getByRole('button', { name: 'Next rejected rows' }) as HTMLButtonElement;
  expect(previous().disabled).toBe(true);

  fireEvent.click(next());
  await screen.findByRole('table', { name: 'Rejected rows 1001–2000 of 2500' });
  expect(lines()).toEqual(batch.rejects.slice(1000, 2000).map((r) => r.line));
  fireEvent.click(next());
  await screen.findByRole('table', { name: 'Rejected rows 2001–2500 of 2500' });
  expect(lines()).toEqual(batch.rejects.slice(2000).map((r) => r.line));
  expect(next().disabled).toBe(true);

  fireEvent.click(previous());
  await screen.findByRole('table', { name: 'Rejected rows 1001–2000 of 2500' });
  expect(lines()).toEqual(batch.rejects.slice(1000, 2000).map((r) => r.line));
  // Each page was asked for after the last line of the page before it (the API's keyset).
  const lastOfFirstPage = batch.rejects[999]!.line;
  const lastOfSecondPage = batch.rejects[1999]!.line;
  expect(batch.asked).toEqual([0, lastOfFirstPage, lastOfSecondPage, lastOfFirstPage]);
});

it('shows a small batch on one page, without page buttons', async () => {
  const batch = batchOf(3);
  render(<RejectRows total={3} load={batch.load} />);
  await screen.findByRole('table', { name: '3 rejected rows' });
  expect(lines()).toEqual([2, 4, 6]);
  expect(screen.queryByRole('button', { name: 'Next rejected rows' })).toBeNull();
});

it('offers no next page when the last page is exactly full', async () => {
  const batch = batchOf(REJECTS_PAGE * 2);
  render(<RejectRows total={REJECTS_PAGE * 2} load={batch.load} />);
  await screen.findByRole('table', { name: `Rejected rows 1–1000 of ${REJECTS_PAGE * 2}` });
  fireEvent.click(screen.getByRole('button', { name: 'Next rejected rows' }));
  await screen.findByRole('table', { name: 'Rejected rows 1001–2000 of 2000' });
  expect((screen.getByRole('button', { name: 'Next rejected rows' }) as HTMLButtonElement).disabled).toBe(
    true,
  );
});
