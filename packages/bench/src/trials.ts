import { runTimed, type ProcessResult } from './processes.js';
import { summarize, type Summary } from './stats.js';

/** One prepared run of a command; preparation and checks are not timed. */
export interface Trial {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Raises when the run did not do its work, which disqualifies the variant. */
  check?(result: ProcessResult): Promise<void> | void;
  cleanup?(): Promise<void>;
}

/** A command to time, with a fresh preparation before each run. */
export interface Variant {
  key: string;
  prepare(): Promise<Trial>;
}

/** Samples of a variant in milliseconds, or why it could not be measured. */
export type Timing = { summary: Summary; samples: number[] } | { error: string };

const TRIAL_TIMEOUT_MS = 30_000;

function describeFailure(result: ProcessResult): string {
  if (result.timedOut) {
    return `timed out after ${TRIAL_TIMEOUT_MS} ms`;
  }
  const lastLine = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .pop();
  return `exited with code ${String(result.exitCode)}${lastLine ? `: ${lastLine.slice(0, 160)}` : ''}`;
}

/** How many times {@link timeVariants} runs each variant. */
export interface RoundPlan {
  /** Timed rounds at most. */
  rounds: number;
  /** Untimed rounds first. */
  warmup: number;
  /** No new timed round starts after this many milliseconds once `minRounds` are done. */
  budgetMs: number;
  minRounds: number;
}

/**
 * Times every variant in `warmup` untimed rounds and then up to `rounds` timed ones. Variants run
 * in turn within each round, so that a change in the machine's load during the run spreads
 * over all of them instead of skewing one. On a busy machine the time budget ends the timed
 * rounds early, so every variant keeps the same number of samples. A variant whose run fails is
 * dropped with its error.
 */
export async function timeVariants(
  variants: readonly Variant[],
  plan: RoundPlan,
): Promise<Map<string, Timing>> {
  const { rounds, warmup } = plan;
  const samples = new Map<string, number[]>(variants.map((variant) => [variant.key, []]));
  const errors = new Map<string, string>();
  const deadline = performance.now() + plan.budgetMs;
  for (let round = 0; round < warmup + rounds; round++) {
    if (round >= warmup + plan.minRounds && performance.now() > deadline) {
      break;
    }
    for (const variant of variants) {
      if (errors.has(variant.key)) {
        continue;
      }
      let trial: Trial | undefined;
      try {
        trial = await variant.prepare();
        const result = await runTimed(trial.command, trial.args, {
          env: trial.env,
          timeoutMs: TRIAL_TIMEOUT_MS,
          ...(trial.cwd === undefined ? {} : { cwd: trial.cwd }),
        });
        if (result.timedOut) {
          throw new Error(describeFailure(result));
        }
        await trial.check?.(result);
        if (round >= warmup) {
          samples.get(variant.key)?.push(result.durationMs);
        }
      } catch (error: unknown) {
        errors.set(variant.key, error instanceof Error ? error.message : String(error));
      } finally {
        await trial?.cleanup?.();
      }
    }
  }
  const timings = new Map<string, Timing>();
  for (const variant of variants) {
    const error = errors.get(variant.key);
    const values = samples.get(variant.key) ?? [];
    timings.set(
      variant.key,
      error === undefined ? { summary: summarize(values), samples: values } : { error },
    );
  }
  return timings;
}

/** Raises unless the process exited with code 0. */
export function expectSuccess(result: ProcessResult): void {
  if (result.exitCode !== 0) {
    throw new Error(describeFailure(result));
  }
}
