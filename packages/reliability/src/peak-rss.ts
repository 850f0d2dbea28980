/**
 * Reads the peak resident set size in KiB from the report of GNU time's `-v` option (the line
 * `Maximum resident set size (kbytes): N`). Returns undefined when the line is missing.
 */
export function parseGnuTimeMaxRss(report: string): number | undefined {
  const match = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(report);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Formats KiB as MiB with one decimal, for the report. */
export function formatMib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}
