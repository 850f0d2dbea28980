import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '@rips-actions/rips-emulator';
import { beforeAll, describe, expect, it } from 'vitest';

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

describe('demo', () => {
  let result: SpawnSyncReturns<string>;

  beforeAll(() => {
    result = spawnSync(process.execPath, [demo], { encoding: 'utf8', timeout: 60_000 });
  });

  it('exits with code 0', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('shows each step and the API answer', () => {
    expect(result.stdout).toMatch(/^RIPS emulator listening on http:\/\/127\.0\.0\.1:\d+ /);
    expect(result.stdout).toContain('▶ Run ./actions/rips-login');
    expect(result.stdout).toContain('▶ Run ./actions/rips-request (create an application)');
    expect(result.stdout).toContain('▶ Run ./actions/rips-request (list applications)');
    expect(result.stdout).toContain('"name": "demo"');
    expect(result.stdout).toContain('access-token = ***');
  });

  it('prints no credential', () => {
    expect(result.stdout).not.toContain(DEMO_PASSWORD);
    expect(result.stdout).not.toContain(DEMO_TOTP_SECRET);
    expect(result.stdout).not.toContain(Buffer.from(DEMO_PASSWORD).toString('base64'));
    // Access tokens are JWTs and refresh tokens start with def50200.
    expect(result.stdout).not.toMatch(/eyJ[\w-]{10,}/);
    expect(result.stdout).not.toMatch(/def50200[0-9a-f]/);
  });
});
