// Runs every benchmark of the workspace on loopback, prints one table and writes it, with the
// machine and the date, to docs/performance.md. Figures are reported, never asserted.
import { stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { listGlobalClients, login } from '@rips-actions/auth-core';

import { actionBundle, bundleState, type ActionBundle, type BundleState } from './actions.js';
import {
  createVariants,
  runColdStart,
  type ColdStartResults,
  type ColdStartSetup,
} from './cold-start.js';
import { startEmulatorProcess } from './emulator.js';
import { loadEmulator, loadHeaders, type EmulatorRate } from './emulator-load.js';
import { describeMachine, loadAverage } from './machine.js';
import { measureMemory, type MemoryFigure } from './memory.js';
import { formatReport } from './report.js';
import { countSignInRequests, SIGN_IN_CASES, type SignInCase } from './round-trips.js';
import {
  authCoreRows,
  COLD_START,
  failedRow,
  bundleRows,
  coldStartRows,
  emulatorRows,
  memoryRows,
  roundTripRows,
} from './rows.js';
import { formatTextTable, type Row } from './table.js';
import type { RoundPlan } from './trials.js';
import {
  checkTokenCache,
  measureThroughput,
  type CacheCheck,
  type RateFigure,
  type ThroughputOptions,
} from './throughput.js';
import { BENCH_USERS, MFA_USER } from './users.js';

const USAGE = `Usage: pnpm bench [options]

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
  coldStart: RoundPlan;
  memoryRuns: number;
  throughput: ThroughputOptions;
  emulatorSeconds: number;
  emulatorConnections: number;
  cacheCalls: number;
}

function parseSettings(args: string[]): Settings | undefined {
  const { values } = parseArgs({
    // `pnpm bench -- --quick` passes the separator on, so it is dropped rather than taken as
    // the end of the options.
    args: args.filter((arg) => arg !== '--'),
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
    coldStart: {
      rounds: quick ? 5 : 15,
      warmup: quick ? 1 : 2,
      budgetMs: quick ? 30_000 : 90_000,
      minRounds: quick ? 3 : 5,
    },
    memoryRuns: quick ? 1 : 3,
    throughput: {
      concurrencies: [1, 32],
      durationMs: quick ? 600 : 1500,
      repeats: quick ? 1 : 3,
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

type Failure = { error: string };

/** An action bundle with whether it can be measured. */
type MeasuredAction = ActionBundle & { state: BundleState };

/** Figures that need the control API: cold starts, memory, round trips and the token cache. */
interface ControlledFigures {
  cold: ColdStartResults | Failure;
  memory: Map<string, MemoryFigure>;
  cases: { signIn: SignInCase; count: number | Failure }[];
  cache: CacheCheck | Failure;
}

/** Figures measured against the emulator in its default configuration. */
interface RateFigures {
  rates: RateFigure[] | Failure;
  bearer: EmulatorRate | Failure;
  plain: EmulatorRate | Failure;
}

async function measureWithControl(
  settings: Settings,
  loginAction: MeasuredAction,
  request: MeasuredAction,
): Promise<ControlledFigures> {
  progress('starting the emulator with its control API');
  const emulator = await startEmulatorProcess({ users: BENCH_USERS, control: true });
  try {
    const clientId = (await listGlobalClients({ apiUrl: emulator.url })).ci ?? '';
    // The MFA user's tokens for the rips-request runs, which need no sign-in of their own.
    const signedIn = await login({
      apiUrl: emulator.url,
      grant: 'password',
      email: MFA_USER.email,
      password: MFA_USER.password,
      clientId,
      totpSecret: MFA_USER.totpSecret,
    });
    const setup: ColdStartSetup = {
      emulator,
      clientId,
      accessToken: signedIn.accessToken ?? '',
      mfaToken: signedIn.mfaToken ?? '',
      login: loginAction,
      request,
      floorEntry: FLOOR_ENTRY,
      plan: settings.coldStart,
    };
    const { warmup, rounds, budgetMs } = settings.coldStart;
    progress(
      `cold start: ${warmup} + up to ${rounds} runs of each variant, within ${budgetMs / 1000} s`,
    );
    const cold = await attempt(() => runColdStart(setup));

    progress('peak RSS');
    const measured = new Set(['node', 'floor', 'login', 'request']);
    const variants = (await createVariants(setup, [])).filter((v) => measured.has(v.key));
    const memory = await measureMemory(variants, settings.memoryRuns);

    progress('round trips per sign-in');
    const cases = [];
    for (const signIn of SIGN_IN_CASES) {
      const count = await attempt(() => countSignInRequests(emulator, signIn, clientId));
      cases.push({ signIn, count });
    }
    progress('token cache');
    const cache = await attempt(() => checkTokenCache(emulator, settings.cacheCalls));
    return { cold, memory, cases, cache };
  } finally {
    await emulator.stop();
  }
}

async function measureRates(settings: Settings): Promise<RateFigures> {
  progress('starting the emulator without its control API');
  const emulator = await startEmulatorProcess({ users: BENCH_USERS });
  try {
    progress('auth-core session and bare request rates');
    const rates = await attempt(() => measureThroughput(emulator, settings.throughput));
    progress(`emulator rates with autocannon, ${settings.emulatorSeconds} s each`);
    const headers = await loadHeaders(emulator);
    const { emulatorSeconds: seconds, emulatorConnections: connections } = settings;
    const bearer = await attempt(() =>
      loadEmulator(emulator, headers.bearer, connections, seconds),
    );
    const plain = await attempt(() => loadEmulator(emulator, headers.plain, connections, seconds));
    return { rates, bearer, plain };
  } finally {
    await emulator.stop();
  }
}

function buildRows(
  settings: Settings,
  controlled: ControlledFigures,
  rateFigures: RateFigures,
  actions: { login: MeasuredAction; request: MeasuredAction; floorBytes: number },
): Row[] {
  const { cold, memory, cases, cache } = controlled;
  const loginAction = actions.login.state;
  const request = actions.request.state;
  const timings = 'error' in cold ? new Map<string, never>() : cold.timings;
  return [
    ...('error' in cold
      ? [failedRow(COLD_START, 'cold start', cold.error)]
      : coldStartRows({ results: cold, login: loginAction, request })),
    ...roundTripRows({
      cases,
      login: loginAction,
      actionCounts: 'error' in cold ? [] : cold.loginRoundTrips,
    }),
    ...authCoreRows({ rates: rateFigures.rates, cache }),
    ...emulatorRows({
      bearer: rateFigures.bearer,
      plain: rateFigures.plain,
      connections: settings.emulatorConnections,
    }),
    ...bundleRows({
      floorBytes: actions.floorBytes,
      timings,
      actions: [
        { name: 'rips-login', state: loginAction, loadKey: 'login-load' },
        { name: 'rips-request', state: request, loadKey: 'request-load' },
      ],
    }),
    ...memoryRows({
      figures: memory,
      actions: [
        { name: 'rips-login', state: loginAction, key: 'login', description: 'password + MFA' },
        { name: 'rips-request', state: request, key: 'request', description: 'one GET' },
      ],
    }),
  ];
}

/** Returns how many timed cold starts each variant got, which the time budget may cut short. */
function timedRounds(cold: ColdStartResults | Failure): number | undefined {
  if ('error' in cold) {
    return undefined;
  }
  const node = cold.timings.get('node');
  return node !== undefined && 'samples' in node ? node.samples.length : undefined;
}

async function main(): Promise<void> {
  let settings: Settings | undefined;
  try {
    settings = parseSettings(process.argv.slice(2));
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (settings === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const started = performance.now();
  const machine = describeMachine(new Date());
  const loadAtStart = loadAverage();
  const loginBundle = actionBundle(ROOT, 'rips-login');
  const requestBundle = actionBundle(ROOT, 'rips-request');
  const actions = {
    login: { ...loginBundle, state: await bundleState(loginBundle) },
    request: { ...requestBundle, state: await bundleState(requestBundle) },
    floorBytes: (await stat(FLOOR_ENTRY)).size,
  };

  const controlled = await measureWithControl(settings, actions.login, actions.request);
  const rateFigures = await measureRates(settings);
  const rows = buildRows(settings, controlled, rateFigures, actions);
  const notes = rows
    .filter((row) => row.detail !== undefined)
    .map((row) => `${row.benchmark}: ${row.detail ?? ''}`);

  process.stdout.write(`${formatTextTable(rows)}\n`);
  for (const note of notes) {
    process.stdout.write(`\nfailed: ${note}`);
  }
  process.stdout.write('\n');
  if (!settings.write) {
    return;
  }
  const page = formatReport({
    shape: {
      rounds: timedRounds(controlled.cold) ?? settings.coldStart.rounds,
      warmup: settings.coldStart.warmup,
      memoryRuns: settings.memoryRuns,
      repeats: settings.throughput.repeats,
      durationMs: settings.throughput.durationMs,
      emulatorSeconds: settings.emulatorSeconds,
      connections: settings.emulatorConnections,
    },
    machine,
    loadAtStart,
    loadAtEnd: loadAverage(),
    mode: settings.quick ? 'quick (--quick)' : 'full',
    note: settings.note,
    rows,
    notes,
    durationSeconds: (performance.now() - started) / 1000,
  });
  await writeFile(settings.out, page);
  progress(`wrote ${settings.out}`);
}

await main();
