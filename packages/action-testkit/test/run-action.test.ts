import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostileCredential } from '../src/arbitraries.js';
import { expectNoLeaks, scanForLeaks, SecretLeakError } from '../src/leak-scan.js';
import { inputVariableName, runAction } from '../src/run-action.js';

const action = fileURLToPath(new URL('fixtures/echo-action', import.meta.url));
const script = join(action, 'index.mjs');

describe('inputVariableName', () => {
  it.each([
    ['api-url', 'INPUT_API-URL'],
    ['client name', 'INPUT_CLIENT_NAME'],
    ['timeout-seconds', 'INPUT_TIMEOUT-SECONDS'],
  ])('maps %s to %s', (name, variable) => {
    expect(inputVariableName(name)).toBe(variable);
  });
});

describe('runAction', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('collects outputs, env, state, path and summary', async () => {
    const run = await runAction({ action, inputs: { 'api-url': 'http://127.0.0.1:9' } });

    expect(run.exitCode).toBe(0);
    expect(run.failed).toBe(false);
    expect(run.timedOut).toBe(false);
    expect(run.outputs['api-url']).toBe('http://127.0.0.1:9');
    expect(run.outputs['multi-line']).toBe('first line\nsecond line');
    expect(run.exportedEnv).toEqual({ RIPS_API_URL: 'http://127.0.0.1:1' });
    expect(run.state).toEqual({ cleanup: 'true' });
    expect(run.addedPaths).toEqual(['/opt/fixture/bin']);
    expect(run.summary).toBe('### Fixture report\n');
    expect(run.durationMs).toBeGreaterThan(0);
  });

  it('applies action.yml defaults as strings', async () => {
    const run = await runAction({ action });

    expect(run.outputs['retries']).toBe('3');
    expect(run.outputs['api-url']).toBe('<unset>');
  });

  it('lets given inputs override defaults', async () => {
    const run = await runAction({ action, inputs: { retries: 5 } });

    expect(run.outputs['retries']).toBe('5');
  });

  it('runs a script without action.yml defaults', async () => {
    const run = await runAction({ script });

    expect(run.exitCode).toBe(0);
    expect(run.outputs['retries']).toBe('<unset>');
  });

  it('passes a minimal environment', async () => {
    vi.stubEnv('HTTPS_PROXY', 'http://127.0.0.1:3128');
    vi.stubEnv('https_proxy', 'http://127.0.0.1:3128');
    vi.stubEnv('INPUT_PASSWORD', 'from-parent');
    vi.stubEnv('RIPS_ACCESS_TOKEN', 'from-parent');
    vi.stubEnv('GITHUB_TOKEN', 'from-parent');
    vi.stubEnv('NODE_OPTIONS', '--inspect');

    const run = await runAction({ script, inputs: { 'api-url': 'x', mode: 'report' } });

    expect(JSON.parse(run.outputs['env-names'] ?? '[]')).toEqual([
      'CI',
      'GITHUB_ACTIONS',
      'GITHUB_ENV',
      'GITHUB_OUTPUT',
      'GITHUB_PATH',
      'GITHUB_STATE',
      'GITHUB_STEP_SUMMARY',
      'GITHUB_WORKSPACE',
      'HOME',
      'INPUT_API-URL',
      'INPUT_MODE',
      'PATH',
      'RUNNER_OS',
      'RUNNER_TEMP',
    ]);
  });

  it('passes explicit env, RUNNER_DEBUG and removals', async () => {
    const run = await runAction({
      script,
      debug: true,
      env: { RIPS_API_URL: 'http://127.0.0.1:2', HOME: undefined },
    });
    const names: unknown = JSON.parse(run.outputs['env-names'] ?? '[]');

    expect(names).toContain('RIPS_API_URL');
    expect(names).toContain('RUNNER_DEBUG');
    expect(names).not.toContain('HOME');
    expect(run.stdout).toContain('::debug::debug is 1');
  });

  it('runs in GITHUB_WORKSPACE and reports written files', async () => {
    const run = await runAction({ script });

    expect(run.outputs['cwd']).toBe(run.workspace);
    expect(run.writtenFiles).toEqual([
      { path: join(run.runnerTemp, 'body.json'), content: '{"ok":true}' },
      { path: join(run.workspace, 'out', 'result.txt'), content: 'written by the fixture' },
    ]);
  });

  it('skips unchanged seeded workspace files', async () => {
    const run = await runAction({ script, workspaceFiles: { 'request.json': '{}' } });

    expect(run.writtenFiles.map((file) => file.path)).not.toContain(
      join(run.workspace, 'request.json'),
    );
    expect(run.writtenFiles).toHaveLength(2);
  });

  it('parses commands and keeps stream order', async () => {
    const run = await runAction({ script });

    expect(run.commands.map((command) => command.name)).toEqual(['debug', 'notice']);
    expect(run.commands[1]?.properties).toEqual({ title: 'Fixture: done', line: '2' });
    expect(run.commands[1]?.message).toBe('all% done');
    expect(run.stderr).toBe('a line on stderr\n');
    expect(run.log.at(-1)).toEqual({ stream: 'stderr', line: 1, text: 'a line on stderr' });
  });

  it('reports a failure by exit code and error command', async () => {
    const run = await runAction({ action, inputs: { mode: 'fail' } });

    expect(run.exitCode).toBe(1);
    expect(run.failed).toBe(true);
    expect(run.commands).toEqual([
      { name: 'error', properties: {}, message: 'the fixture failed on purpose', line: 1 },
    ]);
  });

  it('collects add-mask values unescaped', async () => {
    const run = await runAction({ action, inputs: { mode: 'leak', password: 'p%w\nline two' } });

    expect(run.masks).toEqual(['p%w\nline two']);
  });

  it('kills a child after the timeout', async () => {
    const run = await runAction({ action, inputs: { mode: 'hang' }, timeoutMs: 300 });

    expect(run.timedOut).toBe(true);
    expect(run.exitCode).toBeNull();
    expect(run.signal).toBe('SIGKILL');
    expect(run.failed).toBe(true);
    expect(run.durationMs).toBeLessThan(5000);
  });

  it('rejects a malformed GITHUB_OUTPUT', async () => {
    const broken = join(tmpdir(), `broken-output-${process.pid}.mjs`);
    await writeFile(
      broken,
      "import { appendFileSync } from 'node:fs';\n" +
        "appendFileSync(process.env.GITHUB_OUTPUT, 'body<<EOF\\nno end\\n');\n",
    );

    await expect(runAction({ script: broken })).rejects.toThrowError(
      'GITHUB_OUTPUT line 1 is invalid: no closing delimiter line for "body".',
    );
  });

  it('passes hostile inputs unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCredential(), async (password) => {
        const run = await runAction({ action, inputs: { mode: 'leak', password } });

        expect(run.masks).toEqual([password]);
        expect(scanForLeaks(run, [{ label: 'password', value: password }])).toContainEqual({
          secret: 'password',
          form: 'raw',
          where: 'summary',
          line: 1,
          kind: 'in-artifact',
        });
      }),
      { numRuns: 15 },
    );
  });

  it('feeds expectNoLeaks a leaking run', async () => {
    const run = await runAction({ action, inputs: { mode: 'leak', password: 'hunter2-secret' } });

    expect(() => expectNoLeaks(run, [{ label: 'password', value: 'hunter2-secret' }])).toThrow(
      SecretLeakError,
    );
    expect(scanForLeaks(run, ['hunter2-secret']).map((finding) => finding.where)).toEqual([
      'summary',
    ]);
  });
});
