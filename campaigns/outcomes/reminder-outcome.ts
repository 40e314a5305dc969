import { z } from 'zod';

export const reminderOutcomes = [
  z.strictObject({ tag: z.literal('confirmed') }),
  z.strictObject({ tag: z.literal('declined') }),
  z.strictObject({
    tag: z.literal('rescheduled'),
    /** The new appointment time, when the person gave one. */
    to: z.iso.datetime({ offset: true }).optional(),
  }),
  /** The reminder was played in full (to a person or a machine) without an answer to it. */
  z.strictObject({ tag: z.literal('message_delivered') }),
] as const;
