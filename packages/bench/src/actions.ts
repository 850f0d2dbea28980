import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

/** One of the repository's JavaScript actions. */
export interface ActionBundle {
  name: string;
  /** Directory that contains `action.yml`. */
  dir: string;
  /** The committed bundle, `dist/index.js`. */
  entry: string;
}

export function actionBundle(root: string, name: string): ActionBundle {
  const dir = join(root, 'actions', name);
  return { name, dir, entry: join(dir, 'dist', 'index.js') };
}

// Any bundle that imports @actions/core is hundreds of kB, so a smaller file is the placeholder
// that the repository contains before the action is written.
const MIN_BUNDLE_BYTES = 1024;

/** Whether a bundle can be measured: its size, or why it cannot. */
export type BundleState = { built: true; bytes: number } | { built: false; reason: string };

export async function bundleState(bundle: ActionBundle): Promise<BundleState> {
  let bytes: number;
  try {
    bytes = (await stat(bundle.entry)).size;
  } catch {
    return { built: false, reason: `${bundle.name}: dist/index.js is missing` };
  }
  if (bytes < MIN_BUNDLE_BYTES) {
    return {
      built: false,
      reason: `${bundle.name}: dist/index.js is a ${bytes}-byte placeholder`,
    };
  }
  return { built: true, bytes };
}

/** Reads the `default` of every input in `action.yml`, as the runner passes them. */
export async function readInputDefaults(bundle: ActionBundle): Promise<Record<string, string>> {
  const metadata = parse(await readFile(join(bundle.dir, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown } | null>;
  };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(metadata.inputs ?? {})) {
    if (input?.default !== undefined && input.default !== null) {
      defaults[name] = String(input.default);
    }
  }
  return defaults;
}

/** Returns the runner's variable name for an input: upper case, spaces replaced by `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** A runner-like environment for one step, in a temporary directory. */
export interface RunnerEnv {
  env: NodeJS.ProcessEnv;
  workspace: string;
  outputFile: string;
  remove(): Promise<void>;
}

/**
 * Creates the environment a GitHub runner gives a JavaScript step: `INPUT_*` variables (the
 * defaults of `action.yml` under the given inputs), empty command files and a fresh
 * `RUNNER_TEMP` and `GITHUB_WORKSPACE`. Only `PATH` and `HOME` come from this process.
 */
export async function createRunnerEnv(
  inputs: Record<string, string>,
  defaults: Record<string, string>,
): Promise<RunnerEnv> {
  const root = await mkdtemp(join(tmpdir(), 'rips-bench-step-'));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'temp');
  await Promise.all([mkdir(workspace), mkdir(runnerTemp)]);
  const files = {
    GITHUB_OUTPUT: join(root, 'output'),
    GITHUB_ENV: join(root, 'env'),
    GITHUB_STATE: join(root, 'state'),
    GITHUB_PATH: join(root, 'path'),
    GITHUB_STEP_SUMMARY: join(root, 'summary.md'),
  };
  await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    ...files,
  };
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) {
    env[inputVariable(name)] = value;
  }
  return {
    env,
    workspace,
    outputFile: files.GITHUB_OUTPUT,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Parses a `GITHUB_OUTPUT` file: `name=value` lines and the `name<<DELIMITER` blocks that
 * `@actions/core` writes.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=]+?)<<(.+)$/.exec(line);
    if (block !== null) {
      const [, name = '', delimiter] = block;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) {
        value.push(lines[i] ?? '');
      }
      outputs[name] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

export async function readOutputs(runner: RunnerEnv): Promise<Record<string, string>> {
  return parseOutputFile(await readFile(runner.outputFile, 'utf8'));
}
