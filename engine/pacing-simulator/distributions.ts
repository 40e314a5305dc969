import { z } from 'zod';
import type { Random } from './prng.ts';

/** Optional bounds every distribution takes; each variant lists them so that it can be strict. */
const bounds = { minSeconds: z.number().min(0).optional(), maxSeconds: z.number().positive().optional() };

/** A duration in seconds, as a scenario file writes it; an unknown key is an error. */
export const distributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), seconds: z.number().min(0), ...bounds }),
  z.strictObject({ kind: z.literal('uniform'), min: z.number().min(0), max: z.number().min(0), ...bounds }),
  z.strictObject({ kind: z.literal('exponential'), mean: z.number().positive(), ...bounds }),
  z.strictObject({
    kind: z.literal('lognormal'),
    mean: z.number().positive(),
    sd: z.number().positive(),
    ...bounds,
  }),
  z.strictObject({
    kind: z.literal('gamma'),
    mean: z.number().positive(),
    sd: z.number().positive(),
    ...bounds,
  }),
]);

export type Distribution = z.infer<typeof distributionSchema>;

function standardNormal(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Marsaglia & Tsang (2000); shape < 1 boosted by U^(1/shape). */
function gamma(random: Random, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.max(random(), 1e-12) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(random);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = random();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sample(d: Distribution, random: Random): number {
  let value: number;
  switch (d.kind) {
    case 'fixed':
      value = d.seconds;
      break;
    case 'uniform':
      value = d.min + (d.max - d.min) * random();
      break;
    case 'exponential':
      value = -d.mean * Math.log(1 - random());
      break;
    case 'lognormal': {
      const s2 = Math.log(1 + (d.sd * d.sd) / (d.mean * d.mean));
      value = Math.exp(Math.log(d.mean) - s2 / 2 + Math.sqrt(s2) * standardNormal(random));
      break;
    }
    case 'gamma': {
      const shape = (d.mean * d.mean) / (d.sd * d.sd);
      value = gamma(random, shape) * ((d.sd * d.sd) / d.mean);
      break;
    }
  }
  if (d.minSeconds !== undefined) value = Math.max(d.minSeconds, value);
  if (d.maxSeconds !== undefined) value = Math.min(d.maxSeconds, value);
  return value;
}
