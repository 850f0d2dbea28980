// Runs every benchmark of the workspace on loopback, prints one table and writes it, with the
// machine and the date, to docs/performance.md. Figures are reported, never asserted.
import { stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { listGlobalClients, login } from '@rips-actions/auth-core';

import { actionBundle, bundleState } from './actions.js';
import { createVariants, runColdStart, type ColdStartResults } from './cold-start.js';
import { startEmulatorProcess } from './emulator.js';
import { loadEmulator, loadHeaders } from './emulator-load.js';
import { describeMachine, loadAverage } from './machine.js';
import { measureMemory } from './memory.js';
import { formatReport } from './report.js';
import { countSignInRequests, SIGN_IN_CASES } from './round-trips.js';
import {
  authCoreRows,
  failedRow,
  bundleRows,
  coldStartRows,
  emulatorRows,
  memoryRows,
  roundTripRows,
} from './rows.js';
import { formatTextTable, type Row } from './table.js';
import { checkTokenCache, measureThroughput, type ThroughputOptions } from './throughput.js';
import { BENCH_USERS, MFA_USER } from './users.js';

const USAGE = `Usage: pnpm bench [-- options]

Runs the benchmarks on loopback, prints the table and writes docs/performance.md.

Options:
  --quick        fewer runs and shorter load (about a third of the time); writes no page
                 unless --write is given
  --write        write the page even with --quick
  --no-write     print the table only
  --out FILE     page to write (default: docs/performance.md in the repository)
  --note TEXT    sentence about the machine to add to the page, such as "shared with CI jobs"
  --help         print this help
`;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FLOOR_ENTRY = fileURLToPath(new URL('./floor-bundle/index.js', import.meta.url));

interface Settings {
  quick: boolean;
  write: boolean;
  out: string;
  note: string | undefined;
  /** Timed cold-start runs per variant, after `warmup` untimed ones. */
  rounds: number;
  warmup: number;
  memoryRuns: number;
  throughput: ThroughputOptions;
  emulatorSeconds: number;
  emulatorConnections: number;
  cacheCalls: number;
}

function parseSettings(args: string[]): Settings | undefined {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      out: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    return undefined;
  }
  const quick = values.quick === true;
  return {
    quick,
    write: values['no-write'] !== true && (!quick || values.write === true),
    out: values.out ?? `${ROOT}docs/performance.md`,
    note: values.note,
    rounds: quick ? 5 : 15,
    warmup: quick ? 1 : 2,
    memoryRuns: quick ? 1 : 3,
    throughput: {
      concurrencies: [1, 32],
      durationMs: quick ? 600 : 2000,
      repeats: quick ? 1 : 2,
      maxRequests: 100_000,
    },
    emulatorSeconds: quick ? 2 : 5,
    emulatorConnections: 32,
    cacheCalls: 20,
  };
}

/** Runs `work` and returns its result, or its error as a value so that one failure costs one row. */
async function attempt<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  if (settings === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const started = performance.now();
  const machine = describeMachine(new Date());
  const loadAtStart = loadAverage();
  const loginBundle = actionBundle(ROOT, 'rips-login');
  const requestBundle = actionBundle(ROOT, 'rips-request');
  const loginAction = { ...loginBundle, state: await bundleState(loginBundle) };
  const requestAction = { ...requestBundle, state: await bundleState(requestBundle) };
  const floorBytes = (await stat(FLOOR_ENTRY)).size;

  progress('starting the emulator with its control API');
  const controlled = await startEmulatorProcess({ users: BENCH_USERS, control: true });
  let cold: ColdStartResults | { error: string };
  let memory;
  const cases = [];
  let cache;
  try {
    const clientId = (await listGlobalClients({ apiUrl: controlled.url })).ci ?? '';
    // The MFA user's tokens for the rips-request runs, which need no sign-in of their own.
    const signedIn = await login({
      apiUrl: controlled.url,
      grant: 'password',
      email: MFA_USER.email,
      password: MFA_USER.password,
      clientId,
      totpSecret: MFA_USER.totpSecret,
    });
    const setup = {
      emulator: controlled,
      clientId,
      accessToken: signedIn.accessToken ?? '',
      mfaToken: signedIn.mfaToken ?? '',
      login: loginAction,
      request: requestAction,
      floorEntry: FLOOR_ENTRY,
      rounds: settings.rounds,
      warmup: settings.warmup,
    };
    progress(`cold start: ${settings.warmup} + ${settings.rounds} runs of each variant`);
    cold = await attempt(() => runColdStart(setup));
    progress('peak RSS');
    const measured = new Set(['node', 'floor', 'login', 'request']);
    const variants = (await createVariants(setup, [])).filter((v) => measured.has(v.key));
    memory = await measureMemory(variants, settings.memoryRuns);
    progress('round trips per sign-in');
    for (const signIn of SIGN_IN_CASES) {
      cases.push({
        signIn,
        count: await attempt(() => countSignInRequests(controlled, signIn, clientId)),
      });
    }
    progress('token cache');
    cache = await attempt(() => checkTokenCache(controlled, settings.cacheCalls));
  } finally {
    await controlled.stop();
  }

  progress('starting the emulator without its control API');
  const plainServer = await startEmulatorProcess({ users: BENCH_USERS });
  let rates;
  let bearerRate;
  let plainRate;
  try {
    progress('auth-core session and bare request rates');
    rates = await attempt(() => measureThroughput(plainServer, settings.throughput));
    progress(`emulator rates with autocannon, ${settings.emulatorSeconds} s each`);
    const headers = await loadHeaders(plainServer);
    const { emulatorSeconds: seconds, emulatorConnections: connections } = settings;
    bearerRate = await attempt(() =>
      loadEmulator(plainServer, headers.bearer, connections, seconds),
    );
    plainRate = await attempt(() => loadEmulator(plainServer, headers.plain, connections, seconds));
  } finally {
    await plainServer.stop();
  }

  const timings = 'error' in cold ? new Map() : cold.timings;
  const coldRows: Row[] =
    'error' in cold
      ? [failedRow('Cold start (spawn to exit)', 'cold start', cold.error)]
      : coldStartRows({ results: cold, login: loginAction.state, request: requestAction.state });
  const rows: Row[] = [
    ...coldRows,
    ...roundTripRows({
      cases,
      login: loginAction.state,
      actionCounts: 'error' in cold ? [] : cold.loginRoundTrips,
    }),
    ...authCoreRows({ rates, cache }),
    ...emulatorRows({
      bearer: bearerRate,
      plain: plainRate,
      connections: settings.emulatorConnections,
    }),
    ...bundleRows({
      floorBytes,
      timings,
      actions: [
        { name: 'rips-login', state: loginAction.state, loadKey: 'login-load' },
        { name: 'rips-request', state: requestAction.state, loadKey: 'request-load' },
      ],
    }),
    ...memoryRows({
      figures: memory,
      actions: [
        {
          name: 'rips-login',
          state: loginAction.state,
          key: 'login',
          description: 'password + MFA',
        },
        {
          name: 'rips-request',
          state: requestAction.state,
          key: 'request',
          description: 'one GET',
        },
      ],
    }),
  ];
  const notes = rows
    .filter((row) => row.detail !== undefined)
    .map((row) => `${row.benchmark}: ${row.detail ?? ''}`);

  process.stdout.write(`${formatTextTable(rows)}\n`);
  for (const note of notes) {
    process.stdout.write(`\nfailed: ${note}`);
  }
  process.stdout.write('\n');
  if (settings.write) {
    const page = formatReport({
      machine,
      loadAtStart,
      loadAtEnd: loadAverage(),
      mode: settings.quick
        ? `quick (${settings.rounds} timed cold starts per variant)`
        : `full (${settings.rounds} timed cold starts per variant after ${settings.warmup} warm-up runs)`,
      note: settings.note,
      rows,
      notes,
      durationSeconds: (performance.now() - started) / 1000,
    });
    await writeFile(settings.out, page);
    progress(`wrote ${settings.out}`);
  }
}

await main();
