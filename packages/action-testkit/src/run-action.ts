import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { readActionMetadata } from './action-metadata.js';
import { parsePathFile, parseRunnerFile } from './runner-files.js';
import { parseWorkflowCommands, type WorkflowCommand } from './workflow-commands.js';

/** The code to run: an action directory, or a script file. */
export type ActionTarget =
  | {
      /**
       * Directory that contains `action.yml`. The kit runs its `runs.main`
       * and, as the runner does, sets every input that has a `default` and
       * is not given in `inputs`.
       */
      readonly action: string;
    }
  | {
      /** Path of a JavaScript file to run as it is, without reading any `action.yml`. */
      readonly script: string;
    };

/** Options of {@link runAction}. */
export type RunActionOptions = ActionTarget & {
  /** Inputs by their `action.yml` name; each becomes `INPUT_<NAME>`. */
  readonly inputs?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Extra environment variables, applied last. They may set proxy, `RIPS_*`
   * or `GITHUB_*` variables on purpose; `undefined` removes a variable.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Sets `RUNNER_DEBUG=1`, as a re-run with debug logging does. */
  readonly debug?: boolean;
  /** Milliseconds before the child is killed with SIGKILL; 30000 by default. */
  readonly timeoutMs?: number;
  /** Files to create in `GITHUB_WORKSPACE` before the run, by relative path. */
  readonly workspaceFiles?: Readonly<Record<string, string>>;
  /** Keeps the temporary directories after the run, for debugging a test. */
  readonly keepTempDir?: boolean;
};

/** A file that the action created or changed under `RUNNER_TEMP` or `GITHUB_WORKSPACE`. */
export interface WrittenFile {
  /** Absolute path as the action saw it; the directory is removed after the run. */
  readonly path: string;
  /** Contents decoded as UTF-8. */
  readonly content: string;
}

/** One line of output, with the stream it came from. */
export interface OutputLine {
  readonly stream: 'stdout' | 'stderr';
  /** 1-based line number within its stream. */
  readonly line: number;
  readonly text: string;
}

/** Everything a run of an action left behind. */
export interface ActionRun {
  /** Exit code, or `null` when the child was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the kit killed the child because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Lines of both streams in the order they arrived, which is close to the order they were written. */
  readonly log: readonly OutputLine[];
  readonly durationMs: number;
  /** Step outputs from `GITHUB_OUTPUT`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Variables exported through `GITHUB_ENV`. */
  readonly exportedEnv: Readonly<Record<string, string>>;
  /** Values saved through `GITHUB_STATE` for a post step. */
  readonly state: Readonly<Record<string, string>>;
  /** Directories added through `GITHUB_PATH`. */
  readonly addedPaths: readonly string[];
  /** Contents of `GITHUB_STEP_SUMMARY`. */
  readonly summary: string;
  /** Files the action wrote, other than the runner's command files. */
  readonly writtenFiles: readonly WrittenFile[];
  /** Values registered with `::add-mask::`, unescaped, in order. */
  readonly masks: readonly string[];
  /** Workflow commands found in stdout, in order. */
  readonly commands: readonly WorkflowCommand[];
  /** Whether the action failed: a non-zero exit code or an `::error::` command. */
  readonly failed: boolean;
  /** The run's `RUNNER_TEMP` and `GITHUB_WORKSPACE`, for matching paths in outputs. */
  readonly runnerTemp: string;
  readonly workspace: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

// Command files live outside RUNNER_TEMP and GITHUB_WORKSPACE so that the walk for files the
// action wrote never finds them.
const COMMAND_FILES = {
  GITHUB_OUTPUT: 'output',
  GITHUB_ENV: 'env',
  GITHUB_STATE: 'state',
  GITHUB_PATH: 'path',
  GITHUB_STEP_SUMMARY: 'step-summary.md',
} as const;

/**
 * Returns the environment variable name the runner uses for an input:
 * upper case, spaces replaced by `_`, hyphens kept.
 *
 * @example
 * ```ts
 * inputVariableName('api-url'); // 'INPUT_API-URL'
 * ```
 */
export function inputVariableName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Runs an action's JavaScript entry point in a child `node` process with the
 * environment a GitHub runner gives a step, and collects what it wrote.
 *
 * The child gets only `PATH` and `HOME` from the parent, so proxy, `INPUT_*`,
 * `RIPS_*` and `GITHUB_*` variables of the test process never reach it
 * unless `env` passes them. Each run gets fresh command files, a fresh
 * `RUNNER_TEMP` and a fresh `GITHUB_WORKSPACE` (also the working directory).
 *
 * @throws RunnerFileFormatError when the action wrote a malformed command file
 *
 * @example
 * ```ts
 * const run = await runAction({
 *   action: fileURLToPath(new URL('..', import.meta.url)),
 *   inputs: { 'api-url': emulator.url, email: 'ci@example.com', password: 'pw' },
 * });
 * expect(run.exitCode).toBe(0);
 * expect(run.outputs['auth-method']).toBe('password');
 * ```
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const { entry, defaults } = await resolveEntry(options);
  const root = await mkdtemp(join(tmpdir(), 'rips-action-'));
  try {
    const runnerTemp = join(root, 'runner-temp');
    const workspace = join(root, 'workspace');
    const commandDir = join(root, 'file-commands');
    await Promise.all([mkdir(runnerTemp), mkdir(workspace), mkdir(commandDir)]);
    const commandFiles = await createCommandFiles(commandDir);
    await writeWorkspaceFiles(workspace, options.workspaceFiles ?? {});

    const env = buildEnvironment(options, defaults, { runnerTemp, workspace, commandFiles });
    const child = await runChild(entry, workspace, env, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    const read = (name: keyof typeof COMMAND_FILES): Promise<string> =>
      readFile(commandFiles[name], 'utf8');
    const commands = parseWorkflowCommands(child.stdout);
    const writtenFiles = [
      ...(await collectFiles(runnerTemp, {})),
      ...(await collectFiles(workspace, options.workspaceFiles ?? {})),
    ];
    return {
      ...child,
      outputs: parseRunnerFile(await read('GITHUB_OUTPUT'), 'GITHUB_OUTPUT'),
      exportedEnv: parseRunnerFile(await read('GITHUB_ENV'), 'GITHUB_ENV'),
      state: parseRunnerFile(await read('GITHUB_STATE'), 'GITHUB_STATE'),
      addedPaths: parsePathFile(await read('GITHUB_PATH')),
      summary: await read('GITHUB_STEP_SUMMARY'),
      writtenFiles,
      masks: commands.filter((command) => command.name === 'add-mask').map((c) => c.message),
      commands,
      failed: child.exitCode !== 0 || commands.some((command) => command.name === 'error'),
      runnerTemp,
      workspace,
    };
  } finally {
    if (options.keepTempDir !== true) {
      await rm(root, { recursive: true, force: true });
    }
  }
}

async function resolveEntry(
  options: RunActionOptions,
): Promise<{ entry: string; defaults: Record<string, string> }> {
  if ('script' in options) {
    return { entry: resolve(options.script), defaults: {} };
  }
  const metadata = await readActionMetadata(options.action);
  if (metadata.runs.main === undefined) {
    throw new TypeError(
      `runAction: ${metadata.path} has no runs.main; only JavaScript actions can be run.`,
    );
  }
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(metadata.inputs)) {
    if (input.default !== undefined) {
      defaults[name] = input.default;
    }
  }
  return { entry: resolve(options.action, metadata.runs.main), defaults };
}

async function createCommandFiles(
  directory: string,
): Promise<Record<keyof typeof COMMAND_FILES, string>> {
  const paths = {} as Record<keyof typeof COMMAND_FILES, string>;
  for (const [variable, file] of Object.entries(COMMAND_FILES)) {
    const path = join(directory, file);
    // The runner creates these files empty; `@actions/core` fails when they are missing.
    await writeFile(path, '');
    paths[variable as keyof typeof COMMAND_FILES] = path;
  }
  return paths;
}

async function writeWorkspaceFiles(
  workspace: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  for (const [relativePath, content] of Object.entries(files)) {
    const path = join(workspace, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

function buildEnvironment(
  options: RunActionOptions,
  defaults: Readonly<Record<string, string>>,
  paths: { runnerTemp: string; workspace: string; commandFiles: Record<string, string> },
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: paths.runnerTemp,
    GITHUB_WORKSPACE: paths.workspace,
    ...paths.commandFiles,
  };
  if (options.debug === true) {
    env['RUNNER_DEBUG'] = '1';
  }
  const inputs = { ...defaults, ...options.inputs };
  for (const [name, value] of Object.entries(inputs)) {
    env[inputVariableName(name)] = String(value);
  }
  Object.assign(env, options.env);
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) {
      defined[name] = value;
    }
  }
  return defined;
}

type ChildResult = Pick<
  ActionRun,
  'exitCode' | 'signal' | 'timedOut' | 'stdout' | 'stderr' | 'log' | 'durationMs'
>;

function runChild(
  entry: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: OutputLine[] = [];
    const stdout = new LineCollector('stdout', log);
    const stderr = new LineCollector('stderr', log);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode,
        signal,
        timedOut,
        stdout: stdout.finish(),
        stderr: stderr.finish(),
        log,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** Splits one stream into lines as chunks arrive and appends them to a shared log. */
class LineCollector {
  private readonly decoder = new StringDecoder('utf8');
  private text = '';
  private pending = '';
  private lineCount = 0;

  constructor(
    private readonly stream: OutputLine['stream'],
    private readonly log: OutputLine[],
  ) {}

  push(chunk: Buffer): void {
    this.append(this.decoder.write(chunk));
  }

  finish(): string {
    this.append(this.decoder.end());
    if (this.pending !== '') {
      this.emit(this.pending);
      this.pending = '';
    }
    return this.text;
  }

  private append(decoded: string): void {
    this.text += decoded;
    const parts = (this.pending + decoded).split('\n');
    this.pending = parts.pop() ?? '';
    for (const part of parts) {
      this.emit(part.replace(/\r$/, ''));
    }
  }

  private emit(text: string): void {
    this.lineCount += 1;
    this.log.push({ stream: this.stream, line: this.lineCount, text });
  }
}

async function collectFiles(
  directory: string,
  seeded: Readonly<Record<string, string>>,
): Promise<WrittenFile[]> {
  const seededByPath = new Map(
    Object.entries(seeded).map(([relativePath, content]) => [
      join(directory, relativePath),
      content,
    ]),
  );
  const files: WrittenFile[] = [];
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) {
      continue;
    }
    const path = join(entry.parentPath, entry.name);
    const content = await readFile(path, 'utf8');
    // A file the test put there counts only when the action changed it.
    if (seededByPath.get(path) !== content) {
      files.push({ path, content });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
