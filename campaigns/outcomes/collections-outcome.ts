import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');
const amount = z.number().positive('must be more than zero').max(1e9);

export const collectionsOutcomes = [
  /** Spoke to the debtor, nothing agreed yet. */
  z.strictObject({ tag: z.literal('right_party_contact'), note: z.string().max(500).optional() }),
  z.strictObject({ tag: z.literal('promise_to_pay'), amount, date: isoDate }),
  z.strictObject({ tag: z.literal('paid'), amount: amount.optional() }),
  z.strictObject({ tag: z.literal('dispute'), reason: z.string().min(1).max(500) }),
  z.strictObject({ tag: z.literal('refused') }),
  /** Someone else answered (not the debtor): nothing may be disclosed. */
  z.strictObject({ tag: z.literal('wrong_party') }),
] as const;
