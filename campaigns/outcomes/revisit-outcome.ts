import { z } from 'zod';

export const revisitOutcomes = [
  z.strictObject({ tag: z.literal('satisfaction'), score: z.number().int().min(1).max(5) }),
  z.strictObject({ tag: z.literal('feedback'), text: z.string().min(1).max(2000) }),
  z.strictObject({ tag: z.literal('complaint_raised'), text: z.string().min(1).max(2000) }),
  z.strictObject({
    tag: z.literal('callback_requested'),
    at: z.iso.datetime({ offset: true }),
    note: z.string().max(500).optional(),
  }),
] as const;
