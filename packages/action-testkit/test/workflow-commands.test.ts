import { describe, expect, it } from 'vitest';
import {
  parseWorkflowCommand,
  parseWorkflowCommands,
  splitLines,
  unescapeCommandMessage,
} from '../src/workflow-commands.js';

describe('parseWorkflowCommand', () => {
  it('parses a command without properties', () => {
    expect(parseWorkflowCommand('::add-mask::abc', 3)).toEqual({
      name: 'add-mask',
      properties: {},
      message: 'abc',
      line: 3,
    });
  });

  it('parses and unescapes properties', () => {
    const command = parseWorkflowCommand('::error file=a%3Ab.ts,line=4,title=x%2Cy::boom', 1);
    expect(command?.name).toBe('error');
    expect(command?.properties).toEqual({ file: 'a:b.ts', line: '4', title: 'x,y' });
    expect(command?.message).toBe('boom');
  });

  it('keeps :: inside the message', () => {
    expect(parseWorkflowCommand('::add-mask::a::b', 1)?.message).toBe('a::b');
  });

  it('keeps leading spaces of the message', () => {
    expect(parseWorkflowCommand('::add-mask::  padded ', 1)?.message).toBe('  padded ');
  });

  it('returns undefined for ordinary output', () => {
    expect(parseWorkflowCommand('signed in as ci@example.com', 1)).toBeUndefined();
    expect(parseWorkflowCommand('  ::add-mask::x', 1)).toBeUndefined();
  });
});

describe('unescapeCommandMessage', () => {
  it.each([
    ['%25', '%'],
    ['a%0D%0Ab', 'a\r\nb'],
    ['%250A', '%0A'],
    ['%3A', '%3A'],
  ])('turns %j into %j', (escaped, expected) => {
    expect(unescapeCommandMessage(escaped)).toBe(expected);
  });
});

describe('parseWorkflowCommands', () => {
  it('numbers commands by their stream line', () => {
    const commands = parseWorkflowCommands('hello\n::debug::one\r\nworld\n::group::two\n');
    expect(commands.map((command) => [command.name, command.line])).toEqual([
      ['debug', 2],
      ['group', 4],
    ]);
  });
});

describe('splitLines', () => {
  it('drops the empty line after a final line break', () => {
    expect(splitLines('a\r\nb\n')).toEqual(['a', 'b']);
  });

  it('returns no lines for empty text', () => {
    expect(splitLines('')).toEqual([]);
  });
});
