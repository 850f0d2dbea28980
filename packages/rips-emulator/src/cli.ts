import { isIP } from 'node:net';
import { parseArgs } from 'node:util';

import { startEmulator } from './server.js';
import type { EmulatorOptions } from './types.js';

const USAGE = `Usage: rips-emulator [--users FILE] [--host 127.0.0.1] [--port 8080] [--control] [--token-ttl SECONDS]

Serves the RIPS API authentication protocol on loopback for tests and offline workflows.

Options:
  --users FILE         JSON array of {email, password, id?, totpSecret?, roles?}
                       (default: demo@example.com / demo-password with MFA on)
  --host ADDRESS       address to bind (default: 127.0.0.1)
  --port PORT          port to bind, 0 for a free port (default: 8080)
  --control            serve the control API under /_emulator/ (no authentication)
  --token-ttl SECONDS  access-token lifetime in seconds (default: 2419200, 28 days)
  --help               print this help
`;

/** Raised for an invalid command line. The CLI exits with status 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${name}: expected an integer from ${min} to ${max}, received "${value}"`);
  }
  return Number(value);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Parses the command line into emulator options, or returns undefined for `--help`. */
export function parseCommandLine(args: string[]): EmulatorOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        control: { type: 'boolean' },
        'token-ttl': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help === true) {
    return undefined;
  }
  const options: EmulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: values.port === undefined ? 8080 : parseInteger('--port', values.port, 0, 65_535),
    control: values.control === true,
  };
  if (values.host === '') {
    throw new UsageError('--host: expected an address, received an empty value');
  }
  if (values.users !== undefined) {
    options.users = values.users;
  }
  if (values['token-ttl'] !== undefined) {
    options.tokenTtlSeconds = parseInteger(
      '--token-ttl',
      values['token-ttl'],
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
  return options;
}

/**
 * Runs the `rips-emulator` command: prints one ready line to stdout and serves until SIGTERM or
 * SIGINT. Errors go to stderr. The exit status is 2 for a bad command line, 1 for a failed start.
 */
export async function main(args: string[]): Promise<void> {
  let options: EmulatorOptions | undefined;
  try {
    options = parseCommandLine(args);
  } catch (error: unknown) {
    process.stderr.write(`rips-emulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const host = options.host ?? '127.0.0.1';
  if (options.control === true && !isLoopback(host)) {
    process.stderr.write(
      `rips-emulator: warning: the control API has no authentication and is served on ${host}\n`,
    );
  }

  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`rips-emulator: failed to start: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`RIPS emulator listening on ${emulator.url}\n`);

  const stop = (): void => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    emulator.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`rips-emulator: failed to stop cleanly: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
