import { describe, expect, it } from 'vitest';
import { parsePathFile, parseRunnerFile, RunnerFileFormatError } from '../src/runner-files.js';

describe('parseRunnerFile', () => {
  it('parses name=value lines', () => {
    expect(parseRunnerFile('status=200\nempty=\nurl=a=b\n', 'GITHUB_OUTPUT')).toEqual({
      status: '200',
      empty: '',
      url: 'a=b',
    });
  });

  it('parses the heredoc form of @actions/core 3', () => {
    const contents =
      'body<<ghadelimiter_5f1c\n{"a":1}\nsecond line\nghadelimiter_5f1c\n' +
      'token<<ghadelimiter_77aa\nabc\nghadelimiter_77aa\n';
    expect(parseRunnerFile(contents, 'GITHUB_OUTPUT')).toEqual({
      body: '{"a":1}\nsecond line',
      token: 'abc',
    });
  });

  it('parses CRLF line endings', () => {
    expect(parseRunnerFile('a<<EOF\r\nx\r\ny\r\nEOF\r\nb=2\r\n', 'GITHUB_ENV')).toEqual({
      a: 'x\ny',
      b: '2',
    });
  });

  it('keeps an empty heredoc value', () => {
    expect(parseRunnerFile('a<<EOF\nEOF\n', 'GITHUB_OUTPUT')).toEqual({ a: '' });
  });

  it('keeps = and << inside heredoc values', () => {
    expect(parseRunnerFile('a<<EOF\nx=1\ny<<z\nEOF\n', 'GITHUB_OUTPUT')).toEqual({
      a: 'x=1\ny<<z',
    });
  });

  it('uses whichever of = and << comes first', () => {
    expect(parseRunnerFile('a=b<<c\n', 'GITHUB_OUTPUT')).toEqual({ a: 'b<<c' });
  });

  it('lets a later entry win', () => {
    expect(parseRunnerFile('a=1\na=2\n', 'GITHUB_OUTPUT')).toEqual({ a: '2' });
  });

  it('rejects a heredoc without its delimiter', () => {
    expect(() => parseRunnerFile('a=1\nbody<<EOF\nvalue\n', 'GITHUB_OUTPUT')).toThrowError(
      new RunnerFileFormatError(
        'GITHUB_OUTPUT line 2 is invalid: no closing delimiter line for "body".',
        'GITHUB_OUTPUT',
        2,
      ),
    );
  });

  it('rejects a line of neither form', () => {
    expect(() => parseRunnerFile('just text\n', 'GITHUB_ENV')).toThrowError(
      'GITHUB_ENV line 1 is invalid: expected "name=value" or "name<<DELIMITER".',
    );
  });

  it('rejects an empty name', () => {
    expect(() => parseRunnerFile('=value\n', 'GITHUB_STATE')).toThrowError(
      'GITHUB_STATE line 1 is invalid: the name is empty.',
    );
  });

  it('rejects an empty delimiter', () => {
    expect(() => parseRunnerFile('a<<\n', 'GITHUB_OUTPUT')).toThrowError(
      'GITHUB_OUTPUT line 1 is invalid: the heredoc for "a" has an empty delimiter.',
    );
  });
});

describe('parsePathFile', () => {
  it('returns one directory a line', () => {
    expect(parsePathFile('/a/bin\n\n/b/bin\r\n')).toEqual(['/a/bin', '/b/bin']);
  });
});
