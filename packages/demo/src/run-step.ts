import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { readCommandFile } from './command-files.js';
import type { RunnerLog } from './runner-log.js';

/** One `uses:` step of a workflow job. */
export interface Step {
  /** Step name shown in the log. */
  name: string;
  /** Directory of the action, containing `action.yml` and its committed bundle. */
  actionDir: string;
  /** The step's `with:` inputs. */
  inputs: Record<string, string>;
  /** Inputs that a workflow would take from `secrets.*`, which the runner masks from the start. */
  secretInputs?: string[];
}

/** The outputs, exported variables and summary of a finished step. */
export interface StepResult {
  exitCode: number;
  outputs: Record<string, string>;
  exportedEnv: Record<string, string>;
  summary: string;
}

interface ActionMetadata {
  inputs?: Record<string, { default?: string | number | boolean }>;
  runs: { main: string };
}

/**
 * Runs an action's committed bundle as a GitHub runner does: inputs as `INPUT_*` variables (with
 * the defaults of `action.yml`), fresh command files, the variables that earlier steps exported,
 * and the step's output printed through the runner's log rendering.
 */
export async function runStep(
  step: Step,
  jobEnv: Record<string, string>,
  log: RunnerLog,
  print: (line: string) => void,
): Promise<StepResult> {
  const metadata = parse(
    await readFile(join(step.actionDir, 'action.yml'), 'utf8'),
  ) as ActionMetadata;
  const directory = await mkdtemp(join(tmpdir(), 'rips-demo-'));
  const files = {
    GITHUB_OUTPUT: join(directory, 'output'),
    GITHUB_ENV: join(directory, 'env'),
    GITHUB_STATE: join(directory, 'state'),
    GITHUB_STEP_SUMMARY: join(directory, 'summary.md'),
  };
  await Promise.all(Object.values(files).map((path) => writeFile(path, '')));

  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(metadata.inputs ?? {})) {
    if (input.default !== undefined) {
      inputs[name] = String(input.default);
    }
  }
  Object.assign(inputs, step.inputs);

  for (const name of step.secretInputs ?? []) {
    log.addMask(step.inputs[name] ?? '');
  }
  print(`▶ Run ${step.name}`);
  print('  with:');
  for (const [name, value] of Object.entries(step.inputs)) {
    print(`    ${name}: ${log.mask(value)}`);
  }

  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? directory,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: directory,
    GITHUB_WORKSPACE: directory,
    ...files,
    ...jobEnv,
  };
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  const child = spawn(process.execPath, [join(step.actionDir, metadata.runs.main)], {
    cwd: directory,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printLines = (stream: NodeJS.ReadableStream): Promise<void> =>
    new Promise((resolve) => {
      const lines = createInterface({ input: stream });
      lines.on('line', (line) => {
        const rendered = log.render(line);
        if (rendered !== undefined) {
          print(`  ${rendered}`);
        }
      });
      lines.on('close', resolve);
    });
  const [exitCode] = await Promise.all([
    new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1))),
    printLines(child.stdout),
    printLines(child.stderr),
  ]);

  return {
    exitCode,
    outputs: await readCommandFile(files.GITHUB_OUTPUT),
    exportedEnv: await readCommandFile(files.GITHUB_ENV),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}
