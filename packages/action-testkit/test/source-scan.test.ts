import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findUsedInputsAndOutputs } from '../src/source-scan.js';

let sourceDir: string;

beforeEach(async () => {
  sourceDir = await mkdtemp(join(tmpdir(), 'source-scan-'));
});

afterEach(async () => {
  await rm(sourceDir, { recursive: true, force: true });
});

async function writeSources(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(sourceDir, path, '..'), { recursive: true });
    await writeFile(join(sourceDir, path), text);
  }
}

describe('findUsedInputsAndOutputs', () => {
  it('reads literal names from core calls', async () => {
    await writeSources({
      'main.ts': [
        "import * as core from '@actions/core';",
        "import { getBooleanInput, setOutput } from '@actions/core';",
        "const url = core.getInput('api-url', { required: true });",
        'const env = getBooleanInput("export-env");',
        'const scopes = core.getMultilineInput(`scopes`);',
        "core.setOutput('access-token', token);",
        "setOutput('expires-at', at);",
      ].join('\n'),
    });

    expect(await findUsedInputsAndOutputs(sourceDir)).toEqual({
      inputs: ['api-url', 'export-env', 'scopes'],
      outputs: ['access-token', 'expires-at'],
      dynamicCalls: [],
    });
  });

  it('reads INPUTS and OUTPUTS constants across files', async () => {
    await writeSources({
      'names.ts': [
        'export const INPUTS = {',
        "  apiUrl: 'api-url',",
        "  'timeout': 'timeout-seconds',",
        '} as const;',
        "export const OUTPUTS = { status: 'status' } as const satisfies Record<string, string>;",
      ].join('\n'),
      'lib/read.ts': [
        "import { INPUTS, OUTPUTS } from '../names.js';",
        'core.getInput(INPUTS.apiUrl);',
        "core.getInput(INPUTS['timeout']);",
        'core.setOutput(OUTPUTS.status, 200);',
      ].join('\n'),
    });

    expect(await findUsedInputsAndOutputs(sourceDir)).toEqual({
      inputs: ['api-url', 'timeout-seconds'],
      outputs: ['status'],
      dynamicCalls: [],
    });
  });

  it('reports calls with a computed name', async () => {
    await writeSources({
      'inputs.ts': [
        'function numberInput(name: string): number {',
        '  return Number(core.getInput(name));',
        '}',
        'core.setOutput(`page-${n}`, 1);',
      ].join('\n'),
    });

    const used = await findUsedInputsAndOutputs(sourceDir);

    expect(used.inputs).toEqual([]);
    expect(used.dynamicCalls).toEqual([
      { file: 'inputs.ts', line: 2, call: 'getInput' },
      { file: 'inputs.ts', line: 4, call: 'setOutput' },
    ]);
  });

  it('ignores comments, strings, tests and declarations', async () => {
    await writeSources({
      'main.ts': [
        "// core.getInput('in-a-comment')",
        'const text = "core.getInput(\'in-a-string\')";',
      ].join('\n'),
      'main.test.ts': "core.getInput('in-a-test');",
      'types.d.ts': "declare const x: 'core.getInput';",
    });

    expect(await findUsedInputsAndOutputs(sourceDir)).toEqual({
      inputs: [],
      outputs: [],
      dynamicCalls: [],
    });
  });
});
