import { beforeAll, describe, expect, it } from 'vitest';

import { generateTotp } from '../../src/index.js';
import {
  DEMO,
  parseJsonOutput,
  requireBuild,
  runCli,
  runInTerminal,
  skipWithoutPython,
  type CliRun,
} from './helpers.js';

beforeAll(() => {
  requireBuild();
});

/** Runs `mfa code` and returns the run with the real time before and after it. */
async function timedRun(args: string[], env: Record<string, string>) {
  const startMs = Date.now();
  const run: CliRun = await runCli(args, env);
  return { run, startMs, endMs: Date.now() };
}

/**
 * Checks that `code` and `secondsLeft` belong to one instant between `startMs` and `endMs`:
 * the command reads the clock once, somewhere in that interval.
 */
async function expectCodeWithin(
  code: string,
  secondsLeft: number,
  startMs: number,
  endMs: number,
): Promise<void> {
  for (let ms = startMs - (startMs % 1000); ms <= endMs; ms += 1000) {
    const left = 30 - (Math.floor(ms / 1000) % 30);
    if ((await generateTotp(DEMO.totpSecret, { timeMs: ms })) === code && left === secondsLeft) {
      return;
    }
  }
  expect.fail(`${code} with ${secondsLeft} s left is not a code of the run's interval`);
}

describe('mfa code', { timeout: 60_000 }, () => {
  it('prints the current code and the seconds left', async () => {
    const { run, startMs, endMs } = await timedRun(['mfa', 'code'], {
      RIPS_TOTP_SECRET: DEMO.totpSecret,
    });

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const match = /^(\d{6}) \(valid for (\d+) more seconds\)\n$/.exec(run.stdout);
    expect(match).not.toBeNull();
    await expectCodeWithin(match?.[1] ?? '', Number(match?.[2]), startMs, endMs);
  });

  it('prints one JSON object with --json', async () => {
    const { run, startMs, endMs } = await timedRun(['mfa', 'code', '--json'], {
      RIPS_TOTP_SECRET: 'jbsw y3dp ehpk 3pxp',
    });

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const result = parseJsonOutput(run.stdout);
    expect(Object.keys(result)).toEqual(['code', 'secondsLeft', 'validUntil']);
    await expectCodeWithin(String(result.code), Number(result.secondsLeft), startMs, endMs);
    const validUntilMs = Date.parse(String(result.validUntil));
    expect(validUntilMs % 30_000).toBe(0);
    expect(validUntilMs - endMs).toBeLessThanOrEqual(Number(result.secondsLeft) * 1000);
  });

  it('rejects a malformed secret with exit 2', async () => {
    const run = await runCli(['mfa', 'code', '--json'], { RIPS_TOTP_SECRET: 'JBSWY3DP' });

    expect(run.exitCode).toBe(2);
    const message =
      'RIPS_TOTP_SECRET: expected at least 16 base32 characters (80 bits), received 8 characters';
    expect(run.stderr).toBe(`rips-auth: error: ${message}\n`);
    expect(parseJsonOutput(run.stdout)).toEqual({ error: { code: 'INVALID_OPTION', message } });
  });

  it('fails without a secret and without a terminal', async () => {
    const run = await runCli(['mfa', 'code']);

    expect(run).toEqual({
      stdout: '',
      stderr:
        'rips-auth: error: RIPS_TOTP_SECRET is not set and standard input is not a terminal to ask for the secret; set RIPS_TOTP_SECRET\n',
      exitCode: 2,
    });
  });

  it.skipIf(skipWithoutPython)('asks for the secret without echo', async () => {
    const terminal = runInTerminal(['mfa', 'code']);

    await terminal.waitFor('TOTP secret: ');
    terminal.type(`${DEMO.totpSecret}\r`);

    expect(await terminal.exited).toBe(0);
    expect(terminal.transcript).toMatch(/^TOTP secret: \n\d{6} \(valid for \d+ more seconds\)\n$/);
  });

  it.skipIf(skipWithoutPython)('handles backspace at the secret prompt', async () => {
    const terminal = runInTerminal(['mfa', 'code', '--json']);

    await terminal.waitFor('TOTP secret: ');
    // '!' is not base32, so the secret is valid only when each backspace removed one '!'.
    terminal.type(`${DEMO.totpSecret}!!\u007f\u007f\r`);

    expect(await terminal.exited).toBe(0);
    expect(terminal.transcript).not.toContain('JBSW');
    expect(terminal.transcript).toMatch(/^TOTP secret: \n\{"code":"\d{6}",/);
  });
});
