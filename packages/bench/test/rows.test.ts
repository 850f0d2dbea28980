import { describe, expect, it } from 'vitest';

import type { ColdStartResults } from '../src/cold-start.js';
import { authCoreRows, coldStartRows, emulatorRows, roundTripRows } from '../src/rows.js';
import { SIGN_IN_CASES } from '../src/round-trips.js';
import { summarize } from '../src/stats.js';
import type { RateFigure } from '../src/throughput.js';
import type { Timing } from '../src/trials.js';

function timing(...samples: number[]): Timing {
  return { summary: summarize(samples), samples };
}

function coldStart(loginMs: number): ColdStartResults {
  return {
    timings: new Map([
      ['node', timing(50)],
      ['floor', timing(100)],
      ['curl-login', timing(80)],
      ['login', timing(loginMs)],
      ['curl-request', timing(20)],
      ['request', timing(110)],
    ]),
    loginNetwork: timing(50),
    requestNetwork: timing(2),
    loginRoundTrips: [3, 3],
  };
}

const BUILT = { built: true as const, bytes: 600_000 };

describe('coldStartRows', () => {
  it('meets the login target at 1.2x floor plus network', () => {
    const rows = coldStartRows({ results: coldStart(180), login: BUILT, request: BUILT });
    const target = rows.find((row) => row.benchmark === 'rips-login vs floor + network');
    expect(target?.ratio).toBe('1.20x');
    expect(target?.verdict).toBe('met');
  });

  it('misses the login target above 1.2x floor plus network', () => {
    const rows = coldStartRows({ results: coldStart(181), login: BUILT, request: BUILT });
    const target = rows.find((row) => row.benchmark === 'rips-login vs floor + network');
    expect(target?.verdict).toBe('missed');
  });

  it('gives a missing bundle one not-built row', () => {
    const rows = coldStartRows({
      results: coldStart(180),
      login: { built: false, reason: 'rips-login: dist/index.js is missing' },
      request: BUILT,
    });
    const login = rows.filter((row) => row.benchmark.startsWith('rips-login'));
    expect(login).toHaveLength(1);
    expect(login[0]?.verdict).toBe('not built');
    expect(login[0]?.baseline).toBe('rips-login: dist/index.js is missing');
  });

  it('reports a failed variant with its error', () => {
    const results = coldStart(180);
    results.timings.set('curl-login', { error: 'exited with code 7' });
    const rows = coldStartRows({ results, login: BUILT, request: BUILT });
    const curl = rows.find((row) => row.benchmark.startsWith('curl: token'));
    expect(curl?.verdict).toBe('failed');
    expect(curl?.detail).toBe('exited with code 7');
  });
});

describe('roundTripRows', () => {
  it('judges each case against its contract minimum', () => {
    const rows = roundTripRows({
      cases: SIGN_IN_CASES.map((signIn) => ({ signIn, count: signIn.minimum + 1 })),
      login: BUILT,
      actionCounts: [3, 3, 3],
    });
    expect(rows.map((row) => row.verdict)).toEqual(['missed', 'missed', 'missed', 'missed', 'met']);
  });

  it('judges the action by its largest count', () => {
    const rows = roundTripRows({ cases: [], login: BUILT, actionCounts: [3, 4, 3] });
    expect(rows[0]?.figure).toBe('4');
    expect(rows[0]?.verdict).toBe('missed');
  });
});

function rate(
  auth: RateFigure['auth'],
  concurrency: number,
  client: RateFigure['client'],
  value: number,
): RateFigure {
  const run = {
    completed: value,
    failed: 0,
    elapsedMs: 1000,
    rate: value,
    cpuMicrosPerRequest: 300,
    firstError: undefined,
  };
  return { auth, concurrency, client, rate: value, cpuMicros: 300, runs: [run] };
}

describe('authCoreRows', () => {
  const cache = { calls: 20, logged: 20, tokenRequests: 0 };

  it('computes the overhead as extra time per request', () => {
    const rates = [rate('bearer', 32, 'session', 1000), rate('bearer', 32, 'bare', 1050)];
    const rows = authCoreRows({ rates, cache });
    const overhead = rows.find((row) => row.benchmark.startsWith('session overhead'));
    expect(overhead?.figure).toBe('5.0');
    expect(overhead?.verdict).toBe('met');
  });

  it('misses the overhead target at 10%', () => {
    const rates = [rate('bearer', 32, 'session', 1000), rate('bearer', 32, 'bare', 1100)];
    const overhead = authCoreRows({ rates, cache }).find((row) =>
      row.benchmark.startsWith('session overhead'),
    );
    expect(overhead?.verdict).toBe('missed');
  });

  it('misses the cache target when a call costs an extra request', () => {
    const rows = authCoreRows({ rates: [], cache: { calls: 20, logged: 21, tokenRequests: 1 } });
    expect(rows[0]?.figure).toBe('1');
    expect(rows[0]?.verdict).toBe('missed');
  });
});

describe('emulatorRows', () => {
  const answer = { ok: 1, non2xx: 0, errors: 0, seconds: 5, serverCpuMicros: undefined };

  it('meets the bearer target at 2,000 requests per second', () => {
    const rows = emulatorRows({
      bearer: { ...answer, rate: 2000 },
      plain: { ...answer, rate: 40 },
      connections: 32,
    });
    expect(rows[0]?.verdict).toBe('met');
    expect(rows[1]?.ratio).toBe('50.00x');
  });

  it('derives a core rate from server CPU', () => {
    const rows = emulatorRows({
      bearer: { ...answer, rate: 3000, serverCpuMicros: 250 },
      plain: { ...answer, rate: 40 },
      connections: 32,
    });
    expect(rows[1]?.figure).toBe('250');
    expect(rows[1]?.baseline).toBe('one core: 4,000 req/s');
  });

  it('fails a run with non-2xx responses', () => {
    const rows = emulatorRows({
      bearer: { ...answer, rate: 5000, non2xx: 3 },
      plain: { ...answer, rate: 40 },
      connections: 32,
    });
    expect(rows[0]?.verdict).toBe('failed');
    expect(rows[0]?.detail).toBe('3 non-2xx responses, 0 errors');
  });
});
