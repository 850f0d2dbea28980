import { generateTotp } from '@rips-actions/auth-core';

import {
  createRunnerEnv,
  readInputDefaults,
  readOutputs,
  type ActionBundle,
  type BundleState,
} from './actions.js';
import { bareLoginCalls, bareRequest, createBareClient } from './bare-http.js';
import type { EmulatorProcess } from './emulator.js';
import { summarize, type Summary } from './stats.js';
import {
  expectSuccess,
  timeVariants,
  type RoundPlan,
  type Timing,
  type Trial,
  type Variant,
} from './trials.js';
import { MFA_USER } from './users.js';

/** Inputs of the cold-start runs: an emulator with its control API and the MFA user's tokens. */
export interface ColdStartSetup {
  emulator: EmulatorProcess;
  clientId: string;
  accessToken: string;
  mfaToken: string;
  login: ActionBundle & { state: BundleState };
  request: ActionBundle & { state: BundleState };
  floorEntry: string;
  plan: RoundPlan;
}

/** Timings of every cold-start variant, warm network times and the log counts of each login. */
export interface ColdStartResults {
  timings: Map<string, Timing>;
  loginNetwork: Timing;
  requestNetwork: Timing;
  /** Emulator log entries of each timed or warm-up rips-login run. */
  loginRoundTrips: number[];
}

/** Environment of commands that are not actions: only `PATH` and `HOME` are passed on. */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME };
}

// The same calls as rips-login with a client id: token, MFA token, status. The sed expressions
// take the access token and the MFA token out of the JSON responses.
const CURL_LOGIN = `t=$(curl -sS -X POST -H 'Content-Type: application/json' \
--data "$RIPS_TOKEN_BODY" "$RIPS_URL/oauth/v2/auth/tokens" \
| sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
m=$(curl -sS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $t" \
--data "{\\"challenge\\":{\\"code\\":\\"$RIPS_CODE\\"}}" "$RIPS_URL/mfas/token" \
| sed -n 's/.*"token":"\\([^"]*\\)".*/\\1/p')
curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -H "X-API-MFA: $m" \
"$RIPS_URL/status"`;

const CURL_REQUEST = `curl -sS -o /dev/null -w '%{http_code}' -H 'Accept: application/json' \
-H "Authorization: Bearer $RIPS_TOKEN" -H "X-API-MFA: $RIPS_MFA" "$RIPS_URL/applications"`;

function expectStatusOutput(stdout: string): void {
  if (stdout.trim() !== '200') {
    throw new Error(`curl: expected the final status 200, received "${stdout.trim()}"`);
  }
}

function nodeVariant(key: string, args: string[]): Variant {
  return {
    key,
    prepare: async () => ({ command: process.execPath, args, env: baseEnv() }),
  };
}

/** Prepares a run of an action with inputs, in a fresh runner environment. */
async function actionTrial(
  bundle: ActionBundle,
  defaults: Record<string, string>,
  inputs: Record<string, string>,
  checkOutputs: (outputs: Record<string, string>) => Promise<void> | void,
): Promise<Trial> {
  const runner = await createRunnerEnv(inputs, defaults);
  return {
    command: process.execPath,
    args: [bundle.entry],
    env: runner.env,
    cwd: runner.workspace,
    check: async (result) => {
      expectSuccess(result);
      await checkOutputs(await readOutputs(runner));
    },
    cleanup: () => runner.remove(),
  };
}

function requireOutput(outputs: Record<string, string>, name: string, expected?: string): void {
  const value = outputs[name];
  if (value === undefined || value === '' || (expected !== undefined && value !== expected)) {
    throw new Error(`output ${name}: expected ${expected ?? 'a value'}, received "${value ?? ''}"`);
  }
}

async function loginVariants(setup: ColdStartSetup, roundTrips: number[]): Promise<Variant[]> {
  const { emulator, login } = setup;
  if (!login.state.built) {
    return [];
  }
  const defaults = await readInputDefaults(login);
  const inputs = {
    'api-url': emulator.url,
    email: MFA_USER.email,
    password: MFA_USER.password,
    'client-id': setup.clientId,
    'totp-secret': MFA_USER.totpSecret,
  };
  return [
    {
      key: 'login',
      prepare: async () => {
        // A TOTP code is accepted once per time step, so each run starts from cleared steps.
        await emulator.control.resetLimits();
        await emulator.control.clearRequests();
        return actionTrial(login, defaults, inputs, async (outputs) => {
          requireOutput(outputs, 'access-token');
          requireOutput(outputs, 'mfa-token');
          roundTrips.push((await emulator.control.requests()).length);
        });
      },
    },
    // With no inputs the action loads, fails on its first required input and sends nothing.
    nodeVariant('login-load', [login.entry]),
  ];
}

async function requestVariants(setup: ColdStartSetup): Promise<Variant[]> {
  const { emulator, request } = setup;
  if (!request.state.built) {
    return [];
  }
  const defaults = await readInputDefaults(request);
  const inputs = {
    'api-url': emulator.url,
    path: '/applications',
    'access-token': setup.accessToken,
    'mfa-token': setup.mfaToken,
  };
  return [
    {
      key: 'request',
      prepare: () =>
        actionTrial(request, defaults, inputs, (outputs) => {
          requireOutput(outputs, 'status', '200');
        }),
    },
    nodeVariant('request-load', [request.entry]),
  ];
}

function curlVariants(setup: ColdStartSetup): Variant[] {
  const { emulator } = setup;
  const tokenBody = JSON.stringify({
    grant_type: 'password',
    client_id: setup.clientId,
    username: MFA_USER.email,
    password: MFA_USER.password,
  });
  return [
    {
      key: 'curl-login',
      prepare: async () => {
        await emulator.control.resetLimits();
        const code = await generateTotp(MFA_USER.totpSecret);
        return {
          command: '/bin/sh',
          args: ['-c', CURL_LOGIN],
          env: {
            ...baseEnv(),
            RIPS_URL: emulator.url,
            RIPS_TOKEN_BODY: tokenBody,
            RIPS_CODE: code,
          },
          check: (result) => expectStatusOutput(result.stdout),
        };
      },
    },
    {
      key: 'curl-request',
      prepare: async () => ({
        command: '/bin/sh',
        args: ['-c', CURL_REQUEST],
        env: {
          ...baseEnv(),
          RIPS_URL: emulator.url,
          RIPS_TOKEN: setup.accessToken,
          RIPS_MFA: setup.mfaToken,
        },
        check: (result) => expectStatusOutput(result.stdout),
      }),
    },
  ];
}

/** Times an in-process operation `warmup + rounds` times, after an untimed preparation each. */
async function timeInProcess(
  rounds: number,
  warmup: number,
  prepare: () => Promise<() => Promise<void>>,
): Promise<Timing> {
  const samples: number[] = [];
  try {
    for (let round = 0; round < warmup + rounds; round++) {
      const operation = await prepare();
      const start = process.hrtime.bigint();
      await operation();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (round >= warmup) {
        samples.push(elapsed);
      }
    }
  } catch (error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const summary: Summary = summarize(samples);
  return { summary, samples };
}

/**
 * Creates the cold-start variants: `node -e 0`, the floor bundle, curl making each action's
 * calls, and each built action with and without inputs. Each rips-login run appends the number
 * of requests the emulator logged to `loginRoundTrips`.
 */
export async function createVariants(
  setup: ColdStartSetup,
  loginRoundTrips: number[],
): Promise<Variant[]> {
  return [
    nodeVariant('node', ['-e', '0']),
    nodeVariant('floor', [setup.floorEntry]),
    ...curlVariants(setup),
    ...(await loginVariants(setup, loginRoundTrips)),
    ...(await requestVariants(setup)),
  ];
}

/**
 * Times the cold start of each action, `node -e 0`, the floor bundle and curl making the same
 * calls, then the network time of those calls from a warm process.
 */
export async function runColdStart(setup: ColdStartSetup): Promise<ColdStartResults> {
  const loginRoundTrips: number[] = [];
  const variants = await createVariants(setup, loginRoundTrips);
  const timings = await timeVariants(variants, setup.plan);
  // The warm network figures take as many samples as the process variants got.
  const first = [...timings.values()].find((timing) => 'samples' in timing);
  const rounds =
    first !== undefined && 'samples' in first ? first.samples.length : setup.plan.minRounds;
  const { warmup } = setup.plan;

  const client = createBareClient();
  const { emulator } = setup;
  const loginNetwork = await timeInProcess(rounds, warmup, async () => {
    await emulator.control.resetLimits();
    const code = await generateTotp(MFA_USER.totpSecret);
    return () => bareLoginCalls(client, emulator.url, MFA_USER, setup.clientId, code);
  });
  const headers = {
    accept: 'application/json',
    authorization: `Bearer ${setup.accessToken}`,
    'x-api-mfa': setup.mfaToken,
  };
  const requestNetwork = await timeInProcess(rounds, warmup, async () => async () => {
    const response = await bareRequest(client, 'GET', `${emulator.url}/applications`, headers);
    if (response.status !== 200) {
      throw new Error(`GET /applications failed with status ${response.status}`);
    }
  });
  return { timings, loginNetwork, requestNetwork, loginRoundTrips };
}
