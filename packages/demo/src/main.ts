import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  startEmulator,
} from '@rips-actions/rips-emulator';
import { runStep, type Step, type StepResult } from './run-step.js';
import { RunnerLog } from './runner-log.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const loginAction = join(root, 'actions', 'rips-login');
const requestAction = join(root, 'actions', 'rips-request');

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function printOutputs(title: string, result: StepResult, log: RunnerLog): void {
  print(`  ${title}:`);
  for (const [name, value] of Object.entries(result.outputs)) {
    const display = log.mask(value).replace(/\s+/g, ' ');
    print(`    ${name} = ${display.length > 100 ? `${display.slice(0, 97)}...` : display}`);
  }
}

/**
 * Runs a three-step job against a local emulator: sign in with a password and MFA, create an
 * application, list the applications. Returns the process exit code.
 */
async function runDemo(): Promise<number> {
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
  print(`RIPS emulator listening on ${emulator.url} (demo user ${DEMO_EMAIL}, MFA on)`);
  print();
  const log = new RunnerLog(process.env['RUNNER_DEBUG'] === '1');
  const jobEnv: Record<string, string> = {};
  const steps: Step[] = [
    {
      name: './actions/rips-login',
      actionDir: loginAction,
      inputs: {
        'api-url': emulator.url,
        email: DEMO_EMAIL,
        password: DEMO_PASSWORD,
        'totp-secret': DEMO_TOTP_SECRET,
        'export-env': 'true',
      },
      secretInputs: ['password', 'totp-secret'],
    },
    {
      name: './actions/rips-request (create an application)',
      actionDir: requestAction,
      inputs: { method: 'POST', path: '/applications', body: '{"application":{"name":"demo"}}' },
    },
    {
      name: './actions/rips-request (list applications)',
      actionDir: requestAction,
      inputs: { path: '/applications', query: '{"limit":10}' },
    },
  ];
  try {
    let last: StepResult | undefined;
    for (const step of steps) {
      last = await runStep(step, jobEnv, log, print);
      Object.assign(jobEnv, last.exportedEnv);
      if (last.exitCode !== 0) {
        print(`  Step failed with exit code ${last.exitCode}.`);
        return last.exitCode;
      }
      printOutputs('outputs', last, log);
      print();
    }
    print('The API answered the last request with:');
    print(JSON.stringify(JSON.parse(last?.outputs['body'] ?? 'null'), null, 2));
    print();
    print('Values shown as *** were masked by the actions before anything else was printed.');
    return 0;
  } finally {
    await emulator.close();
  }
}

process.exitCode = await runDemo();
