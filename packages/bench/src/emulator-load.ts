import { createRequire } from 'node:module';

import { login, plainAuthHeaders } from '@rips-actions/auth-core';

import type { EmulatorProcess } from './emulator.js';
import { processCpuMicros, runTimed } from './processes.js';
import { PLAIN_USER } from './users.js';

/** Successful requests per second that autocannon sustained, with its raw counts. */
export interface EmulatorRate {
  rate: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /**
   * CPU time the emulator process used per successful request, in microseconds, or undefined
   * without `/proc`. Other work on the machine changes it less than the rate, but contention for
   * caches and cores still raises it.
   */
  serverCpuMicros: number | undefined;
}

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Loads the emulator with autocannon, run as a second process so that the load generator and
 * the server each get an event loop, and returns the rate of 200 responses to `GET /applications`.
 */
export async function loadEmulator(
  emulator: EmulatorProcess,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<EmulatorRate> {
  const args = [
    AUTOCANNON,
    '--json',
    '--no-progress',
    '--connections',
    String(connections),
    '--duration',
    String(seconds),
    ...Object.entries(headers).flatMap(([name, value]) => ['--headers', `${name}=${value}`]),
    `${emulator.url}/applications`,
  ];
  const cpuBefore = await processCpuMicros(emulator.pid);
  const result = await runTimed(process.execPath, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    timeoutMs: (seconds + 30) * 1000,
  });
  const cpuAfter = await processCpuMicros(emulator.pid);
  if (result.exitCode !== 0) {
    throw new Error(
      `autocannon exited with code ${String(result.exitCode)}: ${result.stderr.slice(0, 200)}`,
    );
  }
  const report = JSON.parse(result.stdout) as {
    '2xx': number;
    non2xx: number;
    errors: number;
    duration: number;
  };
  return {
    rate: report['2xx'] / report.duration,
    ok: report['2xx'],
    non2xx: report.non2xx,
    errors: report.errors,
    seconds: report.duration,
    serverCpuMicros:
      cpuBefore === undefined || cpuAfter === undefined || report['2xx'] === 0
        ? undefined
        : (cpuAfter - cpuBefore) / report['2xx'],
  };
}

/** Signs in the user without MFA and returns the headers of each authentication kind. */
export async function loadHeaders(
  emulator: EmulatorProcess,
): Promise<{ bearer: Record<string, string>; plain: Record<string, string> }> {
  const signedIn = await login({
    apiUrl: emulator.url,
    grant: 'password',
    email: PLAIN_USER.email,
    password: PLAIN_USER.password,
  });
  return {
    bearer: { authorization: `Bearer ${signedIn.accessToken ?? ''}` },
    plain: plainAuthHeaders(PLAIN_USER.email, PLAIN_USER.password),
  };
}
