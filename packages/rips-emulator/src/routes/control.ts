import { ApiError, invalidInput } from '../errors.js';
import { parseJsonBody, type JsonResponse } from '../http.js';
import { parseFault, type FaultStore } from '../faults.js';
import type { RequestLog } from '../request-log.js';
import type { Route, RouteContext } from '../router.js';

/** Largest clock shift the control API accepts: 100 years, in seconds. */
const MAX_CLOCK_OFFSET_SECONDS = 100 * 365 * 24 * 3600;

/** Path prefix of the control API. */
export const CONTROL_PREFIX = '/_emulator/';

function findUserParam(context: RouteContext) {
  const email = context.params['email'] ?? '';
  const user = context.state.findUser(email);
  if (user === undefined) {
    throw new ApiError(404, 'User not found', { errors: { email: email.slice(0, 100) } });
  }
  return user;
}

function ok(body: unknown = { ok: true }): JsonResponse {
  return { status: 200, body };
}

/** Creates the control routes. They need no authentication and are served only when enabled. */
export function createControlRoutes(faults: FaultStore, log: RequestLog): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/_emulator/clock',
      handler: async ({ state }) =>
        ok({ offsetSeconds: state.clockOffsetMs / 1000, now: new Date(state.now()).toISOString() }),
    },
    {
      method: 'POST',
      pattern: '/_emulator/clock',
      handler: async (context) => {
        const body = parseJsonBody(context.body);
        const offset =
          typeof body === 'object' && body !== null
            ? (body as Record<string, unknown>)['offsetSeconds']
            : undefined;
        // A shifted clock must stay a valid Date: the request log, tokens and the Date header
        // all format it, and one out of range would break every later request.
        if (
          typeof offset !== 'number' ||
          !Number.isFinite(offset) ||
          Math.abs(offset) > MAX_CLOCK_OFFSET_SECONDS
        ) {
          throw invalidInput({
            offsetSeconds: `expected a number of seconds within ±${MAX_CLOCK_OFFSET_SECONDS}`,
          });
        }
        context.state.clockOffsetMs = Math.round(offset * 1000);
        return ok({ offsetSeconds: offset, now: new Date(context.state.now()).toISOString() });
      },
    },
    {
      method: 'POST',
      pattern: '/_emulator/users/:email/expire',
      handler: async (context) => {
        const user = findUserParam(context);
        return ok({ expired: context.state.tokens.expireUser(user.id) });
      },
    },
    {
      method: 'POST',
      pattern: '/_emulator/users/:email/revoke',
      handler: async (context) => {
        const user = findUserParam(context);
        return ok({ revoked: context.state.tokens.revokeUser(user.id) });
      },
    },
    {
      method: 'POST',
      pattern: '/_emulator/limits/reset',
      handler: async ({ state }) => {
        state.resetLimits();
        return ok();
      },
    },
    { method: 'GET', pattern: '/_emulator/requests', handler: async () => ok(log.list()) },
    {
      method: 'DELETE',
      pattern: '/_emulator/requests',
      handler: async () => {
        log.clear();
        return ok();
      },
    },
    {
      method: 'GET',
      pattern: '/_emulator/faults',
      handler: async () =>
        ok(faults.list().map(({ id, fault, remaining }) => ({ id, remaining, ...fault }))),
    },
    {
      method: 'POST',
      pattern: '/_emulator/faults',
      handler: async (context) => {
        const record = faults.add(parseFault(parseJsonBody(context.body)));
        return ok({ id: record.id });
      },
    },
    {
      method: 'DELETE',
      pattern: '/_emulator/faults',
      handler: async () => {
        faults.clear();
        return ok();
      },
    },
  ];
}
