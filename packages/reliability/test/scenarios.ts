import type { Emulator } from '@rips-actions/rips-emulator';

import { closedLoopbackPort, type RecordingServer } from '../src/index.js';
import {
  CI_USER,
  fillWrongCodeWindow,
  MFA_USER,
  setServerPhase,
  spendCurrentStep,
  whenRequestArrives,
  type TestUser,
} from './fixtures.js';

/** Row labels of the fault matrix, shared by the three targets. */
export const FAULT = {
  refused: 'connection refused',
  reset: 'connection reset mid-body',
  slow: 'answer slower than the deadline (5 s, deadline 2 s)',
  status500: '500',
  status502: '502',
  status503: '503 with Retry-After: 1',
  tooManySeconds: '429 with Retry-After: 2 (seconds)',
  tooManyDate: '429 with Retry-After as an HTTP date (2-3 s ahead)',
  html: 'HTML error page (502 on every attempt)',
  empty: 'empty body (200)',
  truncated: 'truncated JSON (200)',
  large: '50 MiB body',
  overCap: '100 MiB body, over the 64 MiB cap',
  redirect: 'redirect (302) to another origin',
  expired: '401 with X-API-Expired',
  revoked: '401 with X-API-Revoked',
  codeUsed: 'MFA code already used',
  rateLimit: 'MFA rate limit (3 wrong codes, Retry-After about 4 s)',
  rateLimitLong: 'MFA rate limit with Retry-After: 120',
  clockAhead: 'server clock 5 min ahead of the client',
  clockBehind: 'server clock 5 min behind the client',
} as const;

export type FaultLabel = (typeof FAULT)[keyof typeof FAULT];

/** What a scenario may use to arrange its fault. */
export interface ScenarioContext {
  emulator: Emulator;
  /**
   * The GET request each target makes after signing in: `/status` for `login` and rips-login,
   * `/applications` for rips-request. Faults that a retry can repair hit this path.
   */
  readPath: string;
  /**
   * The first request of the target: the token endpoint for the sign-in targets,
   * `/applications` for rips-request.
   */
  firstPath: string;
  /** A second loopback origin that counts the requests a redirect sends it. */
  otherOrigin: RecordingServer;
}

/** How a scenario changes the run. */
export interface Arrangement {
  /** Base URL to use instead of the emulator's. */
  apiUrl?: string;
  /** Per-request deadline in seconds; 10 when absent. */
  timeoutSeconds?: number;
  /** Runs alongside the target, for example to revoke tokens while a request is held. */
  during?: () => Promise<void>;
}

export interface Scenario {
  fault: FaultLabel;
  /** The user the target signs in as. */
  user: TestUser;
  arrange(context: ScenarioContext): Promise<Arrangement>;
}

/** Server time in milliseconds, with the emulator's clock offset. */
async function serverNow(emulator: Emulator): Promise<number> {
  const response = await fetch(new URL('/_emulator/clock', emulator.url));
  const body = (await response.json()) as { now: string };
  return Date.parse(body.now);
}

/** Holds the read request for 400 ms and runs `change` while it is held. */
function duringHeldRead(
  context: ScenarioContext,
  change: () => Promise<void>,
): Promise<Arrangement> {
  return context.emulator.control
    .addFault({ method: 'GET', path: context.readPath, kind: 'delay', ms: 400 })
    .then(() => ({
      during: () => whenRequestArrives(context.emulator, context.readPath, change),
    }));
}

/** The matrix rows in report order. Each target runs every scenario with its own expectation. */
export const SCENARIOS: readonly Scenario[] = [
  {
    fault: FAULT.refused,
    user: CI_USER,
    arrange: async () => ({ apiUrl: `http://127.0.0.1:${await closedLoopbackPort()}` }),
  },
  {
    fault: FAULT.reset,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'reset', after: 'partial-body' });
      return {};
    },
  },
  {
    fault: FAULT.slow,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'delay', ms: 5000 });
      return { timeoutSeconds: 2 };
    },
  },
  ...([500, 502] as const).map((status): Scenario => ({
    fault: status === 500 ? FAULT.status500 : FAULT.status502,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'status', status });
      return {};
    },
  })),
  {
    fault: FAULT.status503,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({
        path: readPath,
        kind: 'status',
        status: 503,
        retryAfter: 1,
      });
      return {};
    },
  },
  {
    fault: FAULT.tooManySeconds,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({
        path: readPath,
        kind: 'status',
        status: 429,
        retryAfter: 2,
      });
      return {};
    },
  },
  {
    fault: FAULT.tooManyDate,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      // An HTTP date has whole seconds, so the wait is between 2 and 3 s from now.
      const retryAt = new Date((await serverNow(emulator)) + 3000).toUTCString();
      await emulator.control.addFault({
        path: readPath,
        kind: 'status',
        status: 429,
        retryAfter: retryAt,
      });
      return {};
    },
  },
  {
    fault: FAULT.html,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'html', status: 502, times: 10 });
      return {};
    },
  },
  {
    fault: FAULT.empty,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'empty', status: 200 });
      return {};
    },
  },
  {
    fault: FAULT.truncated,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'truncated-json', status: 200 });
      return {};
    },
  },
  {
    fault: FAULT.large,
    user: CI_USER,
    arrange: async ({ emulator, firstPath }) => {
      await emulator.control.addFault({ path: firstPath, kind: 'large', mib: 50 });
      return {};
    },
  },
  {
    fault: FAULT.overCap,
    user: CI_USER,
    arrange: async ({ emulator, readPath }) => {
      await emulator.control.addFault({ path: readPath, kind: 'large', mib: 100 });
      return {};
    },
  },
  {
    fault: FAULT.redirect,
    user: CI_USER,
    arrange: async ({ emulator, readPath, otherOrigin }) => {
      await emulator.control.addFault({
        path: readPath,
        kind: 'redirect',
        status: 302,
        location: `${otherOrigin.url}${readPath}`,
      });
      return {};
    },
  },
  {
    fault: FAULT.expired,
    user: CI_USER,
    arrange: (context) =>
      duringHeldRead(context, () => context.emulator.control.expireUser(CI_USER.email)),
  },
  {
    fault: FAULT.revoked,
    user: CI_USER,
    arrange: (context) =>
      duringHeldRead(context, () => context.emulator.control.revokeUser(CI_USER.email)),
  },
  {
    fault: FAULT.codeUsed,
    user: MFA_USER,
    arrange: async ({ emulator }) => {
      // 24 s into a step, so the wait for the next step is about 6 s.
      await setServerPhase(emulator, 24_000);
      await spendCurrentStep(emulator, MFA_USER);
      return {};
    },
  },
  {
    fault: FAULT.rateLimit,
    user: MFA_USER,
    arrange: async ({ emulator }) => {
      // The wrong codes go out 28 s into a step. Moving the clock 26 s on leaves 4 s of the
      // window and puts the run 24 s into the next step, so the wait for a fresh step after
      // the 429 is short as well.
      const offset = await setServerPhase(emulator, 28_000);
      await fillWrongCodeWindow(emulator, MFA_USER);
      await emulator.control.setClockOffset(offset + 26);
      return {};
    },
  },
  {
    fault: FAULT.rateLimitLong,
    user: MFA_USER,
    arrange: async ({ emulator }) => {
      await emulator.control.addFault({
        method: 'POST',
        path: '/mfas/token',
        kind: 'status',
        status: 429,
        retryAfter: 120,
        body: { code: 429, message: 'Too many wrong codes' },
      });
      return {};
    },
  },
  {
    fault: FAULT.clockAhead,
    user: MFA_USER,
    arrange: async ({ emulator }) => {
      // 5 min ahead and early in a step, so a client that ignored the offset would send a
      // code 10 steps off.
      await setServerPhase(emulator, 5_000, 300);
      return {};
    },
  },
  {
    fault: FAULT.clockBehind,
    user: MFA_USER,
    arrange: async ({ emulator }) => {
      await setServerPhase(emulator, 5_000, -300);
      return {};
    },
  },
];
