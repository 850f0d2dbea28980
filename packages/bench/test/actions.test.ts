import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  actionBundle,
  bundleState,
  inputVariable,
  parseOutputFile,
  readInputDefaults,
} from '../src/actions.js';

describe('inputVariable', () => {
  it.each([
    { name: 'api-url', expected: 'INPUT_API-URL' },
    { name: 'totp secret', expected: 'INPUT_TOTP_SECRET' },
  ])('maps $name to $expected', ({ name, expected }) => {
    expect(inputVariable(name)).toBe(expected);
  });
});

describe('parseOutputFile', () => {
  it('reads delimited blocks as @actions/core writes them', () => {
    const text = 'status<<ghadelimiter_1\n200\nghadelimiter_1\nbody<<EOF\n{\n"a": 1\n}\nEOF\n';
    expect(parseOutputFile(text)).toEqual({ status: '200', body: '{\n"a": 1\n}' });
  });

  it('reads name=value lines', () => {
    expect(parseOutputFile('token-type=Bearer\nexpires-in=3600\n')).toEqual({
      'token-type': 'Bearer',
      'expires-in': '3600',
    });
  });

  it('returns no outputs for an empty file', () => {
    expect(parseOutputFile('')).toEqual({});
  });
});

describe('bundleState', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
    await mkdir(join(root, 'actions', 'demo', 'dist'), { recursive: true });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports a missing bundle as not built', async () => {
    const state = await bundleState(actionBundle(root, 'absent'));
    expect(state).toEqual({ built: false, reason: 'absent: dist/index.js is missing' });
  });

  it('reports a placeholder bundle as not built', async () => {
    await writeFile(join(root, 'actions', 'demo', 'dist', 'index.js'), 'export {};\n');
    const state = await bundleState(actionBundle(root, 'demo'));
    expect(state).toEqual({
      built: false,
      reason: 'demo: dist/index.js is a 11-byte placeholder',
    });
  });

  it('reports the size of a built bundle', async () => {
    await writeFile(join(root, 'actions', 'demo', 'dist', 'index.js'), 'x'.repeat(4096));
    const state = await bundleState(actionBundle(root, 'demo'));
    expect(state).toEqual({ built: true, bytes: 4096 });
  });
});

describe('readInputDefaults', () => {
  it('returns the defaults of action.yml as strings', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bench-action-'));
    try {
      const dir = join(root, 'actions', 'demo');
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, 'action.yml'),
        [
          'inputs:',
          '  api-url:',
          '    required: true',
          '  retries:',
          "    default: '3'",
          '  export-env:',
          '    default: false',
          '',
        ].join('\n'),
      );
      expect(await readInputDefaults(actionBundle(root, 'demo'))).toEqual({
        retries: '3',
        'export-env': 'false',
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
