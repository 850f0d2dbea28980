import {
  findUsedInputsAndOutputs,
  readActionMetadata,
  validateActionYml,
} from '@rips-actions/action-testkit';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_DIR } from './fixtures.js';

describe('action.yml', () => {
  it('passes action-validator except for node24', async () => {
    const result = await validateActionYml(join(ACTION_DIR, 'action.yml'));

    // NOTE: @action-validator/cli 0.6.0 does not list node24 in runs.using, so it reports one
    // one_of error at /runs whose first branch rejects only runs.using. Any other problem adds
    // an error. When a release accepts node24, the expected list becomes [].
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      code: 'one_of',
      path: '/runs',
      states: [{ errors: [{ code: 'enum', path: '/runs/using' }] }, {}, {}],
    });
  });

  it('declares the inputs and outputs the code uses', async () => {
    const used = await findUsedInputsAndOutputs(join(ACTION_DIR, 'src'));
    const metadata = await readActionMetadata(ACTION_DIR);

    expect(used.inputs).toEqual(Object.keys(metadata.inputs).sort());
    expect(used.outputs).toEqual(Object.keys(metadata.outputs).sort());
    // These helpers take an InputName or OutputName, so the compiler keeps their names in
    // INPUTS and OUTPUTS.
    expect(used.dynamicCalls.map(({ file, call }) => `${file} ${call}`)).toEqual([
      'inputs.ts getInput',
      'inputs.ts getInput',
      'outputs.ts setOutput',
    ]);
  });

  it('runs the committed node24 bundle', async () => {
    const metadata = await readActionMetadata(ACTION_DIR);

    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
