// Runs every vitest project once and ends with the line 'N passed, N failed' (and skipped),
// counted from vitest's JSON report, which is the summary CI reads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = join(root, '.vitest');
const reportFile = join(reportDir, 'report.json');
rmSync(reportFile, { force: true });
mkdirSync(reportDir, { recursive: true });

// The root package's own binary, so the script also works outside 'pnpm exec'.
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const result = spawnSync(
  vitest,
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);

if (result.error) {
  console.error(`test: could not start ${vitest}: ${result.error.message}`);
}

let report;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'));
} catch (error) {
  console.error(`test: vitest wrote no readable report at ${reportFile}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(result.status || 1);
}

const passed = report.numPassedTests;
// Suites that fail to load count as failures, so a broken import cannot pass unnoticed.
const failed =
  report.numFailedTests +
  (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? report.numFailedTestSuites : 0);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(result.status === 0 && failed === 0 && passed > 0 ? 0 : result.status || 1);
