import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readActionMetadata, validateActionYml } from '../src/action-metadata.js';

const fixture = fileURLToPath(new URL('fixtures/echo-action', import.meta.url));
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'action-metadata-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readActionMetadata', () => {
  it('reads inputs, string defaults and runs', async () => {
    const metadata = await readActionMetadata(fixture);

    expect(metadata.name).toBe('Echo fixture');
    expect(metadata.path).toBe(join(fixture, 'action.yml'));
    expect(Object.keys(metadata.inputs)).toEqual(['mode', 'api-url', 'retries', 'password']);
    expect(metadata.inputs['retries']).toEqual({
      description: 'Default that the runner passes when the input is not given.',
      default: '3',
    });
    expect(metadata.inputs['api-url']?.required).toBe(false);
    expect(metadata.outputs).toEqual({});
    expect(metadata.runs).toEqual({ using: 'node20', main: 'index.mjs' });
  });

  it('reads action.yaml and converts defaults to strings', async () => {
    await writeFile(
      join(directory, 'action.yaml'),
      'name: n\ndescription: d\nauthor: a\nbranding: {icon: lock, color: blue}\n' +
        'inputs:\n  retries: {description: r, default: 3}\n  debug: {description: d, default: false}\n' +
        'outputs:\n  status:\n    description: HTTP status.\nruns: {using: node24, main: i.js}\n',
    );
    const metadata = await readActionMetadata(directory);

    expect(metadata.inputs['retries']?.default).toBe('3');
    expect(metadata.inputs['debug']?.default).toBe('false');
    expect(metadata.author).toBe('a');
    expect(metadata.branding).toEqual({ icon: 'lock', color: 'blue' });
    expect(metadata.outputs).toEqual({ status: { description: 'HTTP status.' } });
  });

  it('rejects a directory without metadata', async () => {
    await expect(readActionMetadata(directory)).rejects.toThrowError(
      `No action.yml or action.yaml found in ${directory}.`,
    );
  });

  it('rejects an input without a description', async () => {
    await writeFile(
      join(directory, 'action.yml'),
      'name: n\ndescription: d\ninputs:\n  token: {required: true}\nruns: {using: node24}\n',
    );
    await expect(readActionMetadata(directory)).rejects.toThrowError(
      `${join(directory, 'action.yml')} is invalid: input "token" needs a description.`,
    );
  });
});

describe('validateActionYml', () => {
  it('accepts a valid node20 action', async () => {
    const result = await validateActionYml(join(fixture, 'action.yml'));

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('reports a missing description', async () => {
    await mkdir(join(directory, 'broken'));
    const path = join(directory, 'broken', 'action.yml');
    await writeFile(path, 'name: n\nruns:\n  using: node20\n  main: index.js\n');
    const result = await validateActionYml(path);

    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      { code: 'required', path: '/description', title: 'This property is required' },
    ]);
  });
});
