import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** A `getInput`-style or `setOutput` call whose name argument is not a literal or constant. */
export interface DynamicNameCall {
  /** Path relative to the scanned directory. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The called function, for example `getInput`. */
  readonly call: string;
}

/** Input and output names that an action's source reads and sets. */
export interface UsedInputsAndOutputs {
  /** Sorted, without duplicates. */
  readonly inputs: readonly string[];
  /** Sorted, without duplicates. */
  readonly outputs: readonly string[];
  /**
   * Calls whose name the scan could not read. They are fine inside a helper
   * when every name the helper receives is listed in `INPUTS` or `OUTPUTS`.
   */
  readonly dynamicCalls: readonly DynamicNameCall[];
}

const INPUT_READERS = new Set(['getInput', 'getBooleanInput', 'getMultilineInput']);
const OUTPUT_WRITERS = new Set(['setOutput']);
const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;
const SKIPPED_FILE = /\.d\.[cm]?ts$|\.(?:test|spec)\.[cm]?[jt]s$/;

/**
 * Finds the input names an action's source reads and the output names it
 * sets, by parsing every source file under `sourceDir` with the TypeScript
 * parser. Test files and declaration files are skipped.
 *
 * Names are found in these places, and only there:
 *
 * - the string values of an object literal assigned to a variable named
 *   `INPUTS` or `OUTPUTS` (`as const` and `satisfies` are allowed);
 * - the first argument of `getInput`, `getBooleanInput`, `getMultilineInput`
 *   and `setOutput`, called bare or as a method such as `core.getInput`,
 *   when it is a string literal or a property of `INPUTS` or `OUTPUTS`.
 *
 * @example
 * ```ts
 * const used = await findUsedInputsAndOutputs('actions/rips-login/src');
 * const metadata = await readActionMetadata('actions/rips-login');
 * expect(used.inputs).toEqual(Object.keys(metadata.inputs).sort());
 * ```
 */
export async function findUsedInputsAndOutputs(sourceDir: string): Promise<UsedInputsAndOutputs> {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const dynamicCalls: DynamicNameCall[] = [];
  const files: ts.SourceFile[] = [];
  for (const path of await listSourceFiles(sourceDir)) {
    const text = await readFile(path, 'utf8');
    files.push(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true));
  }
  // INPUTS may be declared in one file and used in another, so read every constant first.
  const constants = new Map<string, Map<string, string>>([
    ['INPUTS', new Map()],
    ['OUTPUTS', new Map()],
  ]);
  for (const file of files) {
    readNameConstants(file, constants);
  }
  for (const name of constants.get('INPUTS')?.values() ?? []) inputs.add(name);
  for (const name of constants.get('OUTPUTS')?.values() ?? []) outputs.add(name);

  for (const file of files) {
    visitCalls(file, (call, callee) => {
      const target = INPUT_READERS.has(callee)
        ? inputs
        : OUTPUT_WRITERS.has(callee)
          ? outputs
          : null;
      if (target === null) {
        return;
      }
      const name = readNameArgument(call.arguments[0], constants);
      if (name === undefined) {
        const { line } = file.getLineAndCharacterOfPosition(call.getStart(file));
        dynamicCalls.push({
          file: relative(sourceDir, file.fileName),
          line: line + 1,
          call: callee,
        });
      } else {
        target.add(name);
      }
    });
  }
  return {
    inputs: [...inputs].sort(),
    outputs: [...outputs].sort(),
    dynamicCalls,
  };
}

async function listSourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name))
    .filter((entry) => !SKIPPED_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.split(/[\\/]/).includes('node_modules'))
    .sort();
}

/** Adds the properties of `const INPUTS = {...}` and `const OUTPUTS = {...}` to `constants`. */
function readNameConstants(file: ts.SourceFile, constants: Map<string, Map<string, string>>): void {
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      (node.name.text === 'INPUTS' || node.name.text === 'OUTPUTS') &&
      node.initializer !== undefined
    ) {
      const literal = unwrapExpression(node.initializer);
      if (ts.isObjectLiteralExpression(literal)) {
        const names = constants.get(node.name.text);
        for (const [key, name] of readStringProperties(literal)) {
          names?.set(key, name);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

function readStringProperties(literal: ts.ObjectLiteralExpression): Map<string, string> {
  const properties = new Map<string, string>();
  for (const property of literal.properties) {
    if (!ts.isPropertyAssignment(property)) {
      continue;
    }
    const key = readPropertyKey(property.name);
    const value = unwrapExpression(property.initializer);
    if (key !== undefined && ts.isStringLiteralLike(value)) {
      properties.set(key, value.text);
    }
  }
  return properties;
}

function readPropertyKey(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) {
    return name.text;
  }
  return undefined;
}

/** Strips `as const`, `satisfies T` and parentheses. */
function unwrapExpression(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isParenthesizedExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

function visitCalls(
  file: ts.SourceFile,
  onCall: (call: ts.CallExpression, callee: string) => void,
): void {
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = ts.isPropertyAccessExpression(node.expression)
        ? node.expression.name.text
        : ts.isIdentifier(node.expression)
          ? node.expression.text
          : undefined;
      if (callee !== undefined) {
        onCall(node, callee);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

/** Reads a name argument: a string literal, or `INPUTS.key` / `OUTPUTS['key']`. */
function readNameArgument(
  argument: ts.Expression | undefined,
  constants: Map<string, Map<string, string>>,
): string | undefined {
  if (argument === undefined) {
    return undefined;
  }
  const expression = unwrapExpression(argument);
  if (ts.isStringLiteralLike(expression)) {
    return expression.text;
  }
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    return constants.get(expression.expression.text)?.get(expression.name.text);
  }
  if (
    ts.isElementAccessExpression(expression) &&
    ts.isIdentifier(expression.expression) &&
    ts.isStringLiteralLike(expression.argumentExpression)
  ) {
    return constants.get(expression.expression.text)?.get(expression.argumentExpression.text);
  }
  return undefined;
}
