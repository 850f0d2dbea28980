import type { MachineInfo } from './machine.js';
import { formatMarkdownTable, type Row } from './table.js';

/** Run lengths that the method section states. */
export interface RunShape {
  rounds: number;
  warmup: number;
  memoryRuns: number;
  repeats: number;
  durationMs: number;
  emulatorSeconds: number;
  connections: number;
}

/** Everything the performance page states about one run. */
export interface RunReport {
  shape: RunShape;
  machine: MachineInfo;
  loadAtStart: string;
  loadAtEnd: string;
  mode: string;
  /** Extra sentence about the machine, from `--note`. */
  note: string | undefined;
  rows: readonly Row[];
  notes: readonly string[];
  durationSeconds: number;
}

function runs(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

function howMeasured(shape: RunShape): string {
  return `## How measured

Everything runs on loopback (127.0.0.1) against the workspace's RIPS emulator, started in its own
\`node\` process with the demo user (MFA on) and a user without MFA. Two emulators are started
one after the other: one with the control API for the cold-start, round-trip and cache figures,
and one without it (its default) for the request rates, so that the request log does not slow
the server down.

- **Cold start** is the wall time from spawning a process to its exit, timed with
  \`process.hrtime\`. Each variant ran ${times(shape.rounds)} after ${runs(shape.warmup, 'warm-up run')}
  that are not counted. A time budget ends the timed runs early when the machine is very
  busy. The variants take turns within each round, so that a change in the machine's load
  affects all of them. The rips-login run uses the password grant, a TOTP secret and a client
  id, in a runner-like environment: \`INPUT_*\` with the defaults of \`action.yml\`, and fresh
  \`GITHUB_OUTPUT\` and other command files. The emulator's used TOTP steps are reset before
  each run, because a code is accepted once per time step. The rips-request run sends
  \`GET /applications\` with a token and an MFA token. Every timed run must succeed and set
  its outputs.
- **Floor**: a bundle that only imports \`@actions/core\`, \`@actions/http-client\`, \`otplib\` and
  \`jose\`, built with \`ncc build --minify\` like the actions. It does no work.
- **curl** runs the same HTTP calls from \`sh\` (token, MFA token and status for the login, with
  the TOTP code computed beforehand; one GET for the request). **Network** is the time of the
  same calls from an already running Node.js process through \`@actions/http-client\`, without
  keep-alive as auth-core sends them. It includes the server's scrypt check of the password.
- **Login target**: the rips-login median must be at most 1.2 times the floor's median plus the
  network median.
- **Load time** of a bundle: the median, over rounds, of its run with no inputs (it loads, fails
  on the first required input and sends nothing) minus \`node -e 0\` in the same round.
- **Round trips** are the entries of the emulator's request log for one sign-in, against the
  minimum of the RIPS API contract: token, MFA token and status with MFA and a client id (3),
  token and status without MFA (2), one more to resolve a client name.
- **auth-core rates**: closed-loop load on \`GET /applications\` through one \`Session\`, where
  each of 1 or 32 workers sends its next request when the last one ends. The baseline is the
  same request made with \`@actions/http-client\` directly, with the options auth-core uses.
  Session and bare runs of ${shape.durationMs / 1000} s alternate ${times(shape.repeats)}
  after a short warm-up, and the median rate of each is reported. Overhead is the extra time
  per request: bare rate / session rate − 1. The client CPU time per request comes from
  \`process.cpuUsage\` of the bench process, which runs only the client.
- **Cached token**: a session signs in with the password grant and MFA, then sends more calls.
  The emulator must log exactly one request per call.
- **Emulator rates**: autocannon (npm) in a second process, ${shape.connections} keep-alive
  connections for ${shape.emulatorSeconds} s, on \`GET /applications\` with a bearer token
  and with plain headers. Plain authentication runs the emulator's scrypt password check on
  every request, which is the cost the plain/bearer ratio shows. The emulator's CPU time per request
  comes from \`/proc/PID/stat\` of its process (all threads) before and after the run, and one
  second divided by it estimates the rate of one core. Other work changes it less than the
  rate, but contention still raises it.
- **Memory**: peak resident set size from GNU time's \`%M\` when \`/usr/bin/time\` exists,
  otherwise from \`process.resourceUsage().maxRSS\` in a hook loaded with \`node --import\`.
  The figure is the median of ${runs(shape.memoryRuns, 'run')}.

The client and the server share the machine's cores, so the rates are what both sustain
together, not the server's capacity alone. Figures vary from run to run, the more so when other
processes use the CPU: compare ratios measured in the same run rather than figures from
different runs.
`;
}

/** Builds the Markdown page of a run: machine, table, notes and method. */
export function formatReport(report: RunReport): string {
  const { machine } = report;
  const lines = [
    '# Performance',
    '',
    'Generated by `pnpm bench` (the `@rips-actions/bench` package). Rerun it to refresh this page.',
    '',
    `- Date: ${machine.date}`,
    `- Node.js: ${machine.node}`,
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores (Linux ${machine.kernel})`,
    `- Load average (1, 5, 15 min): ${report.loadAtStart} at the start, ${report.loadAtEnd} at the end`,
    `- Run: ${report.mode}, ${Math.round(report.durationSeconds)} s`,
  ];
  if (report.note !== undefined) {
    lines.push(`- Note: ${report.note}`);
  }
  lines.push('', formatMarkdownTable(report.rows), '');
  if (report.notes.length > 0) {
    lines.push('Errors in full:', '', ...report.notes.map((note) => `- ${note}`), '');
  }
  lines.push(howMeasured(report.shape));
  return `${lines.join('\n').trimEnd()}\n`;
}
