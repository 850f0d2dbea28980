import { describe, expect, it } from 'vitest';

import { formatReport, type RunReport } from '../src/report.js';

function report(overrides: Partial<RunReport>): RunReport {
  return {
    shape: {
      rounds: 15,
      warmup: 2,
      memoryRuns: 3,
      repeats: 3,
      durationMs: 1500,
      emulatorSeconds: 5,
      connections: 32,
    },
    machine: {
      date: '2026-12-04T17:00:00.000Z',
      node: 'v20.20.2',
      cpuModel: 'Example CPU',
      cores: 2,
      kernel: '6.1.0',
    },
    loadAtStart: '1.00, 2.00, 3.00',
    loadAtEnd: '1.50, 2.00, 3.00',
    mode: 'full',
    note: undefined,
    rows: [],
    notes: [],
    durationSeconds: 100.4,
    ...overrides,
  };
}

describe('formatReport', () => {
  it('states the machine and the load average', () => {
    const page = formatReport(report({}));
    expect(page).toContain('- Date: 2026-12-04T17:00:00.000Z');
    expect(page).toContain('- Node.js: v20.20.2');
    expect(page).toContain('- CPU: Example CPU, 2 cores (Linux 6.1.0)');
    expect(page).toContain(
      '- Load average (1, 5, 15 min): 1.00, 2.00, 3.00 at the start, 1.50, 2.00, 3.00 at the end',
    );
    expect(page).toContain('- Run: full, 100 s');
  });

  it('adds the note only when given', () => {
    expect(formatReport(report({}))).not.toContain('- Note:');
    expect(formatReport(report({ note: 'shared machine' }))).toContain('- Note: shared machine');
  });

  it('states the run counts in words', () => {
    const page = formatReport(
      report({
        shape: {
          rounds: 5,
          warmup: 1,
          memoryRuns: 1,
          repeats: 1,
          durationMs: 600,
          emulatorSeconds: 2,
          connections: 32,
        },
      }),
    );
    expect(page).toContain('Each variant ran 5 times after 1 warm-up run\n');
    expect(page).toContain('alternate once');
    expect(page).toContain('the median of 1 run.');
  });

  it('lists the errors in full', () => {
    const page = formatReport(report({ notes: ['curl: exited with code 7'] }));
    expect(page).toContain('Errors in full:\n\n- curl: exited with code 7\n');
  });

  it('ends with one line break', () => {
    expect(formatReport(report({}))).toMatch(/[^\n]\n$/);
  });
});
