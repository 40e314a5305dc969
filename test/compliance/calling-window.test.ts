import { describe, expect, it } from 'vitest';
import {
  type CallingWindowSpec,
  evaluateCallingWindow,
  isOpenInAll,
} from '../../engine/compliance/calling-window.ts';
import { evaluateGate } from '../../engine/compliance/gate.ts';
import { candidateZones } from '../../engine/compliance/rules/calling-window.ts';
import { contact, input } from './gate-fixtures.ts';

const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const at = (iso: string) => new Date(iso);

function spec(overrides: Partial<CallingWindowSpec> = {}): CallingWindowSpec {
  return {
    days: everyDay,
    start: '08:00',
    end: '21:00',
    legalHours: [{ start: '08:00', end: '21:00' }],
    holidays: [],
    ...overrides,
  };
}

const NY = ['America/New_York'];

describe('calling window', () => {
  describe('spring forward (New York, 8 March 2026, 02:00 EST → 03:00 EDT)', () => {
    it('opens at 08:00 on the new offset, not the old one', () => {
      expect(isOpenInAll(at('2026-03-08T11:59:00Z'), NY, spec())).toBe(false); // 07:59 EDT
      expect(isOpenInAll(at('2026-03-08T12:00:00Z'), NY, spec())).toBe(true); // 08:00 EDT
      // The day before, 12:00Z was 07:00 EST: closed.
      expect(isOpenInAll(at('2026-03-07T12:00:00Z'), NY, spec())).toBe(false);
    });

    it('closes at 21:00 on the new offset', () => {
      expect(isOpenInAll(at('2026-03-09T00:59:00Z'), NY, spec())).toBe(true); // 20:59 EDT
      expect(isOpenInAll(at('2026-03-09T01:00:00Z'), NY, spec())).toBe(false); // 21:00 EDT
    });

    it('treats a window starting inside the missing hour as starting when the clock jumps', () => {
      const inGap = spec({ start: '02:30', end: '05:00', legalHours: [{ start: '00:00', end: '23:59' }] });
      expect(isOpenInAll(at('2026-03-08T06:59:00Z'), NY, inGap)).toBe(false); // 01:59 EST
      expect(isOpenInAll(at('2026-03-08T07:00:00Z'), NY, inGap)).toBe(true); // 03:00 EDT
      const evaluation = evaluateCallingWindow(at('2026-03-08T06:00:00Z'), NY, inGap);
      expect(evaluation.open).toBe(false);
      expect(evaluation.nextOpen).toEqual(at('2026-03-08T07:00:00Z'));
    });

    it('finds the next opening across the change', () => {
      // 22:00 EST on 7 March → next opening 08:00 EDT on 8 March = 12:00Z.
      const evaluation = evaluateCallingWindow(at('2026-03-08T03:00:00Z'), NY, spec());
      expect(evaluation.nextOpen).toEqual(at('2026-03-08T12:00:00Z'));
    });
  });

  describe('fall back (New York, 1 November 2026, 02:00 EDT → 01:00 EST)', () => {
    it('opens at 08:00 on the new offset', () => {
      expect(isOpenInAll(at('2026-11-01T12:30:00Z'), NY, spec())).toBe(false); // 07:30 EST
      expect(isOpenInAll(at('2026-11-01T13:00:00Z'), NY, spec())).toBe(true); // 08:00 EST
    });

    it('closes at 21:00 EST, an hour later in UTC than the day before', () => {
      expect(isOpenInAll(at('2026-10-31T00:59:00Z'), NY, spec())).toBe(true); // 20:59 EDT on 30 Oct
      expect(isOpenInAll(at('2026-10-31T01:00:00Z'), NY, spec())).toBe(false);
      expect(isOpenInAll(at('2026-11-02T01:59:00Z'), NY, spec())).toBe(true); // 20:59 EST on 1 Nov
      expect(isOpenInAll(at('2026-11-02T02:00:00Z'), NY, spec())).toBe(false); // 21:00 EST
    });

    it('judges both passes through the repeated hour by the wall clock', () => {
      const early = spec({ start: '00:00', end: '01:30', legalHours: [{ start: '00:00', end: '23:59' }] });
      expect(isOpenInAll(at('2026-11-01T05:15:00Z'), NY, early)).toBe(true); // 01:15 EDT
      expect(isOpenInAll(at('2026-11-01T06:15:00Z'), NY, early)).toBe(true); // 01:15 EST
      expect(isOpenInAll(at('2026-11-01T05:30:00Z'), NY, early)).toBe(false); // 01:30 EDT
      expect(isOpenInAll(at('2026-11-01T06:30:00Z'), NY, early)).toBe(false); // 01:30 EST
    });
  });

  describe('London (British Summer Time from 29 March 2026)', () => {
    it('follows the local clock in the UK jurisdiction', () => {
      const uk = {
        jurisdiction: 'UK',
        defaultTimeZone: 'Europe/London',
        callingWindow: { days: [...everyDay], start: '08:00', end: '21:00' },
      };
      const london = { timeZone: 'Europe/London', phoneE164: '+442079460958' };
      const before = evaluateGate(input({ definition: uk, contact: london, now: '2026-03-28T07:30:00Z' }));
      const after = evaluateGate(input({ definition: uk, contact: london, now: '2026-03-29T07:30:00Z' }));
      expect(before.allowed).toBe(false); // 07:30 GMT
      expect(after.allowed).toBe(true); // 08:30 BST
    });
  });

  describe('several possible zones', () => {
    it('must be open in every zone the contact may be in', () => {
      const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles'];
      const w = spec({ start: '09:00', end: '20:00' });
      const e = evaluateCallingWindow(at('2026-06-10T14:00:00Z'), zones, w); // 10:00 / 09:00 / 07:00
      expect(e.open).toBe(false);
      expect(e.zones.filter((z) => !z.open).map((z) => z.zone)).toEqual(['America/Los_Angeles']);
      expect(e.nextOpen).toEqual(at('2026-06-10T16:00:00Z')); // 09:00 in Los Angeles
      expect(isOpenInAll(at('2026-06-10T23:59:00Z'), zones, w)).toBe(true); // 19:59 New York
      expect(isOpenInAll(at('2026-06-11T00:00:00Z'), zones, w)).toBe(false); // 20:00 New York
    });

    it('uses the candidates the import stored for an assumed zone', () => {
      const c = contact({
        timeZone: 'America/Chicago',
        timeZoneAssumed: true,
        candidateTimeZones: ['America/Chicago', 'America/Denver'],
      });
      expect(candidateZones(c, 'America/New_York')).toEqual(['America/Chicago', 'America/Denver']);
    });

    it('takes the assumed zone and the campaign default when nothing else is known', () => {
      const c = contact({ timeZone: 'America/Los_Angeles', timeZoneAssumed: true });
      expect(candidateZones(c, 'America/New_York')).toEqual(['America/Los_Angeles', 'America/New_York']);
      expect(candidateZones(contact(), 'America/Denver')).toEqual(['America/New_York']);
    });

    it('names the closed zone in the gate’s reason', () => {
      const d = evaluateGate(
        input({
          contact: { timeZoneAssumed: true, candidateTimeZones: ['America/New_York', 'America/Los_Angeles'] },
          now: '2026-06-10T14:00:00Z',
        }),
      );
      const window = d.results.find((r) => r.rule === 'calling_window')!;
      expect(window.code).toBe('calling_window.legal_hours'); // 07:00 in Los Angeles
      expect(window.message).toContain('America/Los_Angeles');
      expect(window.retryAt).toEqual(at('2026-06-10T16:00:00Z'));
    });
  });

  describe('days and holidays', () => {
    it('is closed on a holiday of the campaign, in the contact’s local date', () => {
      const d = evaluateGate(
        input({ definition: { holidays: ['2026-12-25'] }, now: '2026-12-25T16:00:00Z' }),
      );
      const window = d.results.find((r) => r.rule === 'calling_window')!;
      expect(window.code).toBe('calling_window.holiday');
      expect(window.retryAt).toEqual(at('2026-12-26T14:00:00Z')); // Saturday 09:00 New York
      // 02:00Z on the 26th is still the 25th in New York.
      const evening = evaluateGate(
        input({ definition: { holidays: ['2026-12-25'] }, now: '2026-12-26T00:30:00Z' }),
      );
      expect(evening.results.find((r) => r.rule === 'calling_window')!.code).toBe('calling_window.holiday');
    });

    it('is closed on a day the campaign does not call', () => {
      const d = evaluateGate(input({ now: '2026-06-14T16:00:00Z' })); // Sunday
      expect(d.results.find((r) => r.rule === 'calling_window')!.code).toBe('calling_window.closed_day');
    });

    it('distinguishes the campaign’s hours from the legal hours', () => {
      const early = evaluateGate(input({ now: '2026-06-10T12:30:00Z' })); // 08:30: legal, before the campaign's 09:00
      expect(early.results.find((r) => r.rule === 'calling_window')!.code).toBe(
        'calling_window.campaign_hours',
      );
      const wide = { callingWindow: { start: '07:00', end: '22:00' } };
      const late = evaluateGate(input({ definition: wide, now: '2026-06-11T01:30:00Z' })); // 21:30
      expect(late.results.find((r) => r.rule === 'calling_window')!.code).toBe('calling_window.legal_hours');
    });

    it('applies China’s default legal hours (09:00–20:00) in Shanghai', () => {
      const cn = {
        jurisdiction: 'CN',
        defaultTimeZone: 'Asia/Shanghai',
        callingWindow: { start: '08:00', end: '21:00' },
      };
      const c = { timeZone: 'Asia/Shanghai', phoneE164: '+8613800138000', consentRef: 'WL-1' };
      const morning = evaluateGate(input({ definition: cn, contact: c, now: '2026-06-10T00:30:00Z' })); // 08:30
      expect(morning.results.find((r) => r.rule === 'calling_window')!.code).toBe(
        'calling_window.legal_hours',
      );
      expect(evaluateGate(input({ definition: cn, contact: c, now: '2026-06-10T01:00:00Z' })).allowed).toBe(
        true,
      );
    });
  });
});
