import { fileURLToPath } from 'node:url';

import * as core from '@actions/core';
import { findUsedInputsAndOutputs, readActionMetadata } from '@rips-actions/action-testkit';
import { describe, expect, it, vi } from 'vitest';

import { ACTION_DIR } from './helpers.js';

vi.mock('@actions/core', async (importOriginal) => {
  const actual = await importOriginal<typeof core>();
  return { ...actual, setFailed: vi.fn(), setOutput: vi.fn(), setSecret: vi.fn(), info: vi.fn() };
});

describe('action.yml', () => {
  it('declares exactly the inputs and outputs the source uses', async () => {
    const used = await findUsedInputsAndOutputs(fileURLToPath(new URL('../src', import.meta.url)));
    const metadata = await readActionMetadata(ACTION_DIR);

    expect(used.inputs).toEqual(Object.keys(metadata.inputs).sort());
    expect(used.outputs).toEqual(Object.keys(metadata.outputs).sort());
    expect(used.dynamicCalls).toEqual([]);
  });

  it('runs the committed node24 bundle', async () => {
    const metadata = await readActionMetadata(ACTION_DIR);

    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});

describe('main module', () => {
  it('has no side effects on import', async () => {
    await import('../src/main.js');

    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.setOutput).not.toHaveBeenCalled();
    expect(core.setSecret).not.toHaveBeenCalled();
    expect(core.info).not.toHaveBeenCalled();
  });
});
