import type { Fault, RequestLogEntry } from './types.js';

/** A typed client of the control API. Its calls fail with 404 unless control is enabled. */
export interface ControlClient {
  /** Shifts the emulator clock by `seconds` from the real time (replaces any earlier offset). */
  setClockOffset(seconds: number): Promise<void>;
  /** Marks the user's current access tokens as expired. */
  expireUser(email: string): Promise<void>;
  /** Revokes the user's access and refresh tokens. */
  revokeUser(email: string): Promise<void>;
  /** Clears every user's wrong-code window and used TOTP steps. */
  resetLimits(): Promise<void>;
  /** Returns the request log, oldest first. */
  requests(): Promise<RequestLogEntry[]>;
  clearRequests(): Promise<void>;
  /** Adds a fault and returns its id. */
  addFault(fault: Fault): Promise<string>;
  clearFaults(): Promise<void>;
}

/** Raised when a control call gets a status other than 200. */
export class ControlRequestError extends Error {
  override readonly name = 'ControlRequestError';

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`control API ${method} ${path} failed with status ${status}: ${body.slice(0, 200)}`);
  }
}

/** Creates a control client for an emulator at `baseUrl`. */
export function createControlClient(baseUrl: string): ControlClient {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== 200) {
      throw new ControlRequestError(method, path, response.status, text);
    }
    return JSON.parse(text) as unknown;
  };
  const user = (email: string, action: string): string =>
    `/_emulator/users/${encodeURIComponent(email)}/${action}`;

  return {
    setClockOffset: async (seconds) => {
      await call('POST', '/_emulator/clock', { offsetSeconds: seconds });
    },
    expireUser: async (email) => {
      await call('POST', user(email, 'expire'));
    },
    revokeUser: async (email) => {
      await call('POST', user(email, 'revoke'));
    },
    resetLimits: async () => {
      await call('POST', '/_emulator/limits/reset');
    },
    requests: async () => (await call('GET', '/_emulator/requests')) as RequestLogEntry[],
    clearRequests: async () => {
      await call('DELETE', '/_emulator/requests');
    },
    addFault: async (fault) =>
      ((await call('POST', '/_emulator/faults', fault)) as { id: string }).id,
    clearFaults: async () => {
      await call('DELETE', '/_emulator/faults');
    },
  };
}
