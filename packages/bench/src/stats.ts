/** Summary of repeated measurements, in the unit of the samples. */
export interface Summary {
  count: number;
  min: number;
  median: number;
  p90: number;
  max: number;
}

/**
 * Returns the q-quantile (0 ≤ q ≤ 1) of the samples, interpolating linearly between the two
 * nearest ranks (the method spreadsheets and NumPy use by default).
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) {
    throw new RangeError('quantile: expected at least one sample, received none');
  }
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`quantile: expected q from 0 to 1, received ${q}`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export function summarize(samples: readonly number[]): Summary {
  return {
    count: samples.length,
    min: Math.min(...samples),
    median: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    max: Math.max(...samples),
  };
}
