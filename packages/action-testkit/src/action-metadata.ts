import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';

/** An input declared in `action.yml`. */
export interface ActionInput {
  readonly description: string;
  readonly required?: boolean;
  /** Default value as a string, which is what the runner passes to the action. */
  readonly default?: string;
  readonly deprecationMessage?: string;
}

/** An output declared in `action.yml`. */
export interface ActionOutput {
  readonly description: string;
}

/** The `branding` block of `action.yml`. */
export interface ActionBranding {
  readonly icon?: string;
  readonly color?: string;
}

/** The parts of `action.yml` that the kit and the action tests use. */
export interface ActionMetadata {
  /** Path of the file that was read. */
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly author?: string;
  readonly branding?: ActionBranding;
  readonly inputs: Readonly<Record<string, ActionInput>>;
  readonly outputs: Readonly<Record<string, ActionOutput>>;
  readonly runs: {
    readonly using: string;
    readonly main?: string;
    readonly pre?: string;
    readonly post?: string;
    readonly [key: string]: unknown;
  };
}

/**
 * Reads and parses `action.yml` (or `action.yaml`) in an action directory.
 *
 * Defaults are converted to strings because the runner passes every input
 * as a string: `default: 30` and `default: '30'` both become `'30'`.
 *
 * @throws Error when no metadata file exists or it lacks `name`, `description` or `runs.using`
 *
 * @example
 * ```ts
 * const metadata = await readActionMetadata('actions/rips-login');
 * metadata.inputs['client-name']?.default; // 'ci'
 * ```
 */
export async function readActionMetadata(directory: string): Promise<ActionMetadata> {
  const path = await findMetadataFile(directory);
  const document: unknown = parse(await readFile(path, 'utf8'));
  if (!isRecord(document)) {
    throw new Error(`${path} is invalid: expected a mapping at the top level.`);
  }
  const runs = document['runs'];
  if (
    typeof document['name'] !== 'string' ||
    typeof document['description'] !== 'string' ||
    !isRecord(runs) ||
    typeof runs['using'] !== 'string'
  ) {
    throw new Error(`${path} is invalid: name, description and runs.using are required.`);
  }
  return {
    path,
    name: document['name'],
    description: document['description'],
    ...(typeof document['author'] === 'string' ? { author: document['author'] } : {}),
    ...(isRecord(document['branding']) ? { branding: readBranding(document['branding']) } : {}),
    inputs: readInputs(document['inputs'], path),
    outputs: readOutputs(document['outputs'], path),
    runs: { ...runs, using: runs['using'], ...readRunsEntries(runs) },
  };
}

async function findMetadataFile(directory: string): Promise<string> {
  for (const name of ['action.yml', 'action.yaml']) {
    const path = join(directory, name);
    try {
      await access(path);
      return path;
    } catch {
      // Try the next name.
    }
  }
  throw new Error(`No action.yml or action.yaml found in ${directory}.`);
}

function readInputs(value: unknown, path: string): Record<string, ActionInput> {
  const inputs: Record<string, ActionInput> = {};
  for (const [name, input] of Object.entries(isRecord(value) ? value : {})) {
    if (!isRecord(input) || typeof input['description'] !== 'string') {
      throw new Error(`${path} is invalid: input "${name}" needs a description.`);
    }
    const fallback = input['default'];
    inputs[name] = {
      description: input['description'],
      ...(typeof input['required'] === 'boolean' ? { required: input['required'] } : {}),
      ...(fallback !== undefined && fallback !== null ? { default: String(fallback) } : {}),
      ...(typeof input['deprecationMessage'] === 'string'
        ? { deprecationMessage: input['deprecationMessage'] }
        : {}),
    };
  }
  return inputs;
}

function readOutputs(value: unknown, path: string): Record<string, ActionOutput> {
  const outputs: Record<string, ActionOutput> = {};
  for (const [name, output] of Object.entries(isRecord(value) ? value : {})) {
    if (!isRecord(output) || typeof output['description'] !== 'string') {
      throw new Error(`${path} is invalid: output "${name}" needs a description.`);
    }
    outputs[name] = { description: output['description'] };
  }
  return outputs;
}

function readBranding(branding: Record<string, unknown>): ActionBranding {
  return {
    ...(typeof branding['icon'] === 'string' ? { icon: branding['icon'] } : {}),
    ...(typeof branding['color'] === 'string' ? { color: branding['color'] } : {}),
  };
}

function readRunsEntries(runs: Record<string, unknown>): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const key of ['main', 'pre', 'post']) {
    const value = runs[key];
    if (typeof value === 'string') {
      entries[key] = value;
    }
  }
  return entries;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Result of {@link validateActionYml}. */
export interface ActionYmlValidation {
  /** Exit code of `action-validator`: 0 when the file is valid. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The `errors` array of the validator's JSON report, empty when it printed none. */
  readonly errors: readonly unknown[];
}

/**
 * Validates an `action.yml` against the action schema with
 * `@action-validator/cli` (`action-validator FILE`).
 *
 * The validator picks the action schema only when the path ends in
 * `action.yml` or `action.yaml`, and the workflow schema otherwise.
 *
 * @example
 * ```ts
 * const result = await validateActionYml('actions/rips-login/action.yml');
 * expect(result.errors).toEqual([]);
 * ```
 */
export async function validateActionYml(path: string): Promise<ActionYmlValidation> {
  const cli = createRequire(import.meta.url).resolve('@action-validator/cli/cli.mjs');
  const { exitCode, stdout, stderr } = await new Promise<{
    exitCode: number | null;
    stdout: string;
    stderr: string;
  }>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ exitCode: code, stdout: out, stderr: err }));
  });
  return { exitCode, stdout, stderr, errors: readValidatorErrors(stderr) };
}

function readValidatorErrors(stderr: string): unknown[] {
  const start = stderr.indexOf('{');
  if (start < 0) {
    return [];
  }
  try {
    const report: unknown = JSON.parse(stderr.slice(start));
    return isRecord(report) && Array.isArray(report['errors']) ? report['errors'] : [];
  } catch {
    // Not a JSON report, for example "File not found"; the caller still has stderr.
    return [];
  }
}
