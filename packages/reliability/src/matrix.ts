/** Target of a matrix row: the library, or one of the two action bundles. */
export type MatrixTarget = 'auth-core' | 'rips-login' | 'rips-request';

/** Verdict of a row: its outcome compared with its expectation. */
export type RowVerdict = 'as expected' | 'differs' | 'known bug' | 'not run';

/** One fault run against one target, as the reliability report lists it. */
export interface MatrixRow {
  /** The fault, in words, for example `503 with Retry-After: 1`. */
  fault: string;
  target: MatrixTarget;
  /** The expected outcome, for example `success after 1 retry` or `TIMEOUT`. */
  expected: string;
  /** The observed outcome in the same terms, with the error code or message fragment. */
  observed: string;
  /** Requests in the emulator's request log during the run; undefined when not run. */
  requests: number | undefined;
  /** Upper bound on the run's duration in milliseconds. */
  boundMs: number;
  /** Measured duration in milliseconds; undefined when not run. */
  elapsedMs: number | undefined;
  /** True when no form of any secret appeared in what the run wrote; undefined when not run. */
  secretsClean: boolean | undefined;
  /**
   * Outputs set by a failed run: `none`, or their names. `n/a` for a run that succeeded, where
   * outputs are expected.
   */
  outputsAfterFailure: string;
  verdict: RowVerdict;
}

const HEADER = [
  'fault',
  'target',
  'expected outcome',
  'observed outcome',
  'requests',
  'time bound',
  'elapsed',
  'secrets clean',
  'outputs after failure',
  'verdict',
];

/** Escapes a value for a Markdown table cell: pipes and line breaks would break the row. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ');
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

function clean(value: boolean | undefined): string {
  if (value === undefined) return '–';
  return value ? 'yes' : 'NO';
}

/** Formats rows as a Markdown table, one row per fault and target, in the given order. */
export function renderMatrix(rows: readonly MatrixRow[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    const cells = [
      row.fault,
      row.target,
      row.expected,
      row.observed,
      row.requests === undefined ? '–' : String(row.requests),
      `≤ ${seconds(row.boundMs)}`,
      seconds(row.elapsedMs),
      clean(row.secretsClean),
      row.outputsAfterFailure,
      row.verdict,
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Counts rows by verdict, for the report's summary line. */
export function countVerdicts(rows: readonly MatrixRow[]): Record<RowVerdict, number> {
  const counts: Record<RowVerdict, number> = {
    'as expected': 0,
    differs: 0,
    'known bug': 0,
    'not run': 0,
  };
  for (const row of rows) {
    counts[row.verdict] += 1;
  }
  return counts;
}
