import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ACTION_DIR } from './fixtures.js';

const execFileAsync = promisify(execFile);
const nccCli = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js');

describe('dist', () => {
  // The runner executes dist/index.js as committed, so a bundle older than src ships old code.
  // The bundle includes auth-core's build, which must be current (`pnpm run build` does both).
  it('matches a fresh build of the sources', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'rips-login-dist-'));
    try {
      // The same arguments as the build script in package.json.
      await execFileAsync(
        process.execPath,
        [
          nccCli,
          'build',
          'src/index.ts',
          '-o',
          outDir,
          '--minify',
          '--license',
          'licenses.txt',
          '--target',
          'es2022',
          '--quiet',
        ],
        { cwd: ACTION_DIR },
      );
      for (const file of ['index.js', 'licenses.txt']) {
        const fresh = await readFile(join(outDir, file), 'utf8');
        const committed = await readFile(join(ACTION_DIR, 'dist', file), 'utf8');
        expect(committed === fresh, `dist/${file} is stale: run the build and commit dist`).toBe(
          true,
        );
      }
      const manifest = await readFile(join(ACTION_DIR, 'dist', 'package.json'), 'utf8');
      expect(JSON.parse(manifest)).toEqual({ type: 'module' });
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 180_000);
});
