import { describe, expect, it } from 'vitest';

import { median, quantile, summarize } from '../src/stats.js';

describe('quantile', () => {
  it.each([
    { samples: [5], q: 0.9, expected: 5 },
    { samples: [1, 2, 3, 4], q: 0.5, expected: 2.5 },
    { samples: [4, 1, 3, 2], q: 0.5, expected: 2.5 },
    { samples: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q: 0.9, expected: 9.1 },
    { samples: [10, 20], q: 0, expected: 10 },
    { samples: [10, 20], q: 1, expected: 20 },
    { samples: [10, 20, 30], q: 0.25, expected: 15 },
  ])('returns $expected for q=$q of $samples', ({ samples, q, expected }) => {
    expect(quantile(samples, q)).toBeCloseTo(expected, 10);
  });

  it('leaves the samples unsorted', () => {
    const samples = [3, 1, 2];
    quantile(samples, 0.5);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('rejects an empty sample list', () => {
    expect(() => quantile([], 0.5)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantile: expected at least one sample, received none]`,
    );
  });

  it.each([-0.1, 1.5, Number.NaN])('rejects q=%s', (q) => {
    expect(() => quantile([1], q)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('reports count, extremes, median and p90', () => {
    expect(summarize([30, 10, 20, 40, 50])).toEqual({
      count: 5,
      min: 10,
      median: 30,
      p90: 46,
      max: 50,
    });
  });

  it('agrees with median', () => {
    const samples = [7, 3, 9, 1];
    expect(summarize(samples).median).toBe(median(samples));
  });
});
