import { describe, expect, it } from 'vitest';
import { parseCommandFile } from '../src/command-files.js';
import { RunnerLog } from '../src/runner-log.js';

describe('RunnerLog', () => {
  it('hides add-mask lines and masks later occurrences', () => {
    const log = new RunnerLog(false);
    expect(log.render('::add-mask::s3cret-value')).toBeUndefined();
    expect(log.render('token is s3cret-value here')).toBe('token is *** here');
  });

  it('masks the longer of two overlapping values first', () => {
    const log = new RunnerLog(false);
    log.render('::add-mask::abc');
    log.render('::add-mask::abcdef');
    expect(log.render('x abcdef y abc')).toBe('x *** y ***');
  });

  it('shows debug lines only in debug mode', () => {
    expect(new RunnerLog(false).render('::debug::internals')).toBeUndefined();
    expect(new RunnerLog(true).render('::debug::internals')).toBe('##[debug]internals');
  });

  it('renders warnings and errors as annotations', () => {
    const log = new RunnerLog(false);
    expect(log.render('::warning::careful%0Anext')).toBe('Warning: careful\nnext');
    expect(log.render('::error file=a.ts::broken')).toBe('Error: broken');
  });
});

describe('parseCommandFile', () => {
  it('reads name=value lines', () => {
    expect(parseCommandFile('a=1\nb=x=y\n')).toEqual({ a: '1', b: 'x=y' });
  });

  it('reads the multi-line delimiter form', () => {
    const text = 'body<<ghadelimiter_1\nline one\nline two\nghadelimiter_1\nstatus=200\n';
    expect(parseCommandFile(text)).toEqual({ body: 'line one\nline two', status: '200' });
  });

  it('reads an empty value in the delimiter form', () => {
    expect(parseCommandFile('x<<EOF\nEOF\n')).toEqual({ x: '' });
  });
});
