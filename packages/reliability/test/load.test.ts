import { useEmulator } from '@rips-actions/action-testkit';
import { Session, type SessionCredentials } from '@rips-actions/auth-core';
import type { Emulator } from '@rips-actions/rips-emulator';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { noteRecorder } from '../src/index.js';
import { CI_USER, signedInSession, TOKEN_TTL_SECONDS } from './fixtures.js';
import { SECTION } from './layout.js';

const CONCURRENT = 200;
const TOKEN_PATH = '/oauth/v2/auth/tokens';

const emulator = useEmulator({ users: [CI_USER], tokenTtlSeconds: TOKEN_TTL_SECONDS });
const recorder = noteRecorder(
  inject('resultsDir'),
  SECTION.load,
  `Load: ${CONCURRENT} concurrent requests through one session across a token expiry`,
  3,
);

afterAll(async () => {
  await recorder.flush();
});

interface LoadResult {
  succeeded: number;
  failures: Map<string, number>;
  tokenRequests: number;
  elapsedMs: number;
}

/** Sends the requests at once and counts outcomes and token requests in the emulator log. */
async function sendConcurrently(server: Emulator, session: Session): Promise<LoadResult> {
  const started = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: CONCURRENT }, () => session.request({ path: '/applications' })),
  );
  const elapsedMs = performance.now() - started;
  let succeeded = 0;
  const failures = new Map<string, number>();
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled' && outcome.value.status === 200) {
      succeeded += 1;
      continue;
    }
    const reason =
      outcome.status === 'fulfilled'
        ? `status ${outcome.value.status}`
        : `${(outcome.reason as { code?: string }).code ?? 'error'}: ${(outcome.reason as Error).message}`;
    failures.set(reason, (failures.get(reason) ?? 0) + 1);
  }
  const log = await server.control.requests();
  const tokenRequests = log.filter((entry) => entry.path === TOKEN_PATH).length;
  return { succeeded, failures, tokenRequests, elapsedMs };
}

function describeResult(title: string, result: LoadResult, refreshed: boolean): string {
  const failures =
    result.failures.size === 0
      ? 'none failed'
      : [...result.failures].map(([reason, count]) => `${count} × ${reason}`).join('; ');
  return (
    `- ${title}: ${result.succeeded} of ${CONCURRENT} got status 200, ` +
    `${result.tokenRequests} token request(s), refreshed: ${refreshed}; ${failures}; ` +
    `${(result.elapsedMs / 1000).toFixed(1)} s.`
  );
}

describe('one session under load', () => {
  it('refreshes once when the server expires the token', async () => {
    const session = new Session({
      apiUrl: emulator.url,
      credentials: { type: 'password', ...CI_USER },
      timeoutMs: 20_000,
    });
    await session.signIn();
    await emulator.control.clearFaults();
    await emulator.control.expireUser(CI_USER.email);
    await emulator.control.clearRequests();

    const result = await sendConcurrently(emulator, session);
    recorder.section.items.push(
      describeResult('password session, token expired by the server', result, session.refreshed),
    );

    expect([...result.failures]).toEqual([]);
    expect(result.succeeded).toBe(CONCURRENT);
    expect(result.tokenRequests).toBe(1);
    expect(session.refreshed).toBe(true);
  });

  it('refreshes once ahead of expiry on the client clock', async () => {
    let clockShiftMs = 0;
    const signIn = await signedInSession(emulator, CI_USER);
    const tokens = signIn.tokens;
    const session = new Session({
      apiUrl: emulator.url,
      credentials: {
        type: 'bearer',
        accessToken: tokens?.accessToken ?? '',
        refreshToken: tokens?.refreshToken,
        // The expiry on the client clock, as rips-request passes it. Without it the session
        // dates the token by its JWT exp, on the server clock, which this test does not move.
        expiresAt: tokens?.expiresAt,
        clientId: tokens?.clientId,
      },
      clock: { now: () => Date.now() + clockShiftMs },
      timeoutMs: 20_000,
    });
    // 30 s before expiry on the session's clock: inside the 60 s refresh-ahead margin.
    clockShiftMs = (TOKEN_TTL_SECONDS - 30) * 1000;
    await emulator.control.clearRequests();

    const result = await sendConcurrently(emulator, session);
    recorder.section.items.push(
      describeResult(
        'bearer and refresh token, refresh ahead of expiry on the client clock',
        result,
        session.refreshed,
      ),
    );

    expect([...result.failures]).toEqual([]);
    expect(result.succeeded).toBe(CONCURRENT);
    expect(result.tokenRequests).toBe(1);
    expect(session.refreshed).toBe(true);
  });

  // A refresh revokes the old access token (rotation), so a request that carried it and reaches
  // the server after the refresh gets 401 with X-API-Revoked. The session must send it again
  // with the new token, although it has no password: rips-request passes exactly these
  // credentials (access and refresh token, no password).
  it('refreshes once while requests are held across the refresh', async () => {
    const signIn = await signedInSession(emulator, CI_USER);
    const tokens = signIn.tokens;
    const credentials: SessionCredentials = {
      type: 'bearer',
      accessToken: tokens?.accessToken ?? '',
      refreshToken: tokens?.refreshToken,
      clientId: tokens?.clientId,
    };
    const session = new Session({ apiUrl: emulator.url, credentials, timeoutMs: 20_000 });
    await emulator.control.clearFaults();
    // Half of the requests are held by the server until after the refresh has rotated tokens.
    await emulator.control.addFault({
      path: '/applications',
      kind: 'delay',
      ms: 1500,
      times: CONCURRENT / 2,
    });
    await emulator.control.expireUser(CI_USER.email);
    await emulator.control.clearRequests();

    const result = await sendConcurrently(emulator, session);
    await emulator.control.clearFaults();
    recorder.section.items.push(
      describeResult(
        'Access and refresh token as rips-request passes them, half the requests held 1.5 s ' +
          'by the server across the refresh',
        result,
        session.refreshed,
      ),
    );

    expect(result.tokenRequests).toBe(1);
    expect([...result.failures]).toEqual([]);
    expect(result.succeeded).toBe(CONCURRENT);
  });
});
