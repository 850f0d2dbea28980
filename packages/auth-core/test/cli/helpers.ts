import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startEmulator, type Emulator, type UserSeed } from '@rips-actions/rips-emulator';

import { generateTotp, TOTP_PERIOD_SECONDS } from '../../src/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = join(HERE, '..', '..');
/** The built bin, as `npx rips-auth` runs it. */
export const BIN = join(PACKAGE_DIR, 'bin', 'rips-auth.js');
const PTY_BRIDGE = join(HERE, 'pty-bridge.py');
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

export const DEMO = {
  email: 'demo@example.com',
  password: 'demo-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
};
export const ALICE = { email: 'alice@example.com', password: 'alice-password' };
export const BOB = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
};
const USERS: UserSeed[] = [DEMO, ALICE, BOB];

/** Fails the test file early when the bin has nothing to run, instead of failing every test. */
export function requireBuild(): void {
  if (!existsSync(join(PACKAGE_DIR, 'dist', 'cli', 'main.js'))) {
    throw new Error(
      'dist/cli/main.js is missing: run `pnpm turbo run build --filter=@rips-actions/auth-core...` first',
    );
  }
}

/**
 * An emulator on loopback whose clock runs `offsetMs` ahead of the real clock, so that a test
 * can choose where in a TOTP time step the API is while the command runs on the real clock.
 */
export interface CliTestBed {
  emulator: Emulator;
  url: string;
  /** The emulator's current time in milliseconds. */
  serverNow(): number;
  /** Moves the emulator clock so that it is `seconds` (0 to 30) into a TOTP time step now. */
  placeInStep(seconds: number): void;
  /** Moves the emulator clock `seconds` ahead. */
  advance(seconds: number): void;
  /** The code of `secret` for the emulator's current step, plus `steps` steps. */
  code(secret: string, steps?: number): Promise<string>;
  /** `METHOD path status` lines of the request log, without the control API. */
  requestLines(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startCliTestBed(): Promise<CliTestBed> {
  let offsetMs = 0;
  const serverNow = (): number => Date.now() + offsetMs;
  const emulator = await startEmulator({
    users: USERS,
    control: true,
    scryptCost: 1024,
    now: serverNow,
  });
  return {
    emulator,
    url: emulator.url,
    serverNow,
    placeInStep: (seconds) => {
      const into = Date.now() % STEP_MS;
      offsetMs = (seconds * 1000 - into + STEP_MS) % STEP_MS;
    },
    advance: (seconds) => {
      offsetMs += seconds * 1000;
    },
    code: (secret, steps = 0) => generateTotp(secret, { timeMs: serverNow() + steps * STEP_MS }),
    requestLines: async () =>
      (await emulator.control.requests())
        .filter((entry) => !entry.path.startsWith('/_emulator/'))
        .map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
    close: () => emulator.close(),
  };
}

/** The outcome of one run of the bin. */
export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * Builds the environment of a run: only `PATH` from the test process, so that no `RIPS_*` variable or
 * proxy setting of the developer's shell leaks into a test.
 */
function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env };
}

/** Runs the bin with `args` and `env`, stdin at end of file, and collects its output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ stdout, stderr, exitCode }));
  });
}

/** True when python3 is on PATH. Its `pty` module drives the terminal tests. */
export function hasPython(): boolean {
  return spawnSync('python3', ['--version']).status === 0;
}

/**
 * Skips a terminal test when python3 is absent, except under `CI=true`, where it runs and
 * fails, so that CI never passes without the terminal tests.
 */
export const skipWithoutPython = !hasPython() && process.env.CI !== 'true';

/** The bin running on a pseudo-terminal, typed into like a user would. */
export interface TerminalRun {
  /** Everything shown on the terminal so far, with `\r\n` turned into `\n`. */
  readonly transcript: string;
  /** Resolves once `text` is on the terminal; fails after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Types `text`; a line ends with `\r`, as the Enter key sends it. */
  type(text: string): void;
  /** Resolves with the exit status once the command has ended. */
  exited: Promise<number>;
}

/** Starts the bin on a pseudo-terminal (stdin, stdout and stderr) through python3's `pty`. */
export function runInTerminal(args: string[], env: Record<string, string> = {}): TerminalRun {
  const child = spawn('python3', [PTY_BRIDGE, process.execPath, BIN, ...args], {
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let bridgeErrors = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    for (const check of waiters) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (bridgeErrors += chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      for (const check of waiters) check();
      const match = /exit (-?\d+)\n$/.exec(bridgeErrors);
      if (match?.[1] === undefined) {
        reject(new Error(`the pty bridge failed: ${bridgeErrors}`));
      } else {
        resolve(Number(match[1]));
      }
    });
  });
  const transcript = (): string => raw.replace(/\r\n/g, '\n');
  return {
    get transcript() {
      return transcript();
    },
    waitFor: (text, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const found = (): boolean =>
          typeof text === 'string' ? transcript().includes(text) : text.test(transcript());
        const check = (): void => {
          if (found()) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`ended before showing ${String(text)}; transcript:\n${transcript()}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(text)}; transcript:\n${transcript()}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    type: (text) => {
      child.stdin.write(text);
    },
    exited,
  };
}

/** Builds a pattern that matches once `text` is on the terminal `count` times. */
export function countOf(text: string, count: number): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:${escaped}[\\s\\S]*){${count}}`);
}

/** Returns a loopback URL where nothing listens: a port that was free a moment ago. */
export async function unusedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('expected a TCP address');
  }
  return `http://127.0.0.1:${address.port}`;
}

/** Parses the single JSON object that `--json` writes on stdout. */
export function parseJsonOutput(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((line) => line !== '');
  if (lines.length !== 1) {
    throw new Error(`expected one JSON line on stdout, received ${lines.length}: ${stdout}`);
  }
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}
