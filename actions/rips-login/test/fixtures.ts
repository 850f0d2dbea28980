import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { UserSeed } from '@rips-actions/rips-emulator';

/** The action directory, which contains `action.yml` and the committed `dist/`. */
export const ACTION_DIR = fileURLToPath(new URL('..', import.meta.url));

export const MFA_USER = {
  email: 'demo@example.com',
  password: 'demo-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
} as const;

/** A user without MFA whose password begins and ends with a space. */
export const PLAIN_USER = { email: 'ci@example.com', password: ' pw with spaces ' } as const;

/** A user without MFA whose password has two lines, separated by CRLF. */
export const MULTI_LINE_USER = {
  email: 'multi@example.com',
  password: 'first line\r\nsecond line',
} as const;

export const USERS: UserSeed[] = [
  { ...MFA_USER, id: 1 },
  { ...PLAIN_USER, id: 2 },
  { ...MULTI_LINE_USER, id: 3 },
];

/**
 * Lists the masks the action must register for secrets, in order and without duplicates: each
 * value, then its base64, base64url, `encodeURIComponent` and JSON-escaped forms. Written out
 * here rather than taken from auth-core so that the tests check the action against an
 * independent list.
 */
export function maskForms(...values: string[]): string[] {
  const forms = values.flatMap((value) => {
    const bytes = Buffer.from(value, 'utf8');
    return [
      value,
      bytes.toString('base64'),
      bytes.toString('base64url'),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
    ];
  });
  return [...new Set(forms)];
}

/** A TCP server on loopback that counts connections, to prove that a run sent nothing. */
export interface ConnectionCounter {
  url: string;
  connections(): number;
  close(): Promise<void>;
}

/**
 * Starts a {@link ConnectionCounter}. Given as `HTTP_PROXY` and `HTTPS_PROXY`, it receives every
 * request the action would send to a host other than loopback, so no such request can leave the
 * machine, and a count of 0 shows that the action sent none.
 */
export async function startConnectionCounter(): Promise<ConnectionCounter> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the connection counter has no TCP address');
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
