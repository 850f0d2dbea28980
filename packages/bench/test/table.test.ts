import { describe, expect, it } from 'vitest';

import {
  formatMarkdownTable,
  formatNumber,
  formatRatio,
  formatTextTable,
  groupBySection,
  judge,
  type Row,
} from '../src/table.js';

function row(overrides: Partial<Row>): Row {
  return {
    section: 'Cold start',
    benchmark: 'node -e 0',
    figure: '60.0',
    unit: 'ms',
    baseline: '',
    ratio: '',
    verdict: '',
    ...overrides,
  };
}

describe('formatNumber', () => {
  it.each([
    { value: 1234.5, decimals: 0, expected: '1,235' },
    { value: 1234.5, decimals: 1, expected: '1,234.5' },
    { value: 0.25, decimals: 2, expected: '0.25' },
    { value: 7, decimals: 1, expected: '7.0' },
    { value: Number.POSITIVE_INFINITY, decimals: 0, expected: 'Infinity' },
  ])('formats $value with $decimals decimals as $expected', ({ value, decimals, expected }) => {
    expect(formatNumber(value, decimals)).toBe(expected);
  });
});

describe('formatRatio', () => {
  it('formats a multiplier with two decimals', () => {
    expect(formatRatio(180, 100)).toBe('1.80x');
  });

  it('returns a dash for a zero base', () => {
    expect(formatRatio(5, 0)).toBe('–');
  });
});

describe('judge', () => {
  it('maps a met target to met', () => {
    expect(judge(true)).toBe('met');
  });

  it('maps a missed target to missed', () => {
    expect(judge(false)).toBe('missed');
  });
});

describe('groupBySection', () => {
  it('keeps the first-seen order of sections', () => {
    const rows = [
      row({ section: 'B', benchmark: 'one' }),
      row({ section: 'A', benchmark: 'two' }),
      row({ section: 'B', benchmark: 'three' }),
    ];
    const groups = groupBySection(rows);
    expect([...groups.keys()]).toEqual(['B', 'A']);
    expect(groups.get('B')?.map((r) => r.benchmark)).toEqual(['one', 'three']);
  });
});

describe('formatTextTable', () => {
  const rows = [
    row({}),
    row({
      benchmark: 'floor',
      figure: '110.5',
      baseline: 'node -e 0: 60.0 ms',
      ratio: '1.84x',
    }),
    row({ section: 'Targets', benchmark: 'overhead', figure: '12.0', verdict: 'missed' }),
  ];

  it('aligns columns and heads each section', () => {
    expect(formatTextTable(rows)).toMatchInlineSnapshot(`
      "benchmark  figure  unit  baseline/target     ratio  verdict
      ---------  ------  ----  ------------------  -----  -------

      Cold start:
      node -e 0    60.0  ms
      floor       110.5  ms    node -e 0: 60.0 ms  1.84x

      Targets:
      overhead     12.0  ms                               MISSED"
    `);
  });
});

describe('formatMarkdownTable', () => {
  it('writes a bold row per section and escapes pipes', () => {
    const table = formatMarkdownTable([row({ benchmark: 'a | b', verdict: 'met' })]);
    expect(table).toMatchInlineSnapshot(`
      "| benchmark      | figure | unit | baseline/target | ratio | verdict |
      | -------------- | ------ | ---- | --------------- | ----- | ------- |
      | **Cold start** |        |      |                 |       |         |
      | a \\| b         | 60.0   | ms   |                 |       | met     |"
    `);
  });
});
