import { spawn, spawnSync } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Exit status, output and wall time of a finished child process. */
export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from just before the spawn to the child's exit, in milliseconds. */
  durationMs: number;
  timedOut: boolean;
}

export interface RunOptions {
  /** Environment of the child. Nothing is inherited from this process. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Milliseconds before the child is killed with SIGKILL. */
  timeoutMs: number;
}

/** Runs a command and measures its wall time with the monotonic clock. */
export function runTimed(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let durationMs = 0;
    let timedOut = false;
    const start = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', () => {
      durationMs = Number(process.hrtime.bigint() - start) / 1e6;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs,
        timedOut,
      });
    });
  });
}

const GNU_TIME = '/usr/bin/time';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Source of the peak resident set size in {@link measurePeakRss}. */
export type RssMethod = 'GNU time' | 'resourceUsage hook';

/** Peak resident set size of one run, with the method that measured it. */
export interface PeakRss {
  kib: number;
  method: RssMethod;
  result: ProcessResult;
}

// Loaded with `node --import` when GNU time is absent. `maxRSS` is in kibibytes (getrusage).
const RSS_HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

/**
 * Runs `node` with `args` and returns the child's peak resident set size: from GNU time's `%M`
 * when `/usr/bin/time` exists, otherwise from `process.resourceUsage().maxRSS` written by a
 * hook that `node --import` loads before the script.
 */
export async function measurePeakRss(
  args: readonly string[],
  options: RunOptions,
): Promise<PeakRss> {
  const dir = await mkdtemp(join(tmpdir(), 'rips-bench-rss-'));
  const rssFile = join(dir, 'rss');
  try {
    let result: ProcessResult;
    let method: RssMethod;
    if (await isExecutable(GNU_TIME)) {
      method = 'GNU time';
      result = await runTimed(
        GNU_TIME,
        ['-f', '%M', '-o', rssFile, process.execPath, ...args],
        options,
      );
    } else {
      method = 'resourceUsage hook';
      const hook = join(dir, 'rss-hook.mjs');
      await writeFile(hook, RSS_HOOK);
      result = await runTimed(process.execPath, ['--import', hook, ...args], {
        ...options,
        env: { ...options.env, BENCH_RSS_FILE: rssFile },
      });
    }
    const text = (await readFile(rssFile, 'utf8')).trim().split('\n').pop() ?? '';
    const kib = Number(text);
    if (!Number.isFinite(kib) || kib <= 0) {
      throw new Error(`peak RSS: expected a number of KiB from ${method}, received "${text}"`);
    }
    return { kib, method, result };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let clockTicks: number | undefined;

/** Returns the kernel's clock ticks per second, the unit of CPU times in `/proc/PID/stat`. */
function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(result.stdout?.trim());
    // Linux reports these times in USER_HZ, which is 100 on x86 and arm64, so 100 is the
    // fallback when getconf fails.
    clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

/**
 * Returns the CPU time (user + system, all threads) that process `pid` has used so far, in
 * microseconds, or undefined where `/proc` is not available.
 */
export async function processCpuMicros(pid: number): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name in brackets may contain spaces, so the fields are counted after it.
  // utime and stime are fields 14 and 15 of proc(5), the 12th and 13th after the bracket.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e6) / clockTicksPerSecond() : undefined;
}
