import type { BundleState } from './actions.js';
import type { ColdStartResults } from './cold-start.js';
import type { EmulatorRate } from './emulator-load.js';
import type { MemoryFigure } from './memory.js';
import type { SignInCase } from './round-trips.js';
import { median, type Summary } from './stats.js';
import { formatNumber, formatRatio, judge, type Row } from './table.js';
import type { CacheCheck, RateFigure } from './throughput.js';
import type { Timing } from './trials.js';

/** Cold start of the login bundle may take at most this multiple of floor plus network time. */
export const LOGIN_COLD_START_FACTOR = 1.2;
/** Largest accepted cost of a session over a bare call at concurrency 32, as a fraction. */
export const SESSION_OVERHEAD_LIMIT = 0.1;
/** Bearer-authenticated requests per second the emulator should serve. */
export const EMULATOR_BEARER_TARGET = 2000;

/** Section of the cold-start rows. */
export const COLD_START = 'Cold start (spawn to exit)';

const MS = 'ms, median / p90';
const RATE = 'req/s';

/** Short text for a failure cell; the full message goes to the notes under the table. */
function cut(text: string, length = 60): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

export function failedRow(section: string, benchmark: string, error: string): Row {
  return {
    section,
    benchmark,
    figure: '–',
    unit: '',
    baseline: cut(error),
    ratio: '',
    verdict: 'failed',
    detail: error,
  };
}

function notBuiltRow(section: string, benchmark: string, reason: string): Row {
  return {
    section,
    benchmark,
    figure: '–',
    unit: '',
    baseline: reason,
    ratio: '',
    verdict: 'not built',
  };
}

function msFigure(summary: Summary): string {
  return `${formatNumber(summary.median, 1)} / ${formatNumber(summary.p90, 1)}`;
}

function ms(value: number): string {
  return `${formatNumber(value, 1)} ms`;
}

function summaryOf(timing: Timing | undefined): Summary | undefined {
  return timing !== undefined && 'summary' in timing ? timing.summary : undefined;
}

/** Builds a row with the timing of a variant, or with the reason it has none. */
function timingRow(
  section: string,
  benchmark: string,
  timing: Timing | undefined,
  baseline?: { label: string; summary: Summary | undefined },
): Row {
  if (timing === undefined) {
    return failedRow(section, benchmark, 'not measured');
  }
  if ('error' in timing) {
    return failedRow(section, benchmark, timing.error);
  }
  const base = baseline?.summary;
  return {
    section,
    benchmark,
    figure: msFigure(timing.summary),
    unit: MS,
    baseline: base === undefined ? '' : `${baseline?.label ?? ''}: ${ms(base.median)}`,
    ratio: base === undefined ? '' : formatRatio(timing.summary.median, base.median),
    verdict: '',
  };
}

interface ActionColdStart {
  name: string;
  state: BundleState;
  key: string;
  description: string;
  curlKey: string;
  network: Timing;
  /** Only the login bundle has a cold-start target. */
  target: boolean;
}

/**
 * Builds an action's cold-start rows: against `node -e 0`, the floor and curl, then against the
 * floor plus the network time of its calls, which is the login bundle's target.
 */
function actionColdStartRows(results: ColdStartResults, action: ActionColdStart): Row[] {
  const section = COLD_START;
  const label = `${action.name} (${action.description})`;
  if (!action.state.built) {
    return [notBuiltRow(section, label, action.state.reason)];
  }

  const timing = results.timings.get(action.key);
  const node = summaryOf(results.timings.get('node'));
  const floor = summaryOf(results.timings.get('floor'));
  const curl = summaryOf(results.timings.get(action.curlKey));
  const network = summaryOf(action.network);
  const rows = [
    timingRow(section, label, timing, { label: 'node -e 0', summary: node }),
    timingRow(section, `${action.name} vs floor`, timing, { label: 'floor', summary: floor }),
    timingRow(section, `${action.name} vs curl`, timing, { label: 'curl', summary: curl }),
  ];

  const own = summaryOf(timing);
  if (own === undefined || floor === undefined || network === undefined) {
    return rows;
  }
  const sum = floor.median + network.median;
  const ratio = own.median / sum;
  const row: Row = {
    section,
    benchmark: `${action.name} vs floor + network`,
    figure: msFigure(own),
    unit: MS,
    baseline: action.target
      ? `≤ ${LOGIN_COLD_START_FACTOR}x (${ms(floor.median)} + ${ms(network.median)})`
      : `floor + network: ${ms(sum)}`,
    ratio: `${ratio.toFixed(2)}x`,
    verdict: action.target ? judge(ratio <= LOGIN_COLD_START_FACTOR) : '',
  };
  return [...rows, row];
}

export interface ColdStartInput {
  results: ColdStartResults;
  login: BundleState;
  request: BundleState;
}

export function coldStartRows({ results, login, request }: ColdStartInput): Row[] {
  const section = COLD_START;
  const { timings } = results;
  const node = summaryOf(timings.get('node'));
  return [
    timingRow(section, 'node -e 0', timings.get('node')),
    timingRow(
      section,
      'floor: ncc -m bundle of core, http-client, otplib, jose',
      timings.get('floor'),
      {
        label: 'node -e 0',
        summary: node,
      },
    ),
    timingRow(section, 'curl: token, MFA token, status (sh, 3 curl)', timings.get('curl-login')),
    timingRow(section, 'network: token, MFA token, status (warm process)', results.loginNetwork),
    ...actionColdStartRows(results, {
      name: 'rips-login',
      state: login,
      key: 'login',
      description: 'password grant + MFA, client id',
      curlKey: 'curl-login',
      network: results.loginNetwork,
      target: true,
    }),
    timingRow(section, 'curl: GET /applications', timings.get('curl-request')),
    timingRow(section, 'network: GET /applications (warm process)', results.requestNetwork),
    ...actionColdStartRows(results, {
      name: 'rips-request',
      state: request,
      key: 'request',
      description: 'GET /applications with a token',
      curlKey: 'curl-request',
      network: results.requestNetwork,
      target: false,
    }),
  ];
}

export interface RoundTripInput {
  cases: readonly { signIn: SignInCase; count: number | { error: string } }[];
  login: BundleState;
  /** Requests logged in each rips-login cold-start run (MFA, client id). */
  actionCounts: readonly number[];
}

function roundTripRow(section: string, benchmark: string, count: number, minimum: number): Row {
  return {
    section,
    benchmark,
    figure: String(count),
    unit: 'requests',
    baseline: `≤ ${minimum} (contract minimum)`,
    ratio: formatRatio(count, minimum),
    verdict: judge(count <= minimum),
  };
}

export function roundTripRows({ cases, login, actionCounts }: RoundTripInput): Row[] {
  const section = 'Round trips per sign-in (emulator request log)';
  const rows = cases.map(({ signIn, count }) => {
    const benchmark = `auth-core login: ${signIn.label}`;
    return typeof count === 'number'
      ? roundTripRow(section, benchmark, count, signIn.minimum)
      : failedRow(section, benchmark, count.error);
  });
  const actionLabel = 'rips-login run: MFA, client id';
  if (!login.built) {
    rows.push(notBuiltRow(section, actionLabel, login.reason));
  } else if (actionCounts.length === 0) {
    rows.push(failedRow(section, actionLabel, 'no successful run'));
  } else {
    // Every run must stay within the minimum, so the largest count is the one judged.
    rows.push(roundTripRow(section, actionLabel, Math.max(...actionCounts), 3));
  }
  return rows;
}

export interface AuthCoreInput {
  rates: readonly RateFigure[] | { error: string };
  cache: CacheCheck | { error: string };
}

function figureOf(
  rates: readonly RateFigure[],
  auth: RateFigure['auth'],
  concurrency: number,
  client: RateFigure['client'],
): RateFigure | undefined {
  return rates.find(
    (figure) =>
      figure.auth === auth && figure.concurrency === concurrency && figure.client === client,
  );
}

function rateOf(
  rates: readonly RateFigure[],
  auth: RateFigure['auth'],
  concurrency: number,
  client: RateFigure['client'],
): number | undefined {
  return figureOf(rates, auth, concurrency, client)?.rate;
}

function describeFailures(figure: RateFigure): string | undefined {
  const failed = figure.runs.reduce((total, run) => total + run.failed, 0);
  if (failed === 0) {
    return undefined;
  }
  const first = figure.runs.find((run) => run.firstError !== undefined)?.firstError ?? '';
  return `${failed} failed requests, first: ${first}`;
}

export function authCoreRows({ rates, cache }: AuthCoreInput): Row[] {
  const section = 'auth-core: requests through one session (GET /applications)';
  const rows: Row[] = [];
  if ('error' in rates) {
    rows.push(failedRow(section, 'session and bare request rates', rates.error));
  } else {
    for (const figure of rates) {
      const name = figure.client === 'session' ? 'session' : 'bare http-client';
      const benchmark = `${name}, ${figure.auth}, concurrency ${figure.concurrency}`;
      const failure = describeFailures(figure);
      if (failure !== undefined) {
        rows.push(failedRow(section, benchmark, failure));
        continue;
      }
      const bare = rateOf(rates, figure.auth, figure.concurrency, 'bare');
      const isSession = figure.client === 'session' && bare !== undefined;
      rows.push({
        section,
        benchmark,
        figure: formatNumber(figure.rate),
        unit: RATE,
        baseline: isSession ? `bare: ${formatNumber(bare)} ${RATE}` : '',
        ratio: isSession ? formatRatio(figure.rate, bare) : '',
        verdict: '',
      });
    }
    for (const concurrency of [...new Set(rates.map((figure) => figure.concurrency))]) {
      const bearer = rateOf(rates, 'bearer', concurrency, 'session');
      const plain = rateOf(rates, 'plain', concurrency, 'session');
      if (bearer !== undefined && plain !== undefined) {
        rows.push({
          section,
          benchmark: `plain/bearer time per request, session, concurrency ${concurrency}`,
          figure: formatNumber(plain),
          unit: `${RATE} plain`,
          baseline: `bearer: ${formatNumber(bearer)} ${RATE}`,
          ratio: formatRatio(bearer, plain),
          verdict: '',
        });
      }
    }
    const sessionCpu = figureOf(rates, 'bearer', 32, 'session');
    const bareCpu = figureOf(rates, 'bearer', 32, 'bare');
    if (sessionCpu !== undefined && bareCpu !== undefined) {
      rows.push({
        section,
        benchmark: 'client CPU time per request, session, bearer, concurrency 32',
        figure: formatNumber(sessionCpu.cpuMicros),
        unit: 'µs',
        baseline: `bare: ${formatNumber(bareCpu.cpuMicros)} µs`,
        ratio: formatRatio(sessionCpu.cpuMicros, bareCpu.cpuMicros),
        verdict: '',
      });
    }
    const session = rateOf(rates, 'bearer', 32, 'session');
    const bare = rateOf(rates, 'bearer', 32, 'bare');
    if (session !== undefined && bare !== undefined) {
      // Time per request is the inverse of the rate, so this is the extra time per request.
      const overhead = bare / session - 1;
      rows.push({
        section,
        benchmark: 'session overhead over a bare call, bearer, concurrency 32',
        figure: formatNumber(overhead * 100, 1),
        unit: '% time per request',
        baseline: `< ${SESSION_OVERHEAD_LIMIT * 100}%`,
        ratio: formatRatio(bare, session),
        verdict: judge(overhead < SESSION_OVERHEAD_LIMIT),
      });
    }
  }
  const cacheLabel = 'cached, unexpired token: requests beyond the calls';
  if ('error' in cache) {
    rows.push(failedRow(section, cacheLabel, cache.error));
  } else {
    const extra = cache.logged - cache.calls;
    rows.push({
      section,
      benchmark: cacheLabel,
      figure: String(extra),
      unit: `requests over ${cache.calls} calls`,
      baseline: `0 (${cache.logged} logged, ${cache.tokenRequests} not the call)`,
      ratio: '',
      verdict: judge(extra === 0 && cache.tokenRequests === 0),
    });
  }
  return rows;
}

export interface EmulatorInput {
  bearer: EmulatorRate | { error: string };
  plain: EmulatorRate | { error: string };
  connections: number;
}

function rateProblem(rate: EmulatorRate): string | undefined {
  return rate.non2xx + rate.errors > 0
    ? `${rate.non2xx} non-2xx responses, ${rate.errors} errors`
    : undefined;
}

export function emulatorRows({ bearer, plain, connections }: EmulatorInput): Row[] {
  const section = `Emulator (autocannon, ${connections} connections, GET /applications)`;
  const rows: Row[] = [];
  const bearerLabel = 'bearer-authenticated requests';
  const bearerProblem = 'error' in bearer ? bearer.error : rateProblem(bearer);
  if ('error' in bearer || bearerProblem !== undefined) {
    rows.push(failedRow(section, bearerLabel, bearerProblem ?? ''));
  } else {
    rows.push({
      section,
      benchmark: bearerLabel,
      figure: formatNumber(bearer.rate),
      unit: RATE,
      baseline: `≥ ${formatNumber(EMULATOR_BEARER_TARGET)} ${RATE}`,
      ratio: formatRatio(bearer.rate, EMULATOR_BEARER_TARGET),
      verdict: judge(bearer.rate >= EMULATOR_BEARER_TARGET),
    });
  }
  if (!('error' in bearer) && bearer.serverCpuMicros !== undefined) {
    // A request that costs c µs of CPU caps one core at 1e6 / c requests per second.
    rows.push({
      section,
      benchmark: 'emulator CPU time per bearer request',
      figure: formatNumber(bearer.serverCpuMicros),
      unit: 'µs',
      baseline: `one core: ${formatNumber(1e6 / bearer.serverCpuMicros)} ${RATE}`,
      ratio: '',
      verdict: '',
    });
  }
  const plainLabel = 'plain-auth requests (scrypt each), plain/bearer cost';
  const plainProblem = 'error' in plain ? plain.error : rateProblem(plain);
  if ('error' in plain || plainProblem !== undefined) {
    rows.push(failedRow(section, plainLabel, plainProblem ?? ''));
  } else {
    const hasBearer = !('error' in bearer);
    rows.push({
      section,
      benchmark: plainLabel,
      figure: formatNumber(plain.rate),
      unit: RATE,
      baseline: hasBearer ? `bearer: ${formatNumber(bearer.rate)} ${RATE}` : '',
      ratio: hasBearer ? formatRatio(bearer.rate, plain.rate) : '',
      verdict: '',
    });
  }
  return rows;
}

export interface BundleInput {
  floorBytes: number;
  actions: readonly { name: string; state: BundleState; loadKey: string }[];
  timings: Map<string, Timing>;
}

function kb(bytes: number): string {
  return formatNumber(bytes / 1000, 1);
}

/** Returns the median per-round difference between a variant and `node -e 0`, in ms. */
function loadCost(timings: Map<string, Timing>, key: string): number | string {
  const own = timings.get(key);
  const node = timings.get('node');
  if (own === undefined || node === undefined) {
    return 'not measured';
  }
  if ('error' in own) return own.error;
  if ('error' in node) return node.error;
  const differences = own.samples.map((value, index) => value - (node.samples[index] ?? 0));
  return median(differences);
}

export function bundleRows({ floorBytes, actions, timings }: BundleInput): Row[] {
  const section = 'Bundles';
  const rows: Row[] = [];
  const floorLoad = loadCost(timings, 'floor');
  for (const action of actions) {
    const sizeLabel = `${action.name} dist/index.js size`;
    const loadLabel = `${action.name} load time (no inputs) minus node -e 0`;
    if (!action.state.built) {
      rows.push(notBuiltRow(section, sizeLabel, action.state.reason));
      continue;
    }
    rows.push({
      section,
      benchmark: sizeLabel,
      figure: kb(action.state.bytes),
      unit: 'kB',
      baseline: `floor: ${kb(floorBytes)} kB`,
      ratio: formatRatio(action.state.bytes, floorBytes),
      verdict: '',
    });
    const load = loadCost(timings, action.loadKey);
    if (typeof load === 'string') {
      rows.push(failedRow(section, loadLabel, load));
      continue;
    }
    const hasFloor = typeof floorLoad === 'number';
    rows.push({
      section,
      benchmark: loadLabel,
      figure: formatNumber(load, 1),
      unit: 'ms, median',
      baseline: hasFloor ? `floor: ${ms(floorLoad)}` : '',
      ratio: hasFloor ? formatRatio(load, floorLoad) : '',
      verdict: '',
    });
  }
  return rows;
}

export interface MemoryInput {
  figures: Map<string, MemoryFigure>;
  actions: readonly { name: string; state: BundleState; key: string; description: string }[];
}

function mib(kib: number): string {
  return formatNumber(kib / 1024, 1);
}

export function memoryRows({ figures, actions }: MemoryInput): Row[] {
  const section = 'Memory (peak RSS of one run)';
  const row = (benchmark: string, key: string, baseKey?: string): Row => {
    const figure = figures.get(key);
    if (figure === undefined || 'error' in figure) {
      return failedRow(section, benchmark, figure?.error ?? 'not measured');
    }
    const base = baseKey === undefined ? undefined : figures.get(baseKey);
    const hasBase = base !== undefined && !('error' in base);
    return {
      section,
      benchmark,
      figure: mib(figure.kib),
      unit: `MiB (${figure.method})`,
      baseline: hasBase
        ? `${baseKey === 'node' ? 'node -e 0' : 'floor'}: ${mib(base.kib)} MiB`
        : '',
      ratio: hasBase ? formatRatio(figure.kib, base.kib) : '',
      verdict: '',
    };
  };
  const rows = [row('node -e 0', 'node'), row('floor bundle', 'floor', 'node')];
  for (const action of actions) {
    const label = `${action.name} (${action.description})`;
    rows.push(
      action.state.built
        ? row(label, action.key, 'floor')
        : notBuiltRow(section, label, action.state.reason),
    );
  }
  return rows;
}
