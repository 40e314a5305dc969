/**
 * A duration distribution learned with exponential forgetting: fixed-width bins of seconds, the
 * last bin catching everything longer. Immutable: `addSample` returns a new histogram, so a
 * statistics snapshot can be kept, compared or persisted as plain JSON.
 *
 * Forgetting is lazy: the stored weights are the true ones divided by `scale`, and each sample
 * shrinks `scale` instead of every bin, so adding a sample costs one array copy.
 */
export interface DecayedHistogram {
  readonly binSeconds: number;
  /** Stored weight per bin (true weight / scale); the last bin holds samples ≥ (bins − 1) × binSeconds. */
  readonly weights: readonly number[];
  readonly scale: number;
  /** True (decayed) total weight. */
  readonly total: number;
}

export function emptyHistogram(binSeconds: number, maxSeconds: number): DecayedHistogram {
  const bins = Math.ceil(maxSeconds / binSeconds) + 1;
  return { binSeconds, weights: new Array<number>(bins).fill(0), scale: 1, total: 0 };
}

/** Adds one sample after multiplying every older weight by `keep` (1 = no forgetting). */
export function addSample(h: DecayedHistogram, seconds: number, keep: number): DecayedHistogram {
  const bins = h.weights.length;
  const index = Math.min(bins - 1, Math.max(0, Math.floor(seconds / h.binSeconds)));
  let scale = h.scale * keep;
  const weights = h.weights.slice();
  if (scale < 1e-150) {
    // Fold the scale back into the weights before it underflows.
    for (let i = 0; i < bins; i++) weights[i] = (weights[i] ?? 0) * scale;
    scale = 1;
  }
  weights[index] = (weights[index] ?? 0) + 1 / scale;
  return { binSeconds: h.binSeconds, weights, scale, total: h.total * keep + 1 };
}

/** A histogram's normalized cumulative distribution, built once per (immutable) histogram. */
export interface CdfTable {
  /** cum[i] = P(X < i × binSeconds), i = 0..bins; the overflow bin spans `bins − 1` more bins. */
  readonly cum: Float64Array;
  readonly binInverse: number;
  readonly last: number;
  readonly mean: number;
  readonly empty: boolean;
}

// A few recently used tables, matched by identity, their buffers reused when evicted. A table
// is only valid until CACHE_SIZE other histograms have been tabulated: callers use it at once
// (a pacing decision needs four). A WeakMap would need no such rule, but hundreds of thousands
// of short-lived keys make its garbage collection cost more than the tables themselves.
const CACHE_SIZE = 8;
const cachedHistograms: (DecayedHistogram | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
const cachedTables: (CdfTable | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
const lastUsed = new Float64Array(CACHE_SIZE);
let uses = 0;

export function cdfTable(h: DecayedHistogram): CdfTable {
  uses++;
  let slot = 0;
  for (let i = 0; i < CACHE_SIZE; i++) {
    if (cachedHistograms[i] === h) {
      lastUsed[i] = uses;
      return cachedTables[i] as CdfTable;
    }
    // The least recently used slot is replaced, so the tables of the current decision survive.
    if ((lastUsed[i] ?? 0) < (lastUsed[slot] ?? 0)) slot = i;
  }
  lastUsed[slot] = uses;
  const previous = cachedTables[slot]?.cum;
  const buffer =
    previous && previous.length === h.weights.length + 1 ? previous : new Float64Array(h.weights.length + 1);
  const table = buildTable(h, buffer);
  cachedHistograms[slot] = h;
  cachedTables[slot] = table;
  return table;
}

function buildTable(h: DecayedHistogram, cum: Float64Array): CdfTable {
  const bins = h.weights.length;
  let stored = 0;
  for (let i = 0; i < bins; i++) stored += h.weights[i] ?? 0;
  const inverse = stored > 0 ? 1 / stored : 0;
  let running = 0;
  let weighted = 0;
  const last = bins - 1;
  for (let i = 0; i < bins; i++) {
    const w = (h.weights[i] ?? 0) * inverse;
    cum[i] = running;
    running += w;
    weighted += w * (i < last ? i + 0.5 : last * 1.5);
  }
  cum[bins] = running;
  return { cum, binInverse: 1 / h.binSeconds, last, mean: weighted * h.binSeconds, empty: stored <= 0 };
}

/**
 * P(X ≤ x), linear inside a bin. The overflow bin is spread over as many seconds again as the
 * regular bins cover: a guess that only matters past everything the histogram was sized for.
 */
export function tableCdf(t: CdfTable, x: number): number {
  if (x <= 0 || t.empty) return 0;
  const position = x * t.binInverse;
  const index = position | 0;
  const cum = t.cum;
  if (index < t.last) {
    const below = cum[index] as number;
    return below + ((cum[index + 1] as number) - below) * (position - index);
  }
  const below = cum[t.last] as number;
  const fraction = Math.min(1, (position - t.last) / t.last);
  return below + ((cum[t.last + 1] as number) - below) * fraction;
}

export function cdf(h: DecayedHistogram, x: number): number {
  return tableCdf(cdfTable(h), x);
}

/** The smallest x with P(X ≤ x) ≥ q (inverse of `cdf`). */
export function quantile(h: DecayedHistogram, q: number): number {
  return tableQuantile(cdfTable(h), q);
}

export function tableQuantile(t: CdfTable, q: number): number {
  if (t.empty) return 0;
  const cum = t.cum;
  const width = 1 / t.binInverse;
  for (let i = 0; i <= t.last; i++) {
    const before = cum[i] as number;
    const after = cum[i + 1] as number;
    if (after >= q && after > before) {
      const binWidth = i === t.last ? t.last * width : width;
      return i * width + ((q - before) / (after - before)) * binWidth;
    }
  }
  return (t.last + 1) * width;
}

export function mean(h: DecayedHistogram): number {
  return cdfTable(h).mean;
}
