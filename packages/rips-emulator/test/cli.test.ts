import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(packageDir, 'bin', 'rips-emulator.js');

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts the bin and waits for its ready line. */
function startBin(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: packageDir });
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^RIPS emulator listening on (http:\/\/\S+)\n/.exec(stdout);
      if (match?.[1] !== undefined) {
        resolve({ child, url: match[1], stdout: () => stdout, stderr: () => stderr, exit });
      }
    });
    void exit.then((code) =>
      reject(new Error(`exited with ${String(code)} before ready: ${stderr}`)),
    );
  });
}

/** Tells whether any source file is newer than the compiled CLI, or the CLI is missing. */
async function distIsStale(): Promise<boolean> {
  let built: number;
  try {
    built = (await stat(join(packageDir, 'dist', 'cli.js'))).mtimeMs;
  } catch {
    return true;
  }
  const sources = await readdir(join(packageDir, 'src'), { recursive: true });
  for (const source of sources) {
    if ((await stat(join(packageDir, 'src', source))).mtimeMs > built) {
      return true;
    }
  }
  return false;
}

function runBin(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: packageDir, encoding: 'utf8' });
}

describe('rips-emulator bin', () => {
  let directory: string;

  beforeAll(async () => {
    // The bin runs the compiled dist/. It is rebuilt only when a source is newer, because other
    // packages' tests may be loading dist/ at the same time.
    if (await distIsStale()) {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
        cwd: packageDir,
        encoding: 'utf8',
      });
      expect(build.status, build.stdout + build.stderr).toBe(0);
    }
    directory = await mkdtemp(join(tmpdir(), 'rips-emulator-cli-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('prints one ready line and stops on SIGTERM', async () => {
    const running = await startBin(['--port', '0']);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.url).not.toMatch(/:0$/);
    const response = await fetch(`${running.url}/status`);
    expect(response.status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exit).toBe(0);
    expect(running.stdout()).toBe(`RIPS emulator listening on ${running.url}\n`);
    expect(running.stderr()).toBe('');
  });

  it('stops on SIGINT with an open keep-alive connection', async () => {
    const running = await startBin(['--port', '0']);
    await (await fetch(`${running.url}/status`, { headers: { Connection: 'keep-alive' } })).text();
    running.child.kill('SIGINT');
    expect(await running.exit).toBe(0);
  });

  it('loads a users file and applies --token-ttl', async () => {
    const path = join(directory, 'users.json');
    await writeFile(path, JSON.stringify([{ email: 'cli@example.com', password: 'cli-password' }]));
    const running = await startBin(['--users', path, '--port', '0', '--token-ttl', '90']);
    try {
      const clients = (await (await fetch(`${running.url}/oauth/v2/global/clients`)).json()) as {
        ci: string;
      };
      const response = await fetch(`${running.url}/oauth/v2/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'password',
          client_id: clients.ci,
          username: 'cli@example.com',
          password: 'cli-password',
        }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { expires_in: number }).expires_in).toBe(90);
    } finally {
      running.child.kill('SIGTERM');
      await running.exit;
    }
  });

  it('serves the control API only with --control', async () => {
    const plain = await startBin(['--port', '0']);
    const controlled = await startBin(['--port', '0', '--control']);
    try {
      expect((await fetch(`${plain.url}/_emulator/requests`)).status).toBe(404);
      expect((await fetch(`${controlled.url}/_emulator/requests`)).status).toBe(200);
    } finally {
      plain.child.kill('SIGTERM');
      controlled.child.kill('SIGTERM');
      await Promise.all([plain.exit, controlled.exit]);
    }
  });

  it.each([
    [['--port', 'x'], '--port: expected an integer from 0 to 65535, received "x"'],
    [['--port', '70000'], '--port: expected an integer from 0 to 65535, received "70000"'],
    [['--token-ttl', '0'], '--token-ttl: expected an integer from 1 to'],
    [['--verbose'], "Unknown option '--verbose'"],
    [['extra'], 'extra'],
  ])('exits with 2 on %j', (args, message) => {
    const result = runBin(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: rips-emulator');
  });

  it('exits with 1 when the users file is missing', () => {
    const result = runBin(['--users', join(directory, 'missing.json'), '--port', '0']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^rips-emulator: failed to start: .*missing\.json/);
  });

  it('prints help to stdout', () => {
    const result = runBin(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: rips-emulator \[--users FILE\] \[--host 127\.0\.0\.1\]/);
  });
});
