import {
  runAction,
  scanForLeaks,
  type ActionRun,
  type LeakFinding,
  type Secret,
} from '@rips-actions/action-testkit';
import type { Emulator } from '@rips-actions/rips-emulator';
import { expect } from 'vitest';

import {
  errorText,
  type CoreObservation,
  type MatrixRow,
  type MatrixTarget,
  type RowVerdict,
} from '../src/index.js';
import type { Arrangement, Scenario } from './scenarios.js';

/** The expected outcome of one scenario on one target. */
export interface Expectation {
  /** The expected outcome in words, for the report. */
  expected: string;
  /** True for success; otherwise the failure, matched by code (auth-core) and message. */
  succeeds: boolean;
  code?: string;
  message?: RegExp;
  /** Exact number of entries in the emulator's request log. */
  requests: number;
  /** Upper bound on the duration in milliseconds. */
  boundMs: number;
  /** Lower bound, for waits that the target must honour, such as `Retry-After`. */
  minMs?: number;
  /**
   * A bug this row shows. The test is marked as failing, and the report lists the row as a
   * known bug instead of a difference.
   */
  bug?: string;
}

/** What a run of any target did, in the terms of the matrix. */
export interface Observation {
  ok: boolean;
  code: string | undefined;
  message: string | undefined;
  requests: number;
  elapsedMs: number;
  leaks: readonly LeakFinding[];
  /**
   * Names of the outputs, exported variables (`env NAME`) and saved state (`state NAME`) that a
   * failed run set; empty for a run that succeeded.
   */
  outputsAfterFailure: string[];
}

/** Runs the target and the arrangement's side task together and returns the target's result. */
export async function withSideTask<T>(
  arrangement: Arrangement,
  target: () => Promise<T>,
): Promise<T> {
  const [result] = await Promise.all([target(), arrangement.during?.()]);
  return result;
}

/** Counts the emulator's logged requests, which exclude control calls. */
export async function countRequests(emulator: Emulator): Promise<number> {
  return (await emulator.control.requests()).length;
}

/** Builds the observation of an auth-core call, scanning its log and error for secrets. */
export function observeFromCore(
  result: CoreObservation<unknown>,
  requests: number,
  secrets: readonly Secret[],
): Observation {
  const text = [...result.log, result.ok ? '' : errorText(result.error)].join('\n');
  const reported = result.reportedSecrets
    .filter((value) => value.length >= 8)
    .map((value, index) => ({ label: `reported secret ${index + 1}`, value }));
  const leaks = scanForLeaks({ stdout: text, stderr: '', summary: '', writtenFiles: [] }, [
    ...secrets,
    ...reported,
  ]);
  return {
    ok: result.ok,
    code: result.code,
    message: result.message,
    requests,
    elapsedMs: result.elapsedMs,
    leaks,
    outputsAfterFailure: [],
  };
}

/** Returns the message of the run's first `::error::` command, if any. */
export function failureMessage(run: ActionRun): string | undefined {
  return run.commands.find((command) => command.name === 'error')?.message;
}

/**
 * Builds the observation of an action run. Besides the given secrets, the scan covers every
 * value the action masked (8 characters or more, because shorter masks match unrelated text).
 */
export function observeFromRun(
  run: ActionRun,
  requests: number,
  secrets: readonly Secret[],
): Observation {
  const masked = run.masks
    .filter((value) => value.length >= 8)
    .map((value, index) => ({ label: `masked value ${index + 1}`, value }));
  const leaks = scanForLeaks(run, [...secrets, ...masked]);
  return {
    ok: !run.failed,
    code: undefined,
    message: failureMessage(run),
    requests,
    elapsedMs: run.durationMs,
    leaks,
    outputsAfterFailure: run.failed
      ? [
          ...Object.keys(run.outputs),
          ...Object.keys(run.exportedEnv).map((name) => `env ${name}`),
          ...Object.keys(run.state).map((name) => `state ${name}`),
        ]
      : [],
  };
}

/** Runs an action bundle with the given inputs while the arrangement's side task runs. */
export function runBundle(
  action: string,
  inputs: Record<string, string>,
  arrangement: Arrangement,
): Promise<ActionRun> {
  return withSideTask(arrangement, () => runAction({ action, inputs, timeoutMs: 60_000 }));
}

function describeObserved(observation: Observation): string {
  if (observation.ok) return 'success';
  const message = (observation.message ?? '').replace(/\s+/g, ' ');
  const short = message.length > 110 ? `${message.slice(0, 110)}…` : message;
  return observation.code === undefined ? `failed: ${short}` : `${observation.code}: ${short}`;
}

/** Lists the ways an observation differs from its expectation; empty when it matches. */
export function differences(expectation: Expectation, observation: Observation): string[] {
  const found: string[] = [];
  if (observation.ok !== expectation.succeeds) {
    found.push(expectation.succeeds ? 'failed' : 'succeeded');
  }
  if (!expectation.succeeds && !observation.ok) {
    if (expectation.code !== undefined && observation.code !== expectation.code) {
      found.push(`code ${observation.code ?? 'none'}`);
    }
    if (expectation.message !== undefined && !expectation.message.test(observation.message ?? '')) {
      found.push('message');
    }
  }
  if (observation.requests !== expectation.requests) found.push('request count');
  if (observation.elapsedMs > expectation.boundMs) found.push('time bound');
  if (expectation.minMs !== undefined && observation.elapsedMs < expectation.minMs) {
    found.push('returned before the required wait');
  }
  if (observation.leaks.length > 0) found.push('secret leak');
  if (observation.outputsAfterFailure.length > 0) found.push('outputs after failure');
  return found;
}

/** Builds the report row of a scenario run. */
export function toRow(
  scenario: Scenario,
  target: MatrixTarget,
  expectation: Expectation,
  observation: Observation,
): MatrixRow {
  const differs = differences(expectation, observation);
  let verdict: RowVerdict = 'as expected';
  if (differs.length > 0) verdict = expectation.bug === undefined ? 'differs' : 'known bug';
  const observed = describeObserved(observation);
  return {
    fault: scenario.fault,
    target,
    expected: expectation.expected,
    observed:
      differs.length > 0 && expectation.bug !== undefined
        ? `${observed} (bug: ${expectation.bug})`
        : observed,
    requests: observation.requests,
    boundMs: expectation.boundMs,
    elapsedMs: Math.round(observation.elapsedMs),
    secretsClean: observation.leaks.length === 0,
    outputsAfterFailure: observation.ok
      ? 'n/a'
      : observation.outputsAfterFailure.length === 0
        ? 'none'
        : observation.outputsAfterFailure.join(', '),
    verdict,
  };
}

/** Builds the row of a scenario whose target could not run, for example without a bundle. */
export function notRunRow(
  scenario: Scenario,
  target: MatrixTarget,
  expectation: Expectation,
  reason: string,
): MatrixRow {
  return {
    fault: scenario.fault,
    target,
    expected: expectation.expected,
    observed: `not run: ${reason}`,
    requests: undefined,
    boundMs: expectation.boundMs,
    elapsedMs: undefined,
    secretsClean: undefined,
    outputsAfterFailure: '–',
    verdict: 'not run',
  };
}

/** Asserts each part of an expectation separately, so a failure names one cause. */
export function assertObservation(expectation: Expectation, observation: Observation): void {
  expect(observation.leaks, 'secret forms in output').toEqual([]);
  if (expectation.succeeds) {
    expect(observation.message, 'failure message').toBeUndefined();
    expect(observation.ok, 'succeeded').toBe(true);
  } else {
    expect(observation.ok, 'succeeded').toBe(false);
    if (expectation.code !== undefined) expect(observation.code).toBe(expectation.code);
    if (expectation.message !== undefined) expect(observation.message).toMatch(expectation.message);
    expect(observation.outputsAfterFailure, 'outputs after failure').toEqual([]);
  }
  expect(observation.requests, 'requests in the emulator log').toBe(expectation.requests);
  expect(observation.elapsedMs, 'elapsed ms').toBeLessThanOrEqual(expectation.boundMs);
  if (expectation.minMs !== undefined) {
    expect(observation.elapsedMs, 'elapsed ms').toBeGreaterThanOrEqual(expectation.minMs);
  }
}
