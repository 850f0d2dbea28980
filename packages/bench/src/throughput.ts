import { login, plainAuthHeaders, Session, type SessionCredentials } from '@rips-actions/auth-core';

import { bareRequest, createBareClient } from './bare-http.js';
import type { EmulatorProcess } from './emulator.js';
import { runLoad, type LoadResult } from './load.js';
import { median } from './stats.js';
import { MFA_USER, PLAIN_USER } from './users.js';

export type AuthKind = 'bearer' | 'plain';
export type Client = 'session' | 'bare';

/** Median figures of one client, authentication and concurrency over the repeats. */
export interface RateFigure {
  auth: AuthKind;
  concurrency: number;
  client: Client;
  rate: number;
  /** Client CPU time per successful request, in microseconds. */
  cpuMicros: number;
  runs: LoadResult[];
}

export interface ThroughputOptions {
  concurrencies: readonly number[];
  durationMs: number;
  /** Alternating session and bare runs per cell; the median rate of each is reported. */
  repeats: number;
  maxRequests: number;
}

const PATH = '/applications';

/** Creates the two senders of one authentication kind: through a session, and bare. */
async function createSenders(
  emulator: EmulatorProcess,
  auth: AuthKind,
): Promise<Record<Client, () => Promise<number>>> {
  let credentials: SessionCredentials;
  let headers: Record<string, string>;
  if (auth === 'bearer') {
    const signedIn = await login({
      apiUrl: emulator.url,
      grant: 'password',
      email: PLAIN_USER.email,
      password: PLAIN_USER.password,
    });
    const accessToken = signedIn.accessToken ?? '';
    credentials = {
      type: 'bearer',
      accessToken,
      refreshToken: signedIn.refreshToken,
      clientId: signedIn.clientId,
    };
    headers = { authorization: `Bearer ${accessToken}` };
  } else {
    credentials = { type: 'plain', email: PLAIN_USER.email, password: PLAIN_USER.password };
    headers = plainAuthHeaders(PLAIN_USER.email, PLAIN_USER.password);
  }
  const session = new Session({ apiUrl: emulator.url, credentials, retries: 0 });
  const client = createBareClient();
  const url = `${emulator.url}${PATH}`;
  return {
    session: async () => (await session.request({ path: PATH })).status,
    bare: async () =>
      (await bareRequest(client, 'GET', url, { accept: 'application/json', ...headers })).status,
  };
}

/**
 * Measures requests per second through one auth-core session and through bare
 * `@actions/http-client` calls, for bearer and plain authentication at each concurrency. Session
 * and bare runs alternate, so that a change of load on the machine hits both alike.
 */
export async function measureThroughput(
  emulator: EmulatorProcess,
  options: ThroughputOptions,
): Promise<RateFigure[]> {
  const figures: RateFigure[] = [];
  for (const auth of ['bearer', 'plain'] as const) {
    const senders = await createSenders(emulator, auth);
    for (const concurrency of options.concurrencies) {
      const bounds = {
        concurrency,
        durationMs: options.durationMs,
        maxRequests: options.maxRequests,
      };
      // A short untimed run first, so that both paths are compiled and connected.
      await runLoad(senders.session, { ...bounds, durationMs: options.durationMs / 4 });
      await runLoad(senders.bare, { ...bounds, durationMs: options.durationMs / 4 });
      const runs: Record<Client, LoadResult[]> = { session: [], bare: [] };
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        runs.bare.push(await runLoad(senders.bare, bounds));
        runs.session.push(await runLoad(senders.session, bounds));
      }
      for (const client of ['session', 'bare'] as const) {
        const rate = median(runs[client].map((run) => run.rate));
        const cpuMicros = median(runs[client].map((run) => run.cpuMicrosPerRequest));
        figures.push({ auth, concurrency, client, rate, cpuMicros, runs: runs[client] });
      }
    }
  }
  return figures;
}

/** Log counts after `calls` requests through a session with a cached, unexpired token. */
export interface CacheCheck {
  calls: number;
  logged: number;
  tokenRequests: number;
}

/**
 * Signs a session in (password grant and MFA), then sends `calls` more requests and counts the
 * emulator's log entries: with a cached, unexpired token each call costs exactly one request.
 */
export async function checkTokenCache(
  emulator: EmulatorProcess,
  calls: number,
): Promise<CacheCheck> {
  await emulator.control.resetLimits();
  const session = new Session({
    apiUrl: emulator.url,
    credentials: { type: 'password', email: MFA_USER.email, password: MFA_USER.password },
    totpSecret: MFA_USER.totpSecret,
  });
  const first = await session.request({ path: PATH });
  if (first.status !== 200) {
    throw new Error(`GET ${PATH} failed with status ${first.status} after sign-in`);
  }
  await emulator.control.clearRequests();
  for (let call = 0; call < calls; call++) {
    const response = await session.request({ path: PATH });
    if (response.status !== 200) {
      throw new Error(`GET ${PATH} failed with status ${response.status}`);
    }
  }
  const entries = await emulator.control.requests();
  return {
    calls,
    logged: entries.length,
    tokenRequests: entries.filter((entry) => entry.path !== PATH).length,
  };
}
