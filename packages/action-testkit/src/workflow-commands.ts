/** A workflow command such as `::add-mask::value` or `::error file=a.ts,line=3::message`. */
export interface WorkflowCommand {
  /** Command name, for example `add-mask`, `error`, `debug` or `group`. */
  readonly name: string;
  /** Properties between the name and the second `::`, unescaped. */
  readonly properties: Readonly<Record<string, string>>;
  /** Message after the second `::`, unescaped. */
  readonly message: string;
  /** 1-based line number in the stream that carried the command. */
  readonly line: number;
}

// `::name key=value,key=value::message`. Properties are escaped so that they never contain `::`,
// which lets the lazy group stop at the first separator while the message may contain `::`.
const COMMAND_PATTERN = /^::([A-Za-z][\w-]*)(?: (.*?))?::(.*)$/s;

const MESSAGE_ESCAPES: Readonly<Record<string, string>> = { '%25': '%', '%0D': '\r', '%0A': '\n' };
const PROPERTY_ESCAPES: Readonly<Record<string, string>> = {
  ...MESSAGE_ESCAPES,
  '%3A': ':',
  '%2C': ',',
};

/**
 * Reverses the escaping that `@actions/core` applies to a command message
 * (`%`, CR and LF). One pass, so `%250A` becomes `%0A` and not a line feed.
 */
export function unescapeCommandMessage(text: string): string {
  return text.replace(/%(?:25|0D|0A)/g, (escape) => MESSAGE_ESCAPES[escape] ?? escape);
}

/** Reverses the escaping of a command property value, which also escapes `:` and `,`. */
export function unescapeCommandProperty(text: string): string {
  return text.replace(/%(?:25|0D|0A|3A|2C)/g, (escape) => PROPERTY_ESCAPES[escape] ?? escape);
}

/**
 * Parses one output line as a workflow command.
 *
 * @returns the command, or `undefined` when the line is ordinary output
 *
 * @example
 * ```ts
 * parseWorkflowCommand('::add-mask::abc%0Adef', 4);
 * // { name: 'add-mask', properties: {}, message: 'abc\ndef', line: 4 }
 * ```
 */
export function parseWorkflowCommand(text: string, line: number): WorkflowCommand | undefined {
  const match = COMMAND_PATTERN.exec(text.replace(/\r$/, ''));
  if (match === null) {
    return undefined;
  }
  const [, name = '', rawProperties, rawMessage = ''] = match;
  const properties: Record<string, string> = {};
  for (const pair of (rawProperties ?? '').split(',')) {
    const separator = pair.indexOf('=');
    if (separator > 0) {
      const key = pair.slice(0, separator).trim();
      properties[key] = unescapeCommandProperty(pair.slice(separator + 1));
    }
  }
  return { name, properties, message: unescapeCommandMessage(rawMessage), line };
}

/** Parses every workflow command in a stream, in order. */
export function parseWorkflowCommands(stream: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  splitLines(stream).forEach((text, index) => {
    const command = parseWorkflowCommand(text, index + 1);
    if (command !== undefined) {
      commands.push(command);
    }
  });
  return commands;
}

/** Splits a stream into lines on LF or CRLF; a final line break does not add an empty line. */
export function splitLines(text: string): string[] {
  if (text === '') {
    return [];
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}
