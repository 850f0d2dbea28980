import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type RequestLogEntry,
  type UserSeed,
} from '@rips-actions/rips-emulator';

import type { ClientOptions, Logger } from '../src/index.js';

/** 2026-01-01T00:00:10Z: ten seconds into a TOTP step, so a step ends 20 s later. */
export const START_MS = Date.UTC(2026, 0, 1, 0, 0, 10);

export const DEMO = {
  email: 'demo@example.com',
  password: 'demo-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
};
export const ALICE = { email: 'alice@example.com', password: 'correct horse' };
export const BOB = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
};
export const JURGEN = { email: 'jürgen@example.com', password: 'pässwörd' };
export const DAVE = { email: 'dave@example.com', password: ' spaced ' };

const USERS: UserSeed[] = [DEMO, ALICE, BOB, JURGEN, DAVE];

/** A log sink that records every message with its level. */
export interface RecordingLogger extends Logger {
  messages: string[];
}

export function recordingLogger(): RecordingLogger {
  const messages: string[] = [];
  return {
    messages,
    debug: (message) => messages.push(`debug: ${message}`),
    info: (message) => messages.push(`info: ${message}`),
    warning: (message) => messages.push(`warning: ${message}`),
  };
}

/**
 * An emulator and a client that share one fake clock, `clock.ms`. The emulator's `now`, the
 * client's clock and the client's sleep all use it, so waits take no real time. TOTP steps
 * advance only when a test or a client wait moves the clock.
 */
export interface TestBed {
  emulator: Emulator;
  clock: { ms: number };
  secrets: string[];
  logger: RecordingLogger;
  sleeps: number[];
  /** Client options bound to the emulator, the fake clock, the sleep recorder and `secrets`. */
  options(): ClientOptions & { apiUrl: string };
  /** Request log without the control API's own requests. */
  requests(): Promise<RequestLogEntry[]>;
  /** `METHOD path status` lines of the request log. */
  requestLines(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startTestBed(options: EmulatorOptions = {}): Promise<TestBed> {
  const clock = { ms: START_MS };
  const emulator = await startEmulator({
    users: USERS,
    control: true,
    scryptCost: 1024,
    now: () => clock.ms,
    ...options,
  });
  const secrets: string[] = [];
  const sleeps: number[] = [];
  const logger = recordingLogger();
  const requests = async (): Promise<RequestLogEntry[]> =>
    (await emulator.control.requests()).filter((entry) => !entry.path.startsWith('/_emulator/'));
  return {
    emulator,
    clock,
    secrets,
    logger,
    sleeps,
    options: () => ({
      apiUrl: emulator.url,
      clock: { now: () => clock.ms },
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock.ms += ms;
      },
      random: () => 0.5,
      onSecret: (value: string) => secrets.push(value),
      logger,
      timeoutMs: 5_000,
    }),
    requests,
    requestLines: async () =>
      (await requests()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
    close: () => emulator.close(),
  };
}

/** Resets the emulator's log, faults, limits and clock offset between tests. */
export async function resetTestBed(bed: TestBed): Promise<void> {
  bed.clock.ms = START_MS;
  bed.secrets.length = 0;
  bed.sleeps.length = 0;
  bed.logger.messages.length = 0;
  await bed.emulator.control.clearFaults();
  await bed.emulator.control.resetLimits();
  await bed.emulator.control.setClockOffset(0);
  await bed.emulator.control.clearRequests();
}
