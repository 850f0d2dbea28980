import { measurePeakRss, type RssMethod } from './processes.js';
import { median } from './stats.js';
import type { Variant } from './trials.js';

/** Median peak RSS of a variant's runs in KiB, or why it could not be measured. */
export type MemoryFigure = { kib: number; method: RssMethod } | { error: string };

/** Measures the peak resident set size of each `node` variant `runs` times. */
export async function measureMemory(
  variants: readonly Variant[],
  runs: number,
): Promise<Map<string, MemoryFigure>> {
  const figures = new Map<string, MemoryFigure>();
  for (const variant of variants) {
    const values: number[] = [];
    let method: RssMethod = 'GNU time';
    try {
      for (let run = 0; run < runs; run++) {
        const trial = await variant.prepare();
        try {
          if (trial.command !== process.execPath) {
            throw new TypeError(`${variant.key}: only node commands can be measured`);
          }
          const peak = await measurePeakRss(trial.args, {
            env: trial.env,
            timeoutMs: 30_000,
            ...(trial.cwd === undefined ? {} : { cwd: trial.cwd }),
          });
          await trial.check?.(peak.result);
          values.push(peak.kib);
          method = peak.method;
        } finally {
          await trial.cleanup?.();
        }
      }
      figures.set(variant.key, { kib: median(values), method });
    } catch (error: unknown) {
      figures.set(variant.key, { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return figures;
}
