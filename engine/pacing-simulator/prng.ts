/**
 * Seeded pseudo-random numbers. mulberry32: 32-bit state, fast, good enough for simulation (not
 * for cryptography). `streamFor` derives an independent generator from several integers, so each
 * call attempt of each day has its own numbers whatever the strategy dialing it (common random
 * numbers: every strategy faces the same people, answering after the same rings, talking as long).
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(h: number, value: number): number {
  let x = (h ^ Math.imul(value >>> 0, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

export function streamFor(...parts: number[]): Random {
  let h = 0x811c9dc5;
  for (const part of parts) h = mix(h, part);
  return mulberry32(h);
}
