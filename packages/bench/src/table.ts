/**
 * Outcome of a row against its target. An empty verdict marks a figure without a target. `not
 * built` marks an action whose bundle is missing, and `failed` a benchmark that could not run.
 */
export type Verdict = 'met' | 'missed' | 'not built' | 'failed' | '';

/** One line of the results table. */
export interface Row {
  /** Heading the row is grouped under, such as `Cold start`. */
  section: string;
  benchmark: string;
  figure: string;
  unit: string;
  /** Baseline figure or target that the figure is compared with. */
  baseline: string;
  ratio: string;
  verdict: Verdict;
  /** Full error of a failed row, whose baseline cell contains a shortened copy. */
  detail?: string;
}

export const COLUMNS = ['benchmark', 'figure', 'unit', 'baseline/target', 'ratio', 'verdict'];

/** Formats a number with a thousands separator and a fixed number of decimals. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Formats `value / base` as a multiplier such as `1.23x`. */
export function formatRatio(value: number, base: number): string {
  if (base === 0 || !Number.isFinite(value / base)) {
    return '–';
  }
  return `${(value / base).toFixed(2)}x`;
}

/** Returns `met` or `missed`. */
export function judge(met: boolean): Verdict {
  return met ? 'met' : 'missed';
}

function verdictText(verdict: Verdict): string {
  // Upper case makes a missed target stand out in a terminal.
  return verdict === 'missed' ? 'MISSED' : verdict;
}

function cells(row: Row): string[] {
  return [row.benchmark, row.figure, row.unit, row.baseline, row.ratio, verdictText(row.verdict)];
}

/** Groups rows by section, keeping the order in which each section first appears. */
export function groupBySection(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.section);
    if (group === undefined) {
      groups.set(row.section, [row]);
    } else {
      group.push(row);
    }
  }
  return groups;
}

/** Formats the rows as a plain-text table with aligned columns and a heading per section. */
export function formatTextTable(rows: readonly Row[]): string {
  const widths = COLUMNS.map((title) => title.length);
  for (const row of rows) {
    cells(row).forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  // The figure and ratio columns contain numbers, so they are aligned to the right.
  const numeric = new Set([1, 4]);
  const line = (values: string[]): string =>
    values
      .map((value, index) => {
        const width = widths[index] ?? value.length;
        return numeric.has(index) ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd();

  const lines = [line(COLUMNS), line(widths.map((width) => '-'.repeat(width)))];
  for (const [section, group] of groupBySection(rows)) {
    lines.push('', `${section}:`);
    for (const row of group) {
      lines.push(line(cells(row)));
    }
  }
  return lines.join('\n');
}

function escapeMarkdown(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}

/**
 * Formats the rows as a Markdown table, with each section as a bold row. Cells are padded to the
 * width of their column, as Prettier formats tables, so that the written page passes
 * `prettier --check`.
 */
export function formatMarkdownTable(rows: readonly Row[]): string {
  const body: string[][] = [];
  for (const [section, group] of groupBySection(rows)) {
    body.push([`**${section}**`, '', '', '', '', '']);
    for (const row of group) {
      body.push(cells(row));
    }
  }
  const escaped = [COLUMNS, ...body].map((values) => values.map(escapeMarkdown));
  // Prettier draws a delimiter of at least three dashes, so no column is narrower.
  const widths = COLUMNS.map((_, index) =>
    Math.max(3, ...escaped.map((values) => (values[index] ?? '').length)),
  );
  const line = (values: string[]): string =>
    `| ${values.map((value, index) => value.padEnd(widths[index] ?? 0)).join(' | ')} |`;
  const [header = [], ...rest] = escaped;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rest.map(line)].join(
    '\n',
  );
}
