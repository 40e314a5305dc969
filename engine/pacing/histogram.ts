/**
 * A duration distribution learned with exponential forgetting: fixed-width bins of seconds, the
 * last bin catching everything longer. Immutable: `addSample` returns a new histogram, so a
 * statistics snapshot can be kept, compared or persisted as plain JSON.
 */
export interface DecayedHistogram {
  readonly binSeconds: number;
  /** Decayed weight per bin; the last bin holds every sample ≥ (bins − 1) × binSeconds. */
  readonly weights: readonly number[];
  /** Cumulative weight before each bin (cumulative[i] = Σ weights[0..i-1]), kept for O(1) CDFs. */
  readonly cumulative: readonly number[];
  readonly total: number;
}

export function emptyHistogram(binSeconds: number, maxSeconds: number): DecayedHistogram {
  const bins = Math.ceil(maxSeconds / binSeconds) + 1;
  const zeros = new Array<number>(bins).fill(0);
  return { binSeconds, weights: zeros, cumulative: zeros.slice(), total: 0 };
}

/** Adds one sample after multiplying every older weight by `keep` (1 = no forgetting). */
export function addSample(h: DecayedHistogram, seconds: number, keep: number): DecayedHistogram {
  const bins = h.weights.length;
  const index = Math.min(bins - 1, Math.max(0, Math.floor(seconds / h.binSeconds)));
  const weights = new Array<number>(bins);
  const cumulative = new Array<number>(bins);
  let running = 0;
  for (let i = 0; i < bins; i++) {
    const w = (h.weights[i] ?? 0) * keep + (i === index ? 1 : 0);
    weights[i] = w;
    cumulative[i] = running;
    running += w;
  }
  return { binSeconds: h.binSeconds, weights, cumulative, total: running };
}

/**
 * P(X ≤ x), linear inside a bin. The overflow bin is spread over one more histogram width, a
 * guess that only matters for calls longer than anything the histogram was sized for.
 */
export function cdf(h: DecayedHistogram, x: number): number {
  if (h.total <= 0 || x <= 0) return 0;
  const bins = h.weights.length;
  const last = bins - 1;
  const width = h.binSeconds;
  const position = x / width;
  let index = Math.floor(position);
  let fraction = position - index;
  if (index >= last) {
    const overflowWidth = last;
    fraction = Math.min(1, (position - last) / overflowWidth);
    index = last;
  }
  const below = h.cumulative[index] ?? 0;
  const inBin = h.weights[index] ?? 0;
  return Math.min(1, (below + inBin * fraction) / h.total);
}

/** The smallest x with P(X ≤ x) ≥ q (inverse of `cdf`). */
export function quantile(h: DecayedHistogram, q: number): number {
  if (h.total <= 0) return 0;
  const target = q * h.total;
  const bins = h.weights.length;
  for (let i = 0; i < bins; i++) {
    const w = h.weights[i] ?? 0;
    const before = h.cumulative[i] ?? 0;
    if (before + w >= target && w > 0) {
      const fraction = (target - before) / w;
      const width = i === bins - 1 ? (bins - 1) * h.binSeconds : h.binSeconds;
      return i * h.binSeconds + fraction * width;
    }
  }
  return bins * h.binSeconds;
}

export function mean(h: DecayedHistogram): number {
  if (h.total <= 0) return 0;
  let sum = 0;
  const last = h.weights.length - 1;
  for (let i = 0; i < last; i++) sum += (h.weights[i] ?? 0) * (i + 0.5) * h.binSeconds;
  sum += (h.weights[last] ?? 0) * last * 1.5 * h.binSeconds;
  return sum / h.total;
}
